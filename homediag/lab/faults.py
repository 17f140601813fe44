"""Faults: each can be switched on and off on a running lab, and most combine.

A fault changes the lab the way the real problem would: a cable pulled (a bridge port down), a DHCP
option changed (dnsmasq re-reads it on SIGHUP, and the client renews as if it reconnected), nftables
rules (loss with ``numgen random``, blocked DNS, UDP or multicast, a captive portal redirect), ``tc
tbf`` rate limits, a second router or a carrier NAT in front of the router, a rogue DHCP server, a
device answering for the client's address, an IPP Pause-Printer. Rules live in a table of their own
per fault, so removing a fault is deleting its table.

Faults work on every home (:mod:`homediag.lab.home`): each one reads the home's addresses, and a fault
that cannot apply to a home (a printer fault in a home without a printer, ``upnp-off`` where UPnP is
off already) says why (:meth:`Fault.unavailable`) and is never drawn there. The codes a fault should
produce can depend on the home too (:meth:`Fault.codes_on`). Which two faults can be on together is
declared in :data:`PAIRS`, never guessed.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources

from homediag.core.errors import LabError
from homediag.core.i18n import N_, _
from homediag.lab import plan, services, system, topology
from homediag.lab.home import HomeProfile
from homediag.lab.runtime import Runtime
from homediag.lab.scenario import DeviceSpec, Role, Scenario
from homediag.lab.topology import BRIDGE, CLIENT, HOSTS, INET, ISP, ROUTER, WAN

LOSS_PERCENT = 10
"""Chance that the router drops each packet (each way) with ``wan-loss`` or ``lan-loss``."""
MTU_SMALL = 1400


@dataclass(frozen=True)
class HomeView:
    """What a fault needs to know about a home: its profile and its devices."""

    profile: HomeProfile
    scenario: Scenario

    def has(self, role: Role) -> bool:
        """Whether the home has a device with ``role``."""
        return self.scenario.device(role) is not None


@dataclass(frozen=True)
class FaultCodes:
    """The codes a fault should produce on one home, and those it may produce as well."""

    expected: tuple[str, ...]
    tolerated: tuple[str, ...] = ()
    """Codes that are a true consequence of the fault on this home (IPv6 goes down with the line)."""


Requirement = Callable[[HomeView], str | None]
"""Why a fault cannot apply to a home (a reason in English), or None when it can."""


@dataclass(frozen=True)
class Fault:
    """A fault the lab can inject."""

    name: str
    summary: str
    """What it simulates (English; translated when shown)."""
    codes: tuple[str, ...]
    """The problem codes homediag should find while it is on (in the classic home)."""
    apply: Callable[[Runtime], None]
    revert: Callable[[Runtime], None]
    conflicts: frozenset[str] = field(default_factory=frozenset)
    complaint: str = "checkup"
    """What a customer with this fault would complain of (``checkup`` when nothing shows)."""
    requires: tuple[Requirement, ...] = ()
    also: Callable[[HomeView], tuple[str, ...]] | None = None
    """Codes this fault may also produce on a home, as a true consequence (tolerated, not required)."""
    checkup_only: bool = False
    """Only a checkup must find it: its code names the client's own trouble in the complaint playbooks
    (``ip.conflict`` of the client's address), while this fault is another device's."""

    def unavailable(self, home: HomeView) -> str | None:
        """Why this fault cannot apply to ``home``, or None when it can."""
        for requirement in self.requires:
            reason = requirement(home)
            if reason is not None:
                return reason
        return None

    def codes_on(self, home: HomeView) -> FaultCodes:
        """The codes this fault should produce on ``home``."""
        return FaultCodes(self.codes, self.also(home) if self.also else ())

    def complaint_on(self, home: HomeView) -> str:
        """What a customer of ``home`` would complain of with this fault."""
        if self.complaint in ("printer", "cast", "smart-home") and not _has_target(home, self.complaint):
            for other in ("printer", "cast", "smart-home"):
                if _has_target(home, other):
                    return other
            return "checkup"
        return self.complaint


def _has_target(home: HomeView, complaint: str) -> bool:
    roles = {
        "printer": (Role.PRINTER,),
        "cast": (Role.CAST, Role.DLNA),
        "smart-home": (Role.HUE, Role.HOMEKIT, Role.MATTER, Role.MQTT),
    }[complaint]
    return any(home.has(role) for role in roles)


def _needs(role: Role, what: str) -> Requirement:
    def check(home: HomeView) -> str | None:
        return None if home.has(role) else f"the home has no {what}"

    return check


def _needs_multicast(home: HomeView) -> str | None:
    announcing = any(
        dev.role not in (Role.ROUTER, Role.CLIENT, Role.HOST) for dev in home.scenario.devices.values()
    )
    if announcing or home.profile.router.upnp:
        return None
    return "nothing on the home's LAN announces itself by mDNS or SSDP"


def _needs_path(*paths: str) -> Requirement:
    def check(home: HomeView) -> str | None:
        if home.profile.isp.path in paths:
            return None
        return f"the home's provider path is {home.profile.isp.path} already"

    return check


def _needs_upnp(home: HomeView) -> str | None:
    return None if home.profile.router.upnp else "UPnP IGD is off on this home's router already"


def _needs_tls_admin(home: HomeView) -> str | None:
    if home.profile.router.admin == "http":
        return "this home's router serves its admin page over plain HTTP already"
    return None


def _needs_closed_broker(home: HomeView) -> str | None:
    if not home.has(Role.MQTT):
        return "the home has no MQTT broker"
    if home.profile.mqtt_anonymous:
        return "this home's MQTT broker accepts anonymous clients already"
    return None


def _needs_conflict_target(home: HomeView) -> str | None:
    return (
        None if conflict_target(home.scenario) is not None else "the home has no device with a fixed address"
    )


def _ipv6_goes_too(home: HomeView) -> tuple[str, ...]:
    return ("ipv6.broken",) if home.profile.router.ipv6 else ()


CONFLICT_TARGETS = ("nas", "printer", "tv", "hue", "pi", "thermo", "plug")
"""Whose address ``lan-ip-conflict`` takes, the first present (a NAS given a fixed address by hand)."""


def conflict_target(scenario: Scenario) -> tuple[str, DeviceSpec] | None:
    """The device whose address the ``lan-ip-conflict`` device claims in ``scenario``."""
    for key in CONFLICT_TARGETS:
        dev = scenario.devices.get(key)
        if dev is not None and dev.role not in (Role.HOST, Role.ROUTER, Role.CLIENT):
            return key, dev
    return None


# --- helpers -------------------------------------------------------------------------------------


def _table(
    ns_role: str, family: str, name: str, body: str
) -> tuple[Callable[[Runtime], None], Callable[[Runtime], None]]:
    """apply/revert that add and delete one nftables table."""

    def apply(rt: Runtime) -> None:
        system.nft(rt.ns(ns_role), f"table {family} {name} {{\n{body}\n}}\n")

    def revert(rt: Runtime) -> None:
        system.run(["nft", "delete", "table", family, name], ns=rt.ns(ns_role), check=False)

    return apply, revert


def _device(rt: Runtime, role: Role) -> tuple[str, DeviceSpec]:
    found = rt.scenario.device(role)
    if found is None:
        raise LabError(_("this scenario has no {role} device").format(role=str(role)))
    return found


def client_reconnect(rt: Runtime, *, expect_lease: bool = True, timeout: float | None = None) -> None:
    """Make the client release its lease and ask again, as after reconnecting.

    Waits for the new lease when ``expect_lease``, else only for the release.
    """
    timeout = timeout if timeout is not None else 10.0 + 3 * services.dhcp_wait_s(rt)
    lease = services.lease_file(rt)
    lease.unlink(missing_ok=True)
    rt.signal("client.udhcpc", signal.SIGUSR2)
    if not system.wait_until(lambda: system.file_contains(lease, "event=deconfig"), timeout=3):
        raise LabError(_("the client did not release its DHCP lease"))
    lease.unlink(missing_ok=True)
    rt.signal("client.udhcpc", signal.SIGUSR1)
    if expect_lease and not system.wait_until(
        lambda: system.file_contains(lease, "event=bound"), timeout=timeout
    ):
        raise LabError(_("the client got no DHCP lease within {s:.0f} s").format(s=timeout))


def _dhcp_dns(mode: str) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        services.write_dhcp_opts(rt, mode)
        rt.signal("router.dnsmasq", signal.SIGHUP)
        client_reconnect(rt)

    return switch


def _tc(ns_role: str, dev: str, spec: str | None) -> Callable[[Runtime], None]:
    def apply(rt: Runtime) -> None:
        if spec is None:
            system.run(["tc", "qdisc", "del", "dev", dev, "root"], ns=rt.ns(ns_role), check=False)
        else:
            system.run(["tc", "qdisc", "replace", "dev", dev, "root", *spec.split()], ns=rt.ns(ns_role))

    return apply


def _both(*steps: Callable[[Runtime], None]) -> Callable[[Runtime], None]:
    def run(rt: Runtime) -> None:
        for step in steps:
            step(rt)

    return run


# --- link and WAN --------------------------------------------------------------------------------


def _link(up: bool) -> Callable[[Runtime], None]:
    return lambda rt: topology.set_port(rt, "client", up=up)


def _wan(up: bool) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        system.run(["ip", "-n", rt.ns(ISP), "link", "set", "cust", "up" if up else "down"])
        if up:
            system.wait_links_up([(rt.ns(ISP), "cust"), (rt.ns(ROUTER), WAN)])
            topology.restore_isp_routes(rt)

    return switch


def _wan_mode(mode: str | None) -> Callable[[Runtime], None]:
    """Switch to WAN mode ``mode`` (None: back to the home's own path)."""

    def switch(rt: Runtime) -> None:
        topology.set_wan_mode(rt, mode or rt.profile.wan_mode)
        if rt.running("router.upnp"):  # it learnt the old WAN address
            rt.stop("router.upnp")
            rt.start([services.upnp_spec(rt)])

    return switch


def _mtu(size: int) -> Callable[[Runtime], None]:
    def apply(rt: Runtime) -> None:
        system.run(["ip", "-n", rt.ns(ROUTER), "link", "set", WAN, "mtu", str(size)])
        system.run(["ip", "-n", rt.ns(ISP), "link", "set", "cust", "mtu", str(size)])

    return apply


_DROP_FRAG_NEEDED = """
    chain output {
        type filter hook output priority 0; policy accept;
        icmp type destination-unreachable icmp code frag-needed drop
    }
"""
_mtu_router_on, _mtu_router_off = _table(ROUTER, "inet", "f_mtu", _DROP_FRAG_NEEDED)
_mtu_isp_on, _mtu_isp_off = _table(ISP, "inet", "f_mtu", _DROP_FRAG_NEEDED)

# --- router services -----------------------------------------------------------------------------

_dns_down_on, _dns_down_off = _table(
    ROUTER,
    "inet",
    "f_dns_down",
    f"""
    chain input {{
        type filter hook input priority -10; policy accept;
        iifname "{BRIDGE}" udp dport 53 drop
        iifname "{BRIDGE}" tcp dport 53 drop
    }}""",
)

_dns_slow_on, _dns_slow_off = _table(
    ROUTER,
    "ip",
    "f_dns_slow",
    f"""
    chain output {{
        type nat hook output priority -100; policy accept;
        ip daddr {plan.DNS_SERVER} udp dport 53 dnat to {plan.DNS_SLOW_SERVER}
        ip daddr {plan.DNS_SERVER} tcp dport 53 dnat to {plan.DNS_SLOW_SERVER}
    }}""",
)

_dhcp_block_on, _dhcp_block_off = _table(
    ROUTER,
    "inet",
    "f_dhcp_down",
    f"""
    chain input {{
        type filter hook input priority -10; policy accept;
        iifname "{BRIDGE}" udp dport 67 drop
    }}""",
)


def _dhcp_down_on(rt: Runtime) -> None:
    _dhcp_block_on(rt)
    client_reconnect(rt, expect_lease=False)


def _dhcp_down_off(rt: Runtime) -> None:
    _dhcp_block_off(rt)
    lease = services.lease_file(rt)
    lease.unlink(missing_ok=True)
    rt.signal("client.udhcpc", signal.SIGUSR1)
    wait = 10.0 + 3 * services.dhcp_wait_s(rt)
    if not system.wait_until(lambda: system.file_contains(lease, "event=bound"), timeout=wait):
        raise LabError(_("the client got no DHCP lease after DHCP came back"))


def _upnp_off(rt: Runtime) -> None:
    rt.stop("router.upnp")


def _upnp_on(rt: Runtime) -> None:
    if not rt.running("router.upnp"):
        rt.start([services.upnp_spec(rt)])


def _portal_on(rt: Runtime) -> None:
    router = rt.plan.router
    body = f"""
    chain prerouting {{
        type nat hook prerouting priority -110; policy accept;
        iifname "{BRIDGE}" ip daddr != {router} tcp dport 80 dnat to {router}:8080
    }}"""
    system.nft(rt.ns(ROUTER), f"table ip f_portal {{\n{body}\n}}\n")


def _portal_off(rt: Runtime) -> None:
    system.run(["nft", "delete", "table", "ip", "f_portal"], ns=rt.ns(ROUTER), check=False)


def _admin_http(on: bool) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        flag = rt.dir("router") / "admin-plain"
        if on:
            flag.touch()
        else:
            flag.unlink(missing_ok=True)
        if rt.profile.router.admin == "https":  # port 80 opens (or closes) with the fault
            rt.stop("router.web")
            rt.start([services.router_web_spec(rt)])

    return switch


_udp_on, _udp_off = _table(
    ROUTER,
    "inet",
    "f_udp_blocked",
    f"""
    chain forward {{
        type filter hook forward priority -10; policy accept;
        oifname "{WAN}" udp dport != 53 drop
    }}""",
)

_wan_loss_on, _wan_loss_off = _table(
    ROUTER,
    "inet",
    "f_wan_loss",
    f"""
    chain prerouting {{
        type filter hook prerouting priority -300; policy accept;
        iifname "{WAN}" numgen random mod 100 < {LOSS_PERCENT} drop
    }}
    chain postrouting {{
        type filter hook postrouting priority 300; policy accept;
        oifname "{WAN}" numgen random mod 100 < {LOSS_PERCENT} drop
    }}""",
)

_CLIENT_PORT = topology.port_name("client")

_lan_loss_on, _lan_loss_off = _table(
    ROUTER,
    "bridge",
    "f_lan_loss",
    f"""
    chain prerouting {{
        type filter hook prerouting priority 0; policy accept;
        iifname "{_CLIENT_PORT}" numgen random mod 100 < {LOSS_PERCENT} drop
    }}
    chain postrouting {{
        type filter hook postrouting priority 0; policy accept;
        oifname "{_CLIENT_PORT}" numgen random mod 100 < {LOSS_PERCENT} drop
    }}""",
)

# --- LAN -----------------------------------------------------------------------------------------

_isolation_on, _isolation_off = _table(
    ROUTER,
    "bridge",
    "f_isolation",
    f"""
    chain forward {{
        type filter hook forward priority 0; policy accept;
        iifname "{_CLIENT_PORT}" drop
        oifname "{_CLIENT_PORT}" drop
    }}""",
)

_MCAST6 = "{ ff02::fb, ff02::c, ff05::c }"
_multicast_on, _multicast_off = _table(
    ROUTER,
    "bridge",
    "f_multicast",
    f"""
    chain forward {{
        type filter hook forward priority 0; policy accept;
        iifname "{_CLIENT_PORT}" ip daddr 224.0.0.0/4 drop
        oifname "{_CLIENT_PORT}" ip daddr 224.0.0.0/4 drop
        iifname "{_CLIENT_PORT}" ip6 daddr {_MCAST6} drop
        oifname "{_CLIENT_PORT}" ip6 daddr {_MCAST6} drop
    }}""",
)


def _printer_port(up: bool) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        key, _dev = _device(rt, Role.PRINTER)
        topology.set_port(rt, key, up=up)

    return switch


def _printer_moved(moved: bool) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        _key, dev = _device(rt, Role.PRINTER)
        services.set_print_queue(rt, str(rt.plan.moved_from) if moved else str(dev.ip))

    return switch


MOVED_FROM = plan.DEFAULT_PLAN.moved_from
"""Where the classic lab's queue still prints with ``printer-moved`` (each home has its own)."""


def _printer_pause(pause: bool) -> Callable[[Runtime], None]:
    test = "pause-printer.test" if pause else "resume-printer.test"

    def switch(rt: Runtime) -> None:
        key, _dev = _device(rt, Role.PRINTER)
        path = resources.files("homediag.lab") / "files" / test
        system.run(["ipptool", "-T", "5", "ipp://127.0.0.1:631/ipp/print", str(path)], ns=rt.ns(key))

    return switch


DEFAULT_ROGUE = DeviceSpec.model_validate(
    {
        "role": "rogue-dhcp",
        "kind": "router",
        "vendor": "TP-LINK TECHNOLOGIES CO.,LTD.",
        "ip": "10.77.0.3",
        "mac": "50:c7:bf:77:00:03",
        "name": "TL-WR802N",
    }
)
"""The rogue DHCP server when the scenario names none (a travel router)."""
DEFAULT_CONFLICT = DeviceSpec.model_validate(
    {
        "role": "ip-conflict",
        "kind": "phone",
        "vendor": "Apple, Inc.",
        "ip": str(plan.CLIENT_IP),
        "mac": "8c:85:90:77:00:99",
        "name": "Kids iPhone",
    }
)
"""The device claiming the client's address when the scenario names none."""


DEFAULT_LAN_CONFLICT = DeviceSpec.model_validate(
    {
        "role": "lan-conflict",
        "kind": "computer",
        "vendor": "Apple, Inc.",
        "ip": "10.77.0.12",
        "mac": "8c:85:90:77:00:98",
        "name": "Old MacBook",
    }
)
"""The device given the NAS's address by hand when the scenario names none."""


def _fault_device(rt: Runtime, role: Role, default: DeviceSpec, key: str) -> tuple[str, DeviceSpec]:
    found = rt.scenario.device(role)
    if found is not None:
        return found
    if role is Role.ROGUE_DHCP:
        return key, default.model_copy(update={"ip": rt.plan.rogue})
    if role is Role.IP_CONFLICT:
        return key, default.model_copy(update={"ip": rt.plan.client})
    target = conflict_target(rt.scenario)
    if target is None:
        raise LabError(_("this home has no device whose address another could take"))
    return key, default.model_copy(update={"ip": target[1].ip})


def _rogue_on(rt: Runtime) -> None:
    key, dev = _fault_device(rt, Role.ROGUE_DHCP, DEFAULT_ROGUE, "rogue")
    net = rt.plan.rogue_net()
    topology.add_device_ns(
        rt, key, dev, extra=[f"addr add {net.network_address + 1}/{net.prefixlen} dev eth0"]
    )
    rt.start([services.rogue_dhcp_spec(rt, key)])


def _rogue_off(rt: Runtime) -> None:
    key, _dev = _fault_device(rt, Role.ROGUE_DHCP, DEFAULT_ROGUE, "rogue")
    rt.stop(f"{key}.dnsmasq")
    topology.remove_device_ns(rt, key)


_CONFLICT_IF = "dup"
_CONFLICT_TABLE = 999


def _conflict_on(rt: Runtime) -> None:
    _key, dev = _fault_device(rt, Role.IP_CONFLICT, DEFAULT_CONFLICT, "phone")
    dev = dev.model_copy(update={"ip": rt.plan.client})
    system.ip_batch(topology.host_lines(_CONFLICT_IF, dev, rt.plan, table=_CONFLICT_TABLE), ns=rt.ns(HOSTS))


def _conflict_off(rt: Runtime) -> None:
    _key, dev = _fault_device(rt, Role.IP_CONFLICT, DEFAULT_CONFLICT, "phone")
    dev = dev.model_copy(update={"ip": rt.plan.client})
    lines = topology.remove_host_lines(_CONFLICT_IF, dev, table=_CONFLICT_TABLE)
    for line in lines:
        system.run(["ip", "-n", rt.ns(HOSTS), *line.split()], check=False)


_LAN_CONFLICT_IF = "dup2"
_LAN_CONFLICT_TABLE = 998


def _lan_conflict_on(rt: Runtime) -> None:
    _key, dev = _fault_device(rt, Role.LAN_CONFLICT, DEFAULT_LAN_CONFLICT, "oldmac")
    lines = topology.host_lines(_LAN_CONFLICT_IF, dev, rt.plan, table=_LAN_CONFLICT_TABLE)
    system.ip_batch(lines, ns=rt.ns(HOSTS))


def _lan_conflict_off(rt: Runtime) -> None:
    _key, dev = _fault_device(rt, Role.LAN_CONFLICT, DEFAULT_LAN_CONFLICT, "oldmac")
    for line in topology.remove_host_lines(_LAN_CONFLICT_IF, dev, table=_LAN_CONFLICT_TABLE):
        system.run(["ip", "-n", rt.ns(HOSTS), *line.split()], check=False)


def _mqtt_anonymous(on: bool) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        key, _dev = _device(rt, Role.MQTT)
        rt.stop(f"{key}.mosquitto")
        rt.start([services.mosquitto_spec(rt, key, anonymous=on or rt.profile.mqtt_anonymous)])

    return switch


def wait_client_ipv6(rt: Runtime, timeout: float = 8.0) -> None:
    """Wait until the client has configured the home's advertised IPv6 prefix."""
    client = rt.ns(CLIENT)
    prefix = str(rt.plan.lan_v6.network_address).rstrip(":")

    def has_global() -> bool:
        out = system.run(
            ["ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"],
            ns=client,
            check=False,
        ).stdout
        return f" {prefix}:" in out and "tentative" not in out

    if not system.wait_until(has_global, timeout=timeout, interval=0.1):
        raise LabError(_("the client did not configure the advertised IPv6 prefix"))


_v6_cut_on, _v6_cut_off = _table(
    ROUTER,
    "ip6",
    "f_ipv6_broken",
    f"""
    chain forward {{
        type filter hook forward priority -10; policy accept;
        oifname "{WAN}" drop
        iifname "{WAN}" drop
    }}""",
)


def _ipv6_on(rt: Runtime) -> None:
    if rt.profile.router.ipv6:  # the home's IPv6 works: its router stops forwarding it
        _v6_cut_on(rt)
        return
    router = rt.ns(ROUTER)
    system.run(
        [
            "ip",
            "-6",
            "addr",
            "add",
            f"{rt.plan.router_v6}/{rt.plan.lan_v6.prefixlen}",
            "dev",
            BRIDGE,
            "nodad",
        ],
        ns=router,
    )
    system.sysctl(router, {"net.ipv6.conf.all.forwarding": 1})
    rt.start([services.ra_spec(rt)])
    wait_client_ipv6(rt)


def _ipv6_off(rt: Runtime) -> None:
    if rt.profile.router.ipv6:
        _v6_cut_off(rt)
        return
    router = rt.ns(ROUTER)
    rt.stop("router.ra")
    system.run(
        ["ip", "-6", "addr", "del", f"{rt.plan.router_v6}/{rt.plan.lan_v6.prefixlen}", "dev", BRIDGE],
        ns=router,
        check=False,
    )
    system.sysctl(router, {"net.ipv6.conf.all.forwarding": 0})
    client = rt.ns(CLIENT)
    system.run(["ip", "-6", "addr", "flush", "dev", "eth0", "scope", "global"], ns=client, check=False)
    system.run(["ip", "-6", "route", "flush", "default"], ns=client, check=False)


# The queues sit where traffic is forwarded (the ISP's side of the line for downloads, the router's
# WAN for uploads), as on a real line: a sender's own qdisc would be kept short by TCP small queues.
_DOWN_SLOW = "tbf rate 5mbit burst 32kb latency 50ms"
_UP_SLOW = "tbf rate 1mbit burst 16kb latency 50ms"
_BLOAT = "tbf rate {rate}mbit burst {burst}kb latency 1000ms"

RATE_FAULTS = frozenset({"wan-slow", "bufferbloat"})
"""Faults that own the line's qdiscs (a line rate set by :func:`set_line_rate` would clash)."""


def line_rate_specs(down_mbit: float, up_mbit: float) -> tuple[str, str]:
    """``tc`` specs that limit the line as ``wan-slow`` does (50 ms of queue), at other rates.

    Both directions get a 32 KiB bucket: with ``wan-slow``'s 16 KiB upload bucket, speed tests at
    20 Mbit/s measured the upload 30-40 % low in one run of three."""
    for rate in (down_mbit, up_mbit):
        if not 0.1 <= rate <= 10_000:
            message = _("a line rate must be between 0.1 and 10000 Mbit/s, not {rate:g}")
            raise LabError(message.format(rate=rate))
    return (
        f"tbf rate {down_mbit:g}mbit burst 32kb latency 50ms",
        f"tbf rate {up_mbit:g}mbit burst 32kb latency 50ms",
    )


BLOAT_DOWN_MBIT = 20
"""The line's rate with ``bufferbloat`` (20 / 4 Mbit/s): on faster lines the lab's TCP windows keep the
queue short, so the deep buffer sits on a line of this rate."""


def _bloat_on(rt: Runtime) -> None:
    """Deep buffers (a second of queue) on a 20 / 4 Mbit/s line."""
    _both(
        _tc(ISP, "cust", _BLOAT.format(rate=BLOAT_DOWN_MBIT, burst=32)),
        _tc(ROUTER, WAN, _BLOAT.format(rate=4, burst=16)),
    )(rt)


def _bloat_slows(home: HomeView) -> tuple[str, ...]:
    """On a home whose plan is over twice the bufferbloat line's rate, the line is slow too."""
    plan_mbps = home.profile.download_mbps
    return ("wan.slow",) if plan_mbps is not None and plan_mbps / 2 > BLOAT_DOWN_MBIT else ()


def home_line(rt: Runtime) -> None:
    """The home's own line: its rate (``tc tbf``), or no limit; what a rate fault leaves behind."""
    isp = rt.profile.isp
    if isp.down_mbit is None or isp.up_mbit is None:
        _both(_tc(ISP, "cust", None), _tc(ROUTER, WAN, None))(rt)
        return
    down, up = line_rate_specs(isp.down_mbit, isp.up_mbit)
    _both(_tc(ISP, "cust", down), _tc(ROUTER, WAN, up))(rt)


def home_delay(rt: Runtime) -> str | None:
    """The home's base round trip to the internet with ``tc netem`` (half each way between the ISP
    and the internet); a note saying why not where the kernel has no netem."""
    rtt = rt.profile.isp.rtt_ms
    if rtt <= 0:
        return None
    half = f"{rtt / 2:g}ms"
    try:
        system.run(
            ["tc", "qdisc", "replace", "dev", "uplink", "root", "netem", "delay", half, "limit", "10000"],
            ns=rt.ns(ISP),
        )
        system.run(
            ["tc", "qdisc", "replace", "dev", "isp", "root", "netem", "delay", half, "limit", "10000"],
            ns=rt.ns(INET),
        )
    except LabError as exc:  # a kernel without sch_netem: said in the lab's state, never hidden
        return f"base round trip of {rtt} ms not applied (tc netem: {str(exc).rsplit(': ', 1)[-1]})"
    return None


def set_line_rate(rt: Runtime, down_mbit: float | None, up_mbit: float | None = None) -> None:
    """Limit the internet line to ``down_mbit`` / ``up_mbit`` (``up`` defaults to ``down``), or lift
    the limit with None. Not a fault: a fast enough line is no problem (benchmarks use it)."""
    clash = sorted(RATE_FAULTS & set(rt.state.faults))
    if clash:
        raise LabError(_("the line rate cannot be set while {fault} is on").format(fault=clash[0]))
    if down_mbit is None:
        home_line(rt)  # the home's own line again (no limit in the classic lab)
        return
    down, up = line_rate_specs(down_mbit, up_mbit if up_mbit is not None else down_mbit)
    _both(_tc(ISP, "cust", down), _tc(ROUTER, WAN, up))(rt)


_BASE: dict[str, Fault] = {
    fault.name: fault
    for fault in [
        Fault(
            "link-down",
            N_("the client's cable is unplugged (no link)"),
            ("link.no-connection",),
            _link(False),
            _link(True),
        ),
        Fault(
            "wan-down",
            N_("the router's internet line is down"),
            ("wan.down",),
            _wan(False),
            _wan(True),
        ),
        Fault(
            "dns-down",
            N_("the router's DNS server does not answer"),
            ("dns.server-unreachable",),
            _dns_down_on,
            _dns_down_off,
        ),
        Fault(
            "dhcp-dead-dns",
            N_("DHCP hands out a DNS server that does not exist"),
            ("dns.server-unreachable",),
            _dhcp_dns("dead-dns"),
            _dhcp_dns("normal"),
            frozenset({"dhcp-no-dns", "dhcp-down"}),
        ),
        Fault(
            "dhcp-no-dns",
            N_("DHCP hands out no DNS server at all"),
            ("dns.no-resolver",),
            _dhcp_dns("no-dns"),
            _dhcp_dns("normal"),
            frozenset({"dhcp-dead-dns", "dhcp-down"}),
        ),
        Fault(
            "dhcp-down",
            N_("the router's DHCP server does not answer"),
            ("dhcp.no-lease",),
            _dhcp_down_on,
            _dhcp_down_off,
            frozenset({"dhcp-dead-dns", "dhcp-no-dns"}),
        ),
        Fault(
            "lan-loss",
            N_("the client's link to the router loses packets at random"),
            ("lan.packet-loss",),
            _lan_loss_on,
            _lan_loss_off,
        ),
        Fault(
            "wan-loss",
            N_("the internet line loses packets at random"),
            ("wan.packet-loss",),
            _wan_loss_on,
            _wan_loss_off,
        ),
        Fault(
            "wan-slow",
            N_("the internet line is slow (5 Mbit/s down, 1 Mbit/s up)"),
            ("wan.slow",),
            _both(_tc(ISP, "cust", _DOWN_SLOW), _tc(ROUTER, WAN, _UP_SLOW)),
            home_line,
            frozenset({"bufferbloat"}),
        ),
        Fault(
            "bufferbloat",
            N_("the line's buffers are deep: latency climbs under load"),
            ("wan.bufferbloat",),
            _bloat_on,
            home_line,
            frozenset({"wan-slow"}),
        ),
        Fault(
            "upnp-off",
            N_("UPnP IGD is switched off on the router"),
            ("upnp.igd-unavailable",),
            _upnp_off,
            _upnp_on,
        ),
        Fault(
            "udp-blocked",
            N_("UDP to the internet is blocked, except DNS"),
            ("wan.udp-blocked",),
            _udp_on,
            _udp_off,
        ),
        Fault(
            "printer-offline",
            N_("the printer is unplugged"),
            ("printer.offline",),
            _printer_port(False),
            _printer_port(True),
        ),
        Fault(
            "printer-paused",
            N_("the printer is paused (IPP Pause-Printer)"),
            ("printer.stopped",),
            _printer_pause(True),
            _printer_pause(False),
        ),
        Fault(
            "printer-moved",
            N_("the printer got a new address; this computer's queue still prints to the old one"),
            ("printer.address-changed",),
            _printer_moved(True),
            _printer_moved(False),
        ),
        Fault(
            "client-isolation",
            N_("the client is isolated from the other LAN devices"),
            ("lan.client-isolation",),
            _isolation_on,
            _isolation_off,
        ),
        Fault(
            "multicast-blocked",
            N_("multicast (mDNS, SSDP) does not reach the client"),
            ("lan.multicast-blocked",),
            _multicast_on,
            _multicast_off,
        ),
        Fault(
            "double-nat",
            N_("a second router in front does NAT too"),
            ("wan.double-nat",),
            _wan_mode("double-nat"),
            _wan_mode(None),
            frozenset({"cgnat"}),
        ),
        Fault(
            "cgnat",
            N_("the provider uses carrier-grade NAT (100.64.0.0/10)"),
            ("wan.cgnat",),
            _wan_mode("cgnat"),
            _wan_mode(None),
            frozenset({"double-nat"}),
        ),
        Fault(
            "dhcp-rogue",
            N_("a second DHCP server answers on the LAN"),
            ("dhcp.rogue-server",),
            _rogue_on,
            _rogue_off,
        ),
        Fault(
            "ip-conflict",
            N_("another device answers for the client's address"),
            ("ip.conflict",),
            _conflict_on,
            _conflict_off,
        ),
        Fault(
            "lan-ip-conflict",
            N_("a device with a fixed address answers for another LAN device's address"),
            ("ip.conflict",),
            _lan_conflict_on,
            _lan_conflict_off,
        ),
        Fault(
            "captive-portal",
            N_("web traffic is redirected to a login page"),
            ("wan.captive-portal",),
            _portal_on,
            _portal_off,
        ),
        Fault(
            "mtu-blackhole",
            N_("the WAN MTU is small and ICMP fragmentation-needed is dropped"),
            ("wan.mtu-blackhole",),
            _both(_mtu(MTU_SMALL), _mtu_router_on, _mtu_isp_on),
            _both(_mtu(1500), _mtu_router_off, _mtu_isp_off),
        ),
        Fault(
            "dns-slow",
            N_("DNS answers take about 0.8 s"),
            ("dns.slow",),
            _dns_slow_on,
            _dns_slow_off,
        ),
        Fault(
            "ipv6-broken",
            N_("IPv6 is advertised on the LAN but has no route to the internet"),
            ("ipv6.broken",),
            _ipv6_on,
            _ipv6_off,
        ),
        Fault(
            "admin-http",
            N_("the router's admin page is served over plain HTTP"),
            ("security.admin-http",),
            _admin_http(True),
            _admin_http(False),
        ),
        Fault(
            "mqtt-anonymous",
            N_("the MQTT broker accepts connections without credentials"),
            ("security.mqtt-anonymous",),
            _mqtt_anonymous(True),
            _mqtt_anonymous(False),
        ),
    ]
}


_PRINTER = _needs(Role.PRINTER, "printer")
_TRAITS: dict[str, tuple[str, tuple[Requirement, ...], Callable[[HomeView], tuple[str, ...]] | None]] = {
    "link-down": ("no-internet", (), _ipv6_goes_too),
    "wan-down": ("no-internet", (), _ipv6_goes_too),
    "dns-down": ("no-internet", (), None),
    "dhcp-dead-dns": ("no-internet", (), None),
    "dhcp-no-dns": ("no-internet", (), None),
    "dhcp-down": ("no-internet", (), None),
    "lan-loss": ("unstable-connection", (), None),
    "wan-loss": ("unstable-connection", (), None),
    "wan-slow": ("slow-internet", (), None),
    "bufferbloat": ("video-calls", (), _bloat_slows),
    "upnp-off": ("checkup", (_needs_upnp,), None),
    "udp-blocked": ("video-calls", (), None),
    "printer-offline": ("printer", (_PRINTER,), None),
    "printer-paused": ("printer", (_PRINTER,), None),
    "printer-moved": ("printer", (_PRINTER,), None),
    "client-isolation": ("printer", (), None),
    "multicast-blocked": ("cast", (_needs_multicast,), None),
    "double-nat": ("checkup", (_needs_path("public", "cable"),), None),
    "cgnat": ("checkup", (_needs_path("public", "cable"),), None),
    "dhcp-rogue": ("no-internet", (), None),
    "ip-conflict": ("unstable-connection", (), None),
    "lan-ip-conflict": ("checkup", (_needs_conflict_target,), None),
    "captive-portal": ("no-internet", (), None),
    "mtu-blackhole": ("no-internet", (), None),
    "dns-slow": ("slow-internet", (), None),
    "ipv6-broken": ("checkup", (), None),
    "admin-http": ("checkup", (_needs_tls_admin,), None),
    "mqtt-anonymous": ("smart-home", (_needs_closed_broker,), None),
}
"""Per fault: the customer's complaint, what a home needs for it, what else it may show there."""

FAULTS: dict[str, Fault] = {
    name: replace(
        fault,
        complaint=_TRAITS[name][0],
        requires=_TRAITS[name][1],
        also=_TRAITS[name][2],
        checkup_only=name == "lan-ip-conflict",
    )
    for name, fault in _BASE.items()
}
"""Every fault by name."""

PAIRS: tuple[tuple[str, str], ...] = (
    ("wan-loss", "printer-paused"),
    ("bufferbloat", "dns-slow"),
    ("wan-slow", "dns-slow"),
    ("wan-slow", "printer-paused"),
    ("wan-loss", "dns-slow"),
    ("wan-slow", "upnp-off"),
    ("wan-loss", "admin-http"),
    ("dns-slow", "printer-offline"),
    ("udp-blocked", "printer-moved"),
    ("udp-blocked", "dns-slow"),
    ("mtu-blackhole", "printer-paused"),
    ("captive-portal", "printer-paused"),
    ("ipv6-broken", "printer-paused"),
    ("ipv6-broken", "wan-slow"),
    ("double-nat", "wan-loss"),
    ("double-nat", "printer-paused"),
    ("cgnat", "dns-slow"),
    ("cgnat", "upnp-off"),
    ("dns-down", "printer-paused"),
    ("dhcp-dead-dns", "printer-moved"),
    ("dhcp-no-dns", "printer-paused"),
    ("dhcp-rogue", "wan-slow"),
    ("dhcp-rogue", "printer-paused"),
    ("ip-conflict", "printer-paused"),
    ("lan-ip-conflict", "wan-loss"),
    ("lan-loss", "printer-paused"),
    ("lan-loss", "dns-slow"),
    ("multicast-blocked", "wan-slow"),
    ("client-isolation", "wan-loss"),
    ("mqtt-anonymous", "wan-loss"),
    ("mqtt-anonymous", "printer-paused"),
    ("admin-http", "dns-slow"),
    ("upnp-off", "printer-offline"),
    ("bufferbloat", "printer-moved"),
    ("captive-portal", "dns-slow"),
    ("wan-loss", "udp-blocked"),
)
"""Two faults that can be on together: independent causes, neither hiding the other's symptom (a
pulled cable or a dead DHCP server hides everything behind it, so those never pair)."""


def pairs_on(home: HomeView) -> list[tuple[str, str]]:
    """The declared pairs whose two faults both apply to ``home``."""
    return [
        (a, b)
        for a, b in PAIRS
        if FAULTS[a].unavailable(home) is None and FAULTS[b].unavailable(home) is None
    ]


def faults_on(home: HomeView) -> list[str]:
    """The faults that apply to ``home``, by name."""
    return sorted(name for name, fault in FAULTS.items() if fault.unavailable(home) is None)


def check_fault(name: str) -> Fault:
    """The fault ``name``, or a ``LabError`` listing the known ones."""
    fault = FAULTS.get(name)
    if fault is None:
        raise LabError(
            _("unknown fault {name!r}; known: {names}").format(name=name, names=", ".join(sorted(FAULTS)))
        )
    return fault
