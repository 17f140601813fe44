"""The network library of homediag: protocol clients, pure parsers and helpers that probes share.

Probes (``homediag.probes``) import this package and ``homediag.core``, never each other; this package
never imports a probe. Protocol code reaches the network only through the factories of the probe's
context (``ctx.run_command``, ``ctx.http``, ``ctx.udp()``, ``ctx.dns()``...), so every probe can run
against a recording (``homediag.testing``).
"""
