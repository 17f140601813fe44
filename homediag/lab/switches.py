"""How each fault changes a running lab, and back: the steps that switch faults on and off.

The catalogue of faults (what each is, where it applies, the codes it should produce) is in
:mod:`homediag.lab.faults`; this module holds the mechanics: bridge ports, dnsmasq options, nftables
tables (one per fault, so removing a fault is deleting its table), ``tc`` rate limits, extra daemons
(a rogue DHCP server, a device answering for another's address), IPP Pause-Printer, IPv6 on and off.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from importlib import resources

from homediag.core.errors import LabError
from homediag.core.i18n import _
from homediag.lab import devices, plan, services, system, topology
from homediag.lab.home import HomeView
from homediag.lab.runtime import Runtime
from homediag.lab.scenario import DeviceSpec, Role, Scenario
from homediag.lab.topology import BRIDGE, CLIENT, HOSTS, INET, ISP, ROUTER, WAN

MTU_SMALL = 1400

LOSS_PERCENT = 10
"""Chance that the router drops each packet (each way) with ``wan-loss`` or ``lan-loss``."""


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


def dhcp_dns(mode: str) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        services.write_dhcp_opts(rt, mode)
        rt.signal("router.dnsmasq", signal.SIGHUP)
        client_reconnect(rt)

    return switch


def tc(ns_role: str, dev: str, spec: str | None) -> Callable[[Runtime], None]:
    def apply(rt: Runtime) -> None:
        if spec is None:
            system.run(["tc", "qdisc", "del", "dev", dev, "root"], ns=rt.ns(ns_role), check=False)
        else:
            system.run(["tc", "qdisc", "replace", "dev", dev, "root", *spec.split()], ns=rt.ns(ns_role))

    return apply


def both(*steps: Callable[[Runtime], None]) -> Callable[[Runtime], None]:
    def run(rt: Runtime) -> None:
        for step in steps:
            step(rt)

    return run


# --- link and WAN --------------------------------------------------------------------------------


def link(up: bool) -> Callable[[Runtime], None]:
    return lambda rt: topology.set_port(rt, "client", up=up)


def wan(up: bool) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        system.run(["ip", "-n", rt.ns(ISP), "link", "set", "cust", "up" if up else "down"])
        if up:
            system.wait_links_up([(rt.ns(ISP), "cust"), (rt.ns(ROUTER), WAN)])
            topology.restore_isp_routes(rt)

    return switch


def wan_mode(mode: str | None) -> Callable[[Runtime], None]:
    """Switch to WAN mode ``mode`` (None: back to the home's own path)."""

    def switch(rt: Runtime) -> None:
        topology.set_wan_mode(rt, mode or rt.profile.wan_mode)
        if rt.running("router.upnp"):  # it learnt the old WAN address
            rt.stop("router.upnp")
            rt.start([services.upnp_spec(rt)])

    return switch


def mtu(size: int) -> Callable[[Runtime], None]:
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
mtu_router_on, mtu_router_off = _table(ROUTER, "inet", "f_mtu", _DROP_FRAG_NEEDED)
mtu_isp_on, mtu_isp_off = _table(ISP, "inet", "f_mtu", _DROP_FRAG_NEEDED)

# --- router services -----------------------------------------------------------------------------

dns_down_on, dns_down_off = _table(
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

dns_slow_on, dns_slow_off = _table(
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


def dhcp_down_on(rt: Runtime) -> None:
    _dhcp_block_on(rt)
    client_reconnect(rt, expect_lease=False)


def dhcp_down_off(rt: Runtime) -> None:
    _dhcp_block_off(rt)
    lease = services.lease_file(rt)
    lease.unlink(missing_ok=True)
    rt.signal("client.udhcpc", signal.SIGUSR1)
    wait = 10.0 + 3 * services.dhcp_wait_s(rt)
    if not system.wait_until(lambda: system.file_contains(lease, "event=bound"), timeout=wait):
        raise LabError(_("the client got no DHCP lease after DHCP came back"))


def upnp_off(rt: Runtime) -> None:
    rt.stop("router.upnp")


def upnp_on(rt: Runtime) -> None:
    if not rt.running("router.upnp"):
        rt.start([services.upnp_spec(rt)])


def portal_on(rt: Runtime) -> None:
    router = rt.plan.router
    body = f"""
    chain prerouting {{
        type nat hook prerouting priority -110; policy accept;
        iifname "{BRIDGE}" ip daddr != {router} tcp dport 80 dnat to {router}:8080
    }}"""
    system.nft(rt.ns(ROUTER), f"table ip f_portal {{\n{body}\n}}\n")


def portal_off(rt: Runtime) -> None:
    system.run(["nft", "delete", "table", "ip", "f_portal"], ns=rt.ns(ROUTER), check=False)


def admin_http(on: bool) -> Callable[[Runtime], None]:
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


udp_on, udp_off = _table(
    ROUTER,
    "inet",
    "f_udp_blocked",
    f"""
    chain forward {{
        type filter hook forward priority -10; policy accept;
        oifname "{WAN}" udp dport != 53 drop
    }}""",
)

# A router's filter rule (parental controls, a "block HTTPS" rule) answers with a TCP reset, as
# OpenWrt's REJECT target and most home routers' filters do for traffic from the LAN: the browser fails
# at once ("connection reset"). Only forwarded traffic to the internet: the router's own HTTPS admin
# page, and plain HTTP to the internet, keep working.
web_blocked_on, web_blocked_off = _table(
    ROUTER,
    "inet",
    "f_web_blocked",
    f"""
    chain forward {{
        type filter hook forward priority -10; policy accept;
        oifname "{WAN}" tcp dport 443 reject with tcp reset
    }}""",
)


def web_slow(on: bool) -> Callable[[Runtime], None]:
    """The internet's HTTPS server holds every answer (its flag file), while the line stays fast."""

    def switch(rt: Runtime) -> None:
        flag = services.web_slow_flag(rt.names)
        if on:
            flag.parent.mkdir(parents=True, exist_ok=True)
            flag.touch()
        else:
            flag.unlink(missing_ok=True)

    return switch


wan_loss_on, wan_loss_off = _table(
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

lan_loss_on, lan_loss_off = _table(
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

isolation_on, isolation_off = _table(
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
multicast_on, multicast_off = _table(
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


def printer_port(up: bool) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        key, _dev = _device(rt, Role.PRINTER)
        topology.set_port(rt, key, up=up)

    return switch


def printer_moved(moved: bool) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        _key, dev = _device(rt, Role.PRINTER)
        services.set_print_queue(rt, str(rt.plan.moved_from) if moved else str(dev.ip))

    return switch


MOVED_FROM = plan.DEFAULT_PLAN.moved_from
"""Where the classic lab's queue still prints with ``printer-moved`` (each home has its own)."""


def printer_pause(pause: bool) -> Callable[[Runtime], None]:
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


def rogue_on(rt: Runtime) -> None:
    key, dev = _fault_device(rt, Role.ROGUE_DHCP, DEFAULT_ROGUE, "rogue")
    net = rt.plan.rogue_net()
    topology.add_device_ns(
        rt, key, dev, extra=[f"addr add {net.network_address + 1}/{net.prefixlen} dev eth0"]
    )
    rt.start([services.rogue_dhcp_spec(rt, key)])


def rogue_off(rt: Runtime) -> None:
    key, _dev = _fault_device(rt, Role.ROGUE_DHCP, DEFAULT_ROGUE, "rogue")
    rt.stop(f"{key}.dnsmasq")
    topology.remove_device_ns(rt, key)


_CONFLICT_IF = "dup"
_CONFLICT_TABLE = 999


def conflict_on(rt: Runtime) -> None:
    _key, dev = _fault_device(rt, Role.IP_CONFLICT, DEFAULT_CONFLICT, "phone")
    dev = dev.model_copy(update={"ip": rt.plan.client})
    system.ip_batch(topology.host_lines(_CONFLICT_IF, dev, rt.plan, table=_CONFLICT_TABLE), ns=rt.ns(HOSTS))


def conflict_off(rt: Runtime) -> None:
    _key, dev = _fault_device(rt, Role.IP_CONFLICT, DEFAULT_CONFLICT, "phone")
    dev = dev.model_copy(update={"ip": rt.plan.client})
    lines = topology.remove_host_lines(_CONFLICT_IF, dev, table=_CONFLICT_TABLE)
    for line in lines:
        system.run(["ip", "-n", rt.ns(HOSTS), *line.split()], check=False)


_LAN_CONFLICT_IF = "dup2"
_LAN_CONFLICT_TABLE = 998


def lan_conflict_on(rt: Runtime) -> None:
    _key, dev = _fault_device(rt, Role.LAN_CONFLICT, DEFAULT_LAN_CONFLICT, "oldmac")
    lines = topology.host_lines(_LAN_CONFLICT_IF, dev, rt.plan, table=_LAN_CONFLICT_TABLE)
    system.ip_batch(lines, ns=rt.ns(HOSTS))


def lan_conflict_off(rt: Runtime) -> None:
    _key, dev = _fault_device(rt, Role.LAN_CONFLICT, DEFAULT_LAN_CONFLICT, "oldmac")
    for line in topology.remove_host_lines(_LAN_CONFLICT_IF, dev, table=_LAN_CONFLICT_TABLE):
        system.run(["ip", "-n", rt.ns(HOSTS), *line.split()], check=False)


def mqtt_anonymous(on: bool) -> Callable[[Runtime], None]:
    def switch(rt: Runtime) -> None:
        key, _dev = _device(rt, Role.MQTT)
        rt.stop(f"{key}.mosquitto")
        rt.start([devices.mosquitto_spec(rt, key, anonymous=on or rt.profile.mqtt_anonymous)])

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


def ipv6_on(rt: Runtime) -> None:
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


def ipv6_off(rt: Runtime) -> None:
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
DOWN_SLOW = "tbf rate 5mbit burst 32kb latency 50ms"
UP_SLOW = "tbf rate 1mbit burst 16kb latency 50ms"
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


def bloat_on(rt: Runtime) -> None:
    """Deep buffers (a second of queue) on a 20 / 4 Mbit/s line."""
    both(
        tc(ISP, "cust", _BLOAT.format(rate=BLOAT_DOWN_MBIT, burst=32)),
        tc(ROUTER, WAN, _BLOAT.format(rate=4, burst=16)),
    )(rt)


def bloat_slows(home: HomeView) -> tuple[str, ...]:
    """On a home whose plan is over twice the bufferbloat line's rate, the line is slow too."""
    plan_mbps = home.profile.download_mbps
    return ("wan.slow",) if plan_mbps is not None and plan_mbps / 2 > BLOAT_DOWN_MBIT else ()


def home_line(rt: Runtime) -> None:
    """The home's own line: its rate (``tc tbf``), or no limit; what a rate fault leaves behind."""
    isp = rt.profile.isp
    if isp.down_mbit is None or isp.up_mbit is None:
        both(tc(ISP, "cust", None), tc(ROUTER, WAN, None))(rt)
        return
    down, up = line_rate_specs(isp.down_mbit, isp.up_mbit)
    both(tc(ISP, "cust", down), tc(ROUTER, WAN, up))(rt)


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
    both(tc(ISP, "cust", down), tc(ROUTER, WAN, up))(rt)
