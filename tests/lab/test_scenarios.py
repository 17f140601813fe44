"""Scenario files, fault catalogue, naming and address plan: pure logic, no root needed."""

from __future__ import annotations

import netaddr
import pytest

from homediag.core.config import parse_config
from homediag.core.errors import LabError
from homediag.lab import plan
from homediag.lab.faults import FAULTS
from homediag.lab.lab import lab_config
from homediag.lab.names import LabNames, validate_lab_id
from homediag.lab.scenario import (
    PROBLEM_CODES,
    Role,
    generated_hosts,
    list_scenarios,
    load_scenario,
    parse_scenario_text,
)
from homediag.lab.selftest import FAULT_CHECKS
from homediag.lab.topology import port_name

SCENARIOS = list_scenarios()


def test_healthy_comes_first_and_every_fault_has_a_scenario():
    assert SCENARIOS[0] == "healthy"
    single = {load_scenario(n).faults[0] for n in SCENARIOS if len(load_scenario(n).faults) == 1}
    assert single == set(FAULTS)
    assert sum(len(load_scenario(n).faults) == 2 for n in SCENARIOS) >= 2


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_expectations_match_its_faults(name):
    scenario = load_scenario(name)
    assert set(scenario.expect.codes) <= PROBLEM_CODES
    fault_codes = {code for fault in scenario.faults for code in FAULTS[fault].codes}
    assert set(scenario.expect.codes) == fault_codes
    if len(scenario.faults) == 1:
        assert scenario.expect.top == scenario.expect.codes[0]
    else:
        assert scenario.expect.top is None
    assert scenario.description.strip()
    assert scenario.complaint


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_device_vendor_matches_its_oui(name):
    for key, dev in load_scenario(name).devices.items():
        org = netaddr.EUI(dev.mac).oui.registration().org
        assert org == dev.vendor, f"{key}: {dev.mac} is {org}, not {dev.vendor}"


def test_healthy_devices_are_the_documented_ones():
    scenario = load_scenario("healthy")
    roles = {dev.role for dev in scenario.devices.values()}
    assert {
        Role.ROUTER,
        Role.CLIENT,
        Role.PRINTER,
        Role.CAST,
        Role.DLNA,
        Role.HUE,
        Role.HOMEKIT,
        Role.MATTER,
        Role.MQTT,
        Role.HOST,
    } <= roles
    assert scenario.devices["router"].ip == plan.ROUTER_LAN
    assert scenario.devices["client"].ip == plan.CLIENT_IP
    assert len(scenario.by_role(Role.HOST)) == 5


def test_fault_devices_appear_only_with_their_fault():
    scenario = load_scenario("dhcp-rogue")
    assert "rogue" in scenario.present_devices(["dhcp-rogue"])
    assert "rogue" not in scenario.present_devices([])


def test_every_fault_has_selftest_checks_and_known_codes():
    assert set(FAULT_CHECKS) == set(FAULTS)
    for fault in FAULTS.values():
        assert fault.codes and set(fault.codes) <= PROBLEM_CODES
        assert fault.conflicts <= set(FAULTS)
        for other in fault.conflicts:
            assert fault.name in FAULTS[other].conflicts, f"{fault.name} / {other} not symmetric"


@pytest.mark.parametrize("count", [0, 5, 60, plan.MAX_PLAIN_HOSTS])
def test_plain_hosts_get_distinct_addresses_and_macs(count):
    scenario = load_scenario("healthy").with_plain_hosts(count)
    hosts = scenario.by_role(Role.HOST)
    assert len(hosts) == count
    assert len({d.ip for _, d in hosts}) == count
    assert len({d.mac for d in scenario.devices.values()}) == len(scenario.devices)
    assert all(d.ip in plan.LAN for _, d in hosts)


def test_too_many_plain_hosts_is_refused():
    with pytest.raises(LabError, match="plain hosts"):
        load_scenario("healthy").with_plain_hosts(plan.MAX_PLAIN_HOSTS + 1)


