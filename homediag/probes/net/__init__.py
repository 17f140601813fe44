"""net probes."""
