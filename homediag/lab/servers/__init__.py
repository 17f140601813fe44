"""Small servers the lab runs inside its namespaces, each as its own process.

Each module is started as ``ip netns exec NS python -m homediag.lab.servers.<name> ...`` and tracked by
PID like the daemons. They use the standard library (and dnspython for DNS) only, so they start fast.
They serve the lab's clients, but still cap what they read: a test may point hostile input at them.
"""
