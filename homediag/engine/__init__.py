"""The playbook engine: diagnosis by elimination."""
