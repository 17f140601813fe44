"""Scenarios: YAML files that say which faults a lab runs and what homediag should find there.

```yaml
name: printer-paused
description: The printer was paused from its panel; it answers but prints nothing.
extends: healthy            # devices and plain hosts come from this scenario
faults: [printer-paused]
complaint: printer
expect: {codes: [printer.stopped], top: printer.stopped}
devices:                    # added to (or overriding) the inherited ones
  printer: {role: printer, kind: printer, vendor: "Brother Industries, LTD.",
            ip: 10.77.0.10, mac: "3c:2a:f4:77:00:0a", name: Brother HL-L2350DW}
plain_hosts: 5
```
Scenario files ship in ``homediag/lab/scenarios/``. Device kinds are ``DeviceKind`` values; vendors
are the organisation names of the IEEE registry ``netaddr`` ships, and a test checks each MAC's OUI
against its vendor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from ipaddress import IPv4Address
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from homediag.core import codes
from homediag.core.errors import LabError
from homediag.core.i18n import _
from homediag.core.model import DeviceKind
from homediag.lab import plan
from homediag.lab.plan import DEFAULT_PLAN, AddressPlan

PROBLEM_CODES: frozenset[str] = frozenset(codes.catalogue())
"""The problem codes (docs/problem-codes.md) (the catalogue scenarios may expect): the engine's catalogue."""

_DEVICE_ID = re.compile(r"^[a-z][a-z0-9]{0,9}$")
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_SCENARIO_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class Role(StrEnum):
    """What a device runs in the lab."""

    ROUTER = "router"
    CLIENT = "client"
    PRINTER = "printer"
    CAST = "cast"
    DLNA = "dlna"
    HUE = "hue"
    HOMEKIT = "homekit"
    MATTER = "matter"
    MQTT = "mqtt"
    HOST = "host"
    """A plain host: answers ARP and ping."""
    ROGUE_DHCP = "rogue-dhcp"
    """Present only with the ``dhcp-rogue`` fault."""
    IP_CONFLICT = "ip-conflict"
    """Present only with the ``ip-conflict`` fault: it claims the client's address."""
    LAN_CONFLICT = "lan-conflict"
    """Present only with the ``lan-ip-conflict`` fault: it claims another LAN device's address."""
    HOSTILE = "hostile"
    """A device whose every answer is an attack on the prober (the ``hostile-device`` scenario)."""


FAULT_ROLES: dict[Role, str] = {
    Role.ROGUE_DHCP: "dhcp-rogue",
    Role.IP_CONFLICT: "ip-conflict",
    Role.LAN_CONFLICT: "lan-ip-conflict",
}
"""Devices that exist only while a fault is on, and that fault."""


class DeviceSpec(BaseModel):
    """One device of a scenario: what it is (ground truth for tests) and how the lab builds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    kind: DeviceKind
    vendor: str = Field(min_length=1, max_length=120)
    ip: IPv4Address
    mac: str
    name: str = Field(min_length=1, max_length=63)
    """The readable instance name (mDNS instance, friendly name)."""
    model: str = Field(default="", max_length=63)

    @field_validator("mac")
    @classmethod
    def _mac(cls, value: str) -> str:
        value = value.lower()
        if not _MAC.match(value):
            raise ValueError("not a MAC address like 3c:2a:f4:77:00:0a")
        if int(value[:2], 16) & 1:
            raise ValueError("a multicast MAC cannot be a device address")
        return value

    @property
    def hostname(self) -> str:
        """A DNS label made from the instance name (``Brother HL-L2350DW`` -> ``Brother-HL-L2350DW``)."""
        label = re.sub(r"[^A-Za-z0-9-]+", "-", self.name).strip("-")
        return label[:63] or "device"


class Expect(BaseModel):
    """What homediag must find in this scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    codes: tuple[str, ...] = ()
    top: str | None = None

    @field_validator("codes")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [code for code in value if code not in PROBLEM_CODES]
        if unknown:
            raise ValueError(f"unknown problem codes: {', '.join(unknown)}")
        return value


