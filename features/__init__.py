"""hydrawatch: features."""
