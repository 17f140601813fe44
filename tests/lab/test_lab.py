"""The lab itself, built for real (root, network namespaces): marked ``lab``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from homediag.lab import plan, system
from homediag.lab.names import NETNS_ETC
from homediag.lab.selftest import run_selftest
from tests.conftest import require_lab

pytestmark = pytest.mark.lab


def test_healthy_lab_runs_every_daemon_and_leases_the_client(lab):
    status = lab.status()
    assert status.up and status.built and status.scenario == "healthy"
    assert status.client_ip == str(plan.CLIENT_IP)
    assert [p.name for p in status.processes if not p.alive] == []
    assert {f"{lab.lab_id}-{role}" for role in ("client", "router", "isp", "inet", "printer")} <= set(
        status.namespaces
    )


def test_client_exec_points_homediag_at_the_lab_internet(lab):
    proc = lab.client_exec([sys.executable, "-c", "import os; print(os.environ['HOMEDIAG_CONFIG'])"])
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()) == lab.config_path
    resolv = lab.client_exec(["cat", "/etc/resolv.conf"]).stdout
    assert f"nameserver {plan.ROUTER_LAN}" in resolv


def test_lab_faults_switches_a_fault_for_one_block_only(lab_faults, lab):
    target = str(plan.PING_TARGETS[0])
    with lab_faults("wan-down"):
        assert lab.faults() == ("wan-down",)
        assert lab.client_exec(["ping", "-c", "1", "-W", "1", target]).returncode != 0
    assert lab.faults() == ()
    assert lab.client_exec(["ping", "-c", "1", "-W", "1", target]).returncode == 0


def test_conflicting_faults_are_refused(lab_faults):
    from homediag.core.errors import LabError

    with lab_faults("double-nat") as lab, pytest.raises(LabError, match="cannot be combined"):
        lab.fault_add("cgnat")


def test_selftest_proves_every_fault(lab):
    result = run_selftest(lab)
    failures = [f"{r.fault}: {c.what} ({c.detail})" for r in result.results for c in r.checks if not c.passed]
    assert not failures, "\n".join(failures)
    assert lab.faults() == ()


def test_a_second_lab_with_many_hosts_leaves_nothing_after_down(lab):
    require_lab()
    from homediag.lab.lab import Lab

    other = Lab(f"x{os.getpid()}")
    other.down()
    other.up("healthy", plain_hosts=60)
    try:
        state_pids = [p.pid for p in other.status().processes]
        assert other.client_exec(["ping", "-c", "1", "-W", "1", "10.77.0.89"]).returncode == 0
        # arping shows the plain host's own MAC (a real vendor OUI), not the shared uplink's
        arp = other.client_exec(["arping", "-c", "1", "-w", "2", "-I", "eth0", "10.77.0.89"])
        mac = other.scenario.devices["host60"].mac
        assert mac.upper() in arp.stdout.upper()
        # the session lab is untouched by the second one
        assert lab.client_exec(["ping", "-c", "1", "-W", "1", str(plan.ROUTER_LAN)]).returncode == 0
    finally:
        other.down()
    assert not [ns for ns in system.list_netns() if other.names.owns_ns(ns)]
    assert not list(NETNS_ETC.glob(f"{other.lab_id}-*"))
    assert not other.names.state_dir.exists()
    assert not [pid for pid in state_pids if system.proc_start_ticks(pid) is not None]
    other.down()  # idempotent


def test_speedtest_cli_measures_the_lab_mini_server(lab_faults):
    argv = [sys.executable, "-m", "speedtest", "--mini", f"http://{plan.SPEEDTEST_HOST}/", "--simple"]
    with lab_faults("wan-slow") as lab:
        proc = lab.client_exec(argv, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    down = float(proc.stdout.split("Download:")[1].split()[0])
    assert 2.0 < down < 8.0  # the fault's 5 Mbit/s line


def test_a_lab_that_is_up_refuses_a_second_up_and_unknown_faults(lab):
    from homediag.core.errors import LabError
    from homediag.lab.lab import Lab

    with pytest.raises(LabError, match="already up"):
        Lab(lab.lab_id).up("healthy")
    with pytest.raises(LabError, match="unknown fault"):
        lab.fault_add("no-such-fault")
    assert lab.status().up


def test_the_line_rate_is_set_and_lifted_and_never_fights_a_rate_fault(lab_faults):
    from homediag.core.errors import LabError
    from homediag.lab.topology import ISP

    def isp_qdisc(lab):
        return system.run(["tc", "qdisc", "show", "dev", "cust"], ns=lab.names.ns(ISP)).stdout

    with lab_faults() as lab:
        lab.set_line_rate(20)
        assert "rate 20Mbit" in isp_qdisc(lab)
        lab.set_line_rate(None)
        assert "tbf" not in isp_qdisc(lab)
    with lab_faults("wan-slow") as lab, pytest.raises(LabError, match="wan-slow"):
        lab.set_line_rate(20)
