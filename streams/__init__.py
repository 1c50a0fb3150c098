"""hydrawatch: streams."""
