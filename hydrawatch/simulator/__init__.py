"""hydrawatch: hydrawatch/simulator."""
