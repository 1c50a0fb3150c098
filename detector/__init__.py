"""hydrawatch: detector."""
