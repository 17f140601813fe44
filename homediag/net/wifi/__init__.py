"""Wi-Fi: reading the link and the scan from the OS tools, and the analysis of channels and rates."""