class _ScenarioFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = Field(min_length=1)
    extends: str | None = None
    faults: tuple[str, ...] = ()
    complaint: str | None = None
    expect: Expect = Expect()
    devices: dict[str, DeviceSpec] = Field(default_factory=dict)
    plain_hosts: int | None = Field(default=None, ge=0, le=DEFAULT_PLAN.max_plain_hosts)


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario with its inherited devices and its plain hosts expanded."""

    name: str
    description: str
    faults: tuple[str, ...]
    complaint: str | None
    expect: Expect
    devices: dict[str, DeviceSpec]
    """Every device of the scenario by id, plain hosts included (``host1``, ``host2``...)."""
    plain_hosts: int
    addresses: AddressPlan = DEFAULT_PLAN
    """The LAN's address plan (the classic lab's, or a drawn home's)."""

    def by_role(self, role: Role) -> list[tuple[str, DeviceSpec]]:
        """The devices with ``role``, in id order."""
        return [(key, dev) for key, dev in self.devices.items() if dev.role is role]

    def device(self, role: Role) -> tuple[str, DeviceSpec] | None:
        """The first device with ``role``, if any."""
        found = self.by_role(role)
        return found[0] if found else None

    def with_plain_hosts(self, count: int) -> Scenario:
        """The same scenario with ``count`` generated plain hosts instead."""
        check_plain_hosts(count, self.addresses)
        devices = {k: d for k, d in self.devices.items() if not _is_generated(k, d)}
        devices.update(generated_hosts(count, taken=devices, addresses=self.addresses))
        return Scenario(
            self.name,
            self.description,
            self.faults,
            self.complaint,
            self.expect,
            devices,
            count,
            self.addresses,
        )

    def present_devices(self, faults: tuple[str, ...] | list[str]) -> dict[str, DeviceSpec]:
        """The devices on the LAN while ``faults`` are on (fault-only devices come and go)."""
        return {
            key: dev
            for key, dev in self.devices.items()
            if dev.role not in FAULT_ROLES or FAULT_ROLES[dev.role] in faults
        }


def check_plain_hosts(count: int, addresses: AddressPlan = DEFAULT_PLAN) -> int:
    """Refuse a plain host count the LAN cannot hold."""
    if not 0 <= count <= addresses.max_plain_hosts:
        raise LabError(
            _("plain hosts must be between 0 and {n} (they share the LAN /24)").format(
                n=addresses.max_plain_hosts
            )
        )
    return count


def _is_generated(key: str, dev: DeviceSpec) -> bool:
    return dev.role is Role.HOST and re.fullmatch(r"host\d+", key) is not None


def generated_hosts(
    count: int,
    *,
    taken: dict[str, DeviceSpec],
    addresses: AddressPlan = DEFAULT_PLAN,
    models: tuple[plan.HostModel, ...] = plan.PLAIN_HOST_MODELS,
    mac_tag: int = 0x77,
) -> dict[str, DeviceSpec]:
    """``count`` plain hosts ``host1``..``hostN`` from the plan's first host address up, skipping
    addresses already used (and the router's), cycling through ``models``."""
    used = {dev.ip for dev in taken.values()} | {addresses.router, addresses.client}
    used |= set(_pool(addresses))
    out: dict[str, DeviceSpec] = {}
    index = 0
    slot = 0
    while len(out) < count:
        ip = addresses.plain_host_ip(slot)
        if ip >= addresses.lan.broadcast_address:
            raise LabError(_("the LAN has no room for {n} plain hosts").format(n=count))
        if ip in used:
            slot += 1
            continue
        model = models[index % len(models)]
        last = int(ip) & 0xFF
        out[f"host{index + 1}"] = DeviceSpec(
            role=Role.HOST,
            kind=DeviceKind(model.kind),
            vendor=model.vendor,
            ip=ip,
            mac=f"{model.oui}:{mac_tag:02x}:{slot // 256:02x}:{last:02x}",
            name=f"{model.name} {index + 1}",
        )
        index += 1
        slot += 1
    return out


def _pool(addresses: AddressPlan) -> list[IPv4Address]:
    first, last = addresses.pool
    return [first + i for i in range(int(last) - int(first) + 1)]


def _scenario_dir() -> Any:
    return resources.files("homediag.lab") / "scenarios"


def list_scenarios() -> list[str]:
    """Names of the scenarios that ship with homediag, sorted (``healthy`` first)."""
    names = [
        entry.name[: -len(".yaml")]
        for entry in _scenario_dir().iterdir()
        if entry.name.endswith(".yaml") and not entry.name.startswith("_")
    ]
    return sorted(names, key=lambda n: (n != "healthy", n))


@cache
def _raw(name: str) -> _ScenarioFile:
    if not _SCENARIO_NAME.match(name):
        raise LabError(_("invalid scenario name {name!r}").format(name=name))
    entry = _scenario_dir() / f"{name}.yaml"
    if not entry.is_file():
        raise LabError(_("unknown scenario {name!r}; 'homediag lab list' shows them").format(name=name))
    return parse_scenario_text(entry.read_text(encoding="utf-8"), source=f"{name}.yaml")


