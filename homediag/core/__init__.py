"""The core every probe, playbook and report stands on: model, probe spec, registry, runner, config."""
