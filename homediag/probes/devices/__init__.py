"""devices probes."""
