"""The lab: a simulated home network of real daemons in Linux network namespaces.

The public surface, for the CLI and for the tests of probes and playbooks:

- ``Lab(lab_id=None)``: one lab (id from ``$HOMEDIAG_LAB_ID``, default ``hd``), with ``up(scenario)``,
  ``fault_add(name)``, ``fault_remove(name)``, ``set_faults(names)``, ``faults()``,
  ``client_exec(argv, env=..., timeout=...)``, ``status()``, ``down()`` and ``config_path``;
- ``Scenario``, ``load_scenario(name)``, ``list_scenarios()``: the shipped scenario files;
- ``FAULTS``: every fault by name, with the problem codes it should produce;
- ``run_selftest(lab)``: proves with standard tools that each fault is present;
- ``draw_home(seed)``: a home drawn from a seed (``Lab.up(home=seed)`` builds it);
- ``run_bench(seed, trials, lab_id=...)``: the accuracy bench over drawn homes.

Names are imported lazily, so the lab's small servers (``homediag.lab.servers``) start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from homediag.lab.bench import run_bench
    from homediag.lab.faults import FAULTS, Fault
    from homediag.lab.home import Home, draw_home
    from homediag.lab.lab import Lab, LabStatus, lab_config
    from homediag.lab.scenario import DeviceSpec, Role, Scenario, list_scenarios, load_scenario
    from homediag.lab.selftest import SelftestResult, run_selftest

__all__ = [
    "FAULTS",
    "DeviceSpec",
    "Fault",
    "Home",
    "Lab",
    "LabStatus",
    "Role",
    "Scenario",
    "SelftestResult",
    "draw_home",
    "lab_config",
    "list_scenarios",
    "load_scenario",
    "run_bench",
    "run_selftest",
]

_WHERE = {
    "FAULTS": "homediag.lab.faults",
    "Fault": "homediag.lab.faults",
    "Home": "homediag.lab.home",
    "draw_home": "homediag.lab.home",
    "run_bench": "homediag.lab.bench",
    "Lab": "homediag.lab.lab",
    "LabStatus": "homediag.lab.lab",
    "lab_config": "homediag.lab.lab",
    "DeviceSpec": "homediag.lab.scenario",
    "Role": "homediag.lab.scenario",
    "Scenario": "homediag.lab.scenario",
    "list_scenarios": "homediag.lab.scenario",
    "load_scenario": "homediag.lab.scenario",
    "SelftestResult": "homediag.lab.selftest",
    "run_selftest": "homediag.lab.selftest",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'homediag.lab' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
