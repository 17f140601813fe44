"""The use cases of homediag: diagnose, replay, scan (and later watch and the guided flow).

This is the only layer that knows the runner, the engine and the reports together: it wires a session,
the probe registry, the engine and the report into one run. The CLI parses arguments, calls in here,
prints and exits; nothing in here prints or exits.
"""