def parse_scenario_text(text: str, *, source: str) -> _ScenarioFile:
    """Validate the text of one scenario file (no inheritance resolved yet)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise LabError(_("{source}: not valid YAML").format(source=source)) from None
    if not isinstance(data, dict):
        raise LabError(_("{source}: a scenario must be a mapping").format(source=source))
    try:
        raw = _ScenarioFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise LabError(
            _("{source}: {key}: {message}").format(source=source, key=key, message=first["msg"])
        ) from None
    bad = [key for key in raw.devices if not _DEVICE_ID.match(key)]
    if bad:
        raise LabError(
            _("{source}: device id {id!r} must be 1-10 lowercase letters and digits").format(
                source=source, id=bad[0]
            )
        )
    return raw


def load_scenario(name: str) -> Scenario:
    """Load a shipped scenario by name, resolving ``extends`` and expanding plain hosts.

    The names of its faults are checked where the faults are known (:func:`homediag.lab.lab.Lab.up`
    and the tests), so this module needs no import of the faults.
    """
    chain: list[_ScenarioFile] = []
    current: str | None = name
    while current is not None:
        if any(item.name == current for item in chain):
            raise LabError(_("scenario {name!r} extends itself").format(name=current))
        raw = _raw(current)
        if raw.name != current:
            raise LabError(_("{file}.yaml declares the name {name!r}").format(file=current, name=raw.name))
        chain.append(raw)
        current = raw.extends
    devices: dict[str, DeviceSpec] = {}
    plain = 0
    for raw in reversed(chain):
        devices.update(raw.devices)
        if raw.plain_hosts is not None:
            plain = raw.plain_hosts
    top = chain[0]
    check_devices(name, devices)
    devices.update(generated_hosts(plain, taken=devices))
    return Scenario(
        name=top.name,
        description=top.description,
        faults=top.faults,
        complaint=top.complaint,
        expect=top.expect,
        devices=devices,
        plain_hosts=plain,
    )


RESERVED_IDS = frozenset({"isp", "inet", "hosts"})
"""Namespaces of the lab that are not devices."""


def check_devices(name: str, devices: dict[str, DeviceSpec], addresses: AddressPlan = DEFAULT_PLAN) -> None:
    """Refuse devices a lab cannot build: the router and client missing or misplaced, reserved ids,
    addresses outside the LAN, shared addresses or MACs."""
    for role in (Role.ROUTER, Role.CLIENT):
        keys = [key for key, dev in devices.items() if dev.role is role]
        if keys != [str(role)]:
            raise LabError(
                _("scenario {name!r} needs exactly one {role} device, with the id {role!r}").format(
                    name=name, role=str(role)
                )
            )
    for key, dev in devices.items():
        if key in RESERVED_IDS or (
            key in ("router", "client") and dev.role not in (Role.ROUTER, Role.CLIENT)
        ):
            raise LabError(_("scenario {name!r}: {id!r} is reserved for the lab").format(name=name, id=key))
    seen_ip: dict[IPv4Address, str] = {}
    seen_mac: dict[str, str] = {}
    for key, dev in devices.items():
        if not addresses.in_lan(dev.ip):
            raise LabError(
                _("scenario {name!r}: device {id} has an address outside {lan}").format(
                    name=name, id=key, lan=addresses.lan
                )
            )
        if dev.role in (Role.IP_CONFLICT, Role.LAN_CONFLICT):
            continue  # it claims someone else's address on purpose
        if dev.ip in seen_ip:
            raise LabError(
                _("scenario {name!r}: devices {a} and {b} share {ip}").format(
                    name=name, a=seen_ip[dev.ip], b=key, ip=dev.ip
                )
            )
        if dev.mac in seen_mac:
            raise LabError(
                _("scenario {name!r}: devices {a} and {b} share {mac}").format(
                    name=name, a=seen_mac[dev.mac], b=key, mac=dev.mac
                )
            )
        seen_ip[dev.ip] = key
        seen_mac[dev.mac] = key
    router = next(dev for dev in devices.values() if dev.role is Role.ROUTER)
    client = next(dev for dev in devices.values() if dev.role is Role.CLIENT)
    if router.ip != addresses.router or client.ip != addresses.client:
        raise LabError(
            _("scenario {name!r}: the router must be {r} and the client {c}").format(
                name=name, r=addresses.router, c=addresses.client
            )
        )
