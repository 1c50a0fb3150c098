"""Alert webhooks: Standard Webhooks signing, the durable outbox, the delivery worker and a test receiver.

See docs/webhooks.md. Receivers must deduplicate by the ``webhook-id`` header (the alert id): delivery is
at-least-once.
"""
