"""hydrawatch: hydrawatch."""
