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

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from homediag.core.errors import LabError
from homediag.core.i18n import N_, _
from homediag.lab import switches
from homediag.lab.home import HomeView
from homediag.lab.runtime import Runtime
from homediag.lab.scenario import Role
from homediag.lab.topology import ISP, ROUTER, WAN

MTU_SMALL = 1400


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
        None
        if switches.conflict_target(home.scenario) is not None
        else "the home has no device with a fixed address"
    )


def _ipv6_goes_too(home: HomeView) -> tuple[str, ...]:
    return ("ipv6.broken",) if home.profile.router.ipv6 else ()


_BASE: dict[str, Fault] = {
    fault.name: fault
    for fault in [
        Fault(
            "link-down",
            N_("the client's cable is unplugged (no link)"),
            ("link.no-connection",),
            switches.link(False),
            switches.link(True),
        ),
        Fault(
            "wan-down",
            N_("the router's internet line is down"),
            ("wan.down",),
            switches.wan(False),
            switches.wan(True),
        ),
        Fault(
            "dns-down",
            N_("the router's DNS server does not answer"),
            ("dns.server-unreachable",),
            switches.dns_down_on,
            switches.dns_down_off,
        ),
        Fault(
            "dhcp-dead-dns",
            N_("DHCP hands out a DNS server that does not exist"),
            ("dns.server-unreachable",),
            switches.dhcp_dns("dead-dns"),
            switches.dhcp_dns("normal"),
            frozenset({"dhcp-no-dns", "dhcp-down"}),
        ),
        Fault(
            "dhcp-no-dns",
            N_("DHCP hands out no DNS server at all"),
            ("dns.no-resolver",),
            switches.dhcp_dns("no-dns"),
            switches.dhcp_dns("normal"),
            frozenset({"dhcp-dead-dns", "dhcp-down"}),
        ),
        Fault(
            "dhcp-down",
            N_("the router's DHCP server does not answer"),
            ("dhcp.no-lease",),
            switches.dhcp_down_on,
            switches.dhcp_down_off,
            frozenset({"dhcp-dead-dns", "dhcp-no-dns"}),
        ),
        Fault(
            "lan-loss",
            N_("the client's link to the router loses packets at random"),
            ("lan.packet-loss",),
            switches.lan_loss_on,
            switches.lan_loss_off,
        ),
        Fault(
            "wan-loss",
            N_("the internet line loses packets at random"),
            ("wan.packet-loss",),
            switches.wan_loss_on,
            switches.wan_loss_off,
        ),
        Fault(
            "wan-slow",
            N_("the internet line is slow (5 Mbit/s down, 1 Mbit/s up)"),
            ("wan.slow",),
            switches.both(
                switches.tc(ISP, "cust", switches.DOWN_SLOW), switches.tc(ROUTER, WAN, switches.UP_SLOW)
            ),
            switches.home_line,
            frozenset({"bufferbloat"}),
        ),
        Fault(
            "bufferbloat",
            N_("the line's buffers are deep: latency climbs under load"),
            ("wan.bufferbloat",),
            switches.bloat_on,
            switches.home_line,
            frozenset({"wan-slow"}),
        ),
        Fault(
            "upnp-off",
            N_("UPnP IGD is switched off on the router"),
            ("upnp.igd-unavailable",),
            switches.upnp_off,
            switches.upnp_on,
        ),
        Fault(
            "udp-blocked",
            N_("UDP to the internet is blocked, except DNS"),
            ("wan.udp-blocked",),
            switches.udp_on,
            switches.udp_off,
        ),
        Fault(
            "printer-offline",
            N_("the printer is unplugged"),
            ("printer.offline",),
            switches.printer_port(False),
            switches.printer_port(True),
        ),
        Fault(
            "printer-paused",
            N_("the printer is paused (IPP Pause-Printer)"),
            ("printer.stopped",),
            switches.printer_pause(True),
            switches.printer_pause(False),
        ),
        Fault(
            "printer-moved",
            N_("the printer got a new address; this computer's queue still prints to the old one"),
            ("printer.address-changed",),
            switches.printer_moved(True),
            switches.printer_moved(False),
        ),
        Fault(
            "client-isolation",
            N_("the client is isolated from the other LAN devices"),
            ("lan.client-isolation",),
            switches.isolation_on,
            switches.isolation_off,
        ),
        Fault(
            "multicast-blocked",
            N_("multicast (mDNS, SSDP) does not reach the client"),
            ("lan.multicast-blocked",),
            switches.multicast_on,
            switches.multicast_off,
        ),
        Fault(
            "double-nat",
            N_("a second router in front does NAT too"),
            ("wan.double-nat",),
            switches.wan_mode("double-nat"),
            switches.wan_mode(None),
            frozenset({"cgnat"}),
        ),
        Fault(
            "cgnat",
            N_("the provider uses carrier-grade NAT (100.64.0.0/10)"),
            ("wan.cgnat",),
            switches.wan_mode("cgnat"),
            switches.wan_mode(None),
            frozenset({"double-nat"}),
        ),
        Fault(
            "dhcp-rogue",
            N_("a second DHCP server answers on the LAN"),
            ("dhcp.rogue-server",),
            switches.rogue_on,
            switches.rogue_off,
        ),
        Fault(
            "ip-conflict",
            N_("another device answers for the client's address"),
            ("ip.conflict",),
            switches.conflict_on,
            switches.conflict_off,
        ),
        Fault(
            "lan-ip-conflict",
            N_("a device with a fixed address answers for another LAN device's address"),
            ("ip.conflict",),
            switches.lan_conflict_on,
            switches.lan_conflict_off,
        ),
        Fault(
            "captive-portal",
            N_("web traffic is redirected to a login page"),
            ("wan.captive-portal",),
            switches.portal_on,
            switches.portal_off,
        ),
        Fault(
            "mtu-blackhole",
            N_("the WAN MTU is small and ICMP fragmentation-needed is dropped"),
            ("wan.mtu-blackhole",),
            switches.both(switches.mtu(MTU_SMALL), switches.mtu_router_on, switches.mtu_isp_on),
            switches.both(switches.mtu(1500), switches.mtu_router_off, switches.mtu_isp_off),
        ),
        Fault(
            "dns-slow",
            N_("DNS answers take about 0.8 s"),
            ("dns.slow",),
            switches.dns_slow_on,
            switches.dns_slow_off,
        ),
        Fault(
            "ipv6-broken",
            N_("IPv6 is advertised on the LAN but has no route to the internet"),
            ("ipv6.broken",),
            switches.ipv6_on,
            switches.ipv6_off,
        ),
        Fault(
            "web-blocked",
            N_("the router blocks HTTPS to the internet; plain HTTP still works"),
            ("wan.web-blocked",),
            switches.web_blocked_on,
            switches.web_blocked_off,
        ),
        Fault(
            "web-slow",
            N_("every HTTPS request takes over 1.5 s although the line is fast"),
            ("wan.web-slow",),
            switches.web_slow(True),
            switches.web_slow(False),
        ),
        Fault(
            "admin-http",
            N_("the router's admin page is served over plain HTTP"),
            ("security.admin-http",),
            switches.admin_http(True),
            switches.admin_http(False),
        ),
        Fault(
            "mqtt-anonymous",
            N_("the MQTT broker accepts connections without credentials"),
            ("security.mqtt-anonymous",),
            switches.mqtt_anonymous(True),
            switches.mqtt_anonymous(False),
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
    "bufferbloat": ("video-calls", (), switches.bloat_slows),
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
    "web-blocked": ("no-internet", (), None),
    "web-slow": ("slow-internet", (), None),
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
    ("web-blocked", "printer-paused"),
    ("web-blocked", "dns-slow"),
    ("web-slow", "printer-paused"),
    ("web-slow", "dns-slow"),
    ("web-slow", "upnp-off"),
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
