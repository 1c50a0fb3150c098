"""Cross-account linking: infrastructure, content and timing evidence combined into one weighted graph."""
