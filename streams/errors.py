"""The error of a record that is no valid request event (a leaf: the parser's modules all raise it)."""


class EventError(ValueError):
    """A record that is not a valid request event; the message is the DLQ reason."""
