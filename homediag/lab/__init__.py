"""The lab: a simulated home network of real daemons in Linux network namespaces."""