def test_generated_hosts_skip_taken_addresses():
    taken = {
        "x": load_scenario("healthy").devices["printer"].model_copy(update={"ip": plan.plain_host_ip(0)})
    }
    hosts = generated_hosts(2, taken=taken)
    assert plan.plain_host_ip(0) not in {d.ip for d in hosts.values()}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\n", "description"),
        ("- a list\n", "mapping"),
        ("name: x\ndescription: y\n  bad: indent: here\n", "not valid YAML"),
        ("name: x\ndescription: y\nexpect: {codes: [no.such-code]}\n", "unknown problem codes"),
        ("name: x\ndescription: y\nsurprise: 1\n", "surprise"),
        (
            "name: x\ndescription: y\ndevices: {Bad_Id: {role: host, kind: iot, vendor: v, "
            "ip: 10.77.0.40, mac: '02:00:5e:00:53:01', name: n}}\n",
            "device id",
        ),
        (
            "name: x\ndescription: y\ndevices: {h: {role: host, kind: toaster, vendor: v, "
            "ip: 10.77.0.40, mac: '02:00:5e:00:53:01', name: n}}\n",
            "kind",
        ),
        (
            "name: x\ndescription: y\ndevices: {h: {role: host, kind: iot, vendor: v, "
            "ip: 10.77.0.40, mac: '03:00:5e:00:53:01', name: n}}\n",
            "multicast",
        ),
    ],
    ids=[
        "no-description",
        "not-a-mapping",
        "bad-yaml",
        "unknown-code",
        "unknown-key",
        "bad-device-id",
        "bad-kind",
        "multicast-mac",
    ],
)
def test_bad_scenario_text_is_a_clear_error(text, message):
    with pytest.raises(LabError, match=message):
        parse_scenario_text(text, source="x.yaml")


def test_unknown_scenario_is_a_clear_error():
    with pytest.raises(LabError, match="unknown scenario"):
        load_scenario("no-such-scenario")
    with pytest.raises(LabError, match="invalid scenario name"):
        load_scenario("../healthy")


@pytest.mark.parametrize(
    ("lab_id", "ok"),
    [
        ("hd", True),
        ("t12345", True),
        ("a", True),
        ("HD", False),
        ("hd-x", False),
        ("1ab", False),
        ("abcdefghi", False),
        ("", False),
    ],
)
def test_lab_ids(lab_id, ok):
    if ok:
        assert validate_lab_id(lab_id) == lab_id
    else:
        with pytest.raises(LabError):
            validate_lab_id(lab_id)


def test_namespaces_belong_to_exactly_one_lab():
    hd, hd2 = LabNames("hd"), LabNames("hd2")
    assert hd.owns_ns("hd-router") and not hd.owns_ns("hd2-router")
    assert hd2.owns_ns("hd2-router") and not hd2.owns_ns("hd-router")
    assert hd.state_dir != hd2.state_dir


def test_interface_names_fit_the_kernel_limit():
    for name in SCENARIOS:
        for key in load_scenario(name).devices:
            assert len(port_name(key)) <= 15


def test_lab_config_is_valid_homediag_config():
    import yaml

    config = parse_config(yaml.safe_dump(lab_config()), source="lab")
    assert config.internet.ping_targets == tuple(str(ip) for ip in plan.PING_TARGETS)
    assert config.speedtest.server.startswith("http://")
    # The HTTPS checks go to the lab's own HTTPS host, a name only the lab's DNS answers
    assert config.internet.https_checks == (f"https://{plan.HTTPS_HOST}/",)
    assert plan.ZONE[plan.HTTPS_HOST][0] == plan.WEB_SERVER
    for target in config.internet.ping_targets:
        assert netaddr.IPAddress(target) in netaddr.IPNetwork("198.51.100.0/24")
    # net.dns times the lab's resolver, never 1.1.1.1 or 9.9.9.9, inside the lab
    for server in config.probes["net.dns"]["compare_servers"]:
        assert netaddr.IPAddress(server) in netaddr.IPNetwork("198.51.100.0/24")


def test_fault_device_defaults_match_the_scenarios():
    from homediag.lab.switches import DEFAULT_CONFLICT, DEFAULT_ROGUE

    assert load_scenario("dhcp-rogue").devices["rogue"] == DEFAULT_ROGUE
    assert load_scenario("ip-conflict").devices["phone"] == DEFAULT_CONFLICT


def test_line_rate_specs_limit_the_line_as_wan_slow_does():
    from homediag.lab.switches import line_rate_specs

    assert line_rate_specs(20, 4) == (
        "tbf rate 20mbit burst 32kb latency 50ms",
        "tbf rate 4mbit burst 32kb latency 50ms",
    )
    with pytest.raises(LabError, match="between 0"):
        line_rate_specs(0, 20)
