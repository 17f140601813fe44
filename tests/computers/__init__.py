"""Simulated customer computers for end-to-end runs: every command Windows (German and English), macOS
and Ubuntu with systemd-resolved would run is answered from recordings (``homediag.testing``)."""
