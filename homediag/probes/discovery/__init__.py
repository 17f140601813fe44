"""discovery probes."""
