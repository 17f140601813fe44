"""wifi probes."""
