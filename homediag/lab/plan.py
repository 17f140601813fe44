"""The lab's address plan: a private /24 for the home, documentation ranges for the internet.

The constants below are the classic lab's home (the shipped scenarios); a drawn home
(:mod:`homediag.lab.home`) has an :class:`AddressPlan` of its own (another /24, another router address)
and the lab reads every LAN address from the plan of the home it runs. The internet side is the same in
every home.

```
client ─┐                                     ┌─ lo: 198.51.100.1, .2   ping targets
printer ┤                                     │      198.51.100.53, .54 DNS (.54 answers slowly)
cast   ─┤  br-lan 10.77.0.1   wan 203.0.113.2 │      198.51.100.80      HTTP, HTTPS, Speedtest Mini, iperf3
 ...   ─┼─[ router ]──────────────────[ isp ]─┴─[ inet ]  198.51.100.19   STUN
hosts  ─┘   NAT, dnsmasq,     cust 203.0.113.1   up 192.0.2.1 ── isp 192.0.2.2
            miniupnpd, admin  (double NAT: 192.168.178.0/24, CGNAT: 100.80.12.0/24, NAT to 203.0.113.2)
```
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, IPv6Address, IPv6Interface, IPv6Network

LAN = IPv4Network("10.77.0.0/24")
ROUTER_LAN = IPv4Address("10.77.0.1")
CLIENT_IP = IPv4Address("10.77.0.20")
"""The client's DHCP reservation."""
DHCP_POOL = (IPv4Address("10.77.0.20"), IPv4Address("10.77.0.29"))
DEAD_DNS = IPv4Address("10.77.0.253")
"""Handed out by the ``dhcp-dead-dns`` fault: no device has this address."""
PLAIN_HOSTS_FIRST = IPv4Address("10.77.0.30")
MAX_PLAIN_HOSTS = int(LAN.broadcast_address) - int(PLAIN_HOSTS_FIRST)
"""Plain hosts fill the LAN from .30 to .254 (225 hosts)."""

ROUTER_MAC = "e8:df:70:77:00:01"
CLIENT_MAC = "a0:36:9f:77:00:14"
CLIENT_HOSTNAME = "technician-laptop"

# The WAN link between the router and the ISP edge, in each of its modes.
WAN_PUBLIC = IPv4Interface("203.0.113.2/24")
ISP_CUSTOMER = IPv4Interface("203.0.113.1/24")
WAN_DOUBLE_NAT = IPv4Interface("192.168.178.2/24")
ISP_DOUBLE_NAT = IPv4Interface("192.168.178.1/24")
WAN_CGNAT = IPv4Interface("100.80.12.2/24")
ISP_CGNAT = IPv4Interface("100.80.12.1/24")
PUBLIC_IP = IPv4Address("203.0.113.2")
"""The address the internet sees in every mode."""
PUBLIC_NET = IPv4Network("203.0.113.0/24")
ISP_UP = IPv4Interface("192.0.2.1/24")
INET_DOWN = IPv4Interface("192.0.2.2/24")

# Services of the internet namespace (addresses on its loopback).
PING_TARGETS = (IPv4Address("198.51.100.1"), IPv4Address("198.51.100.2"))
DNS_SERVER = IPv4Address("198.51.100.53")
DNS_SLOW_SERVER = IPv4Address("198.51.100.54")
WEB_SERVER = IPv4Address("198.51.100.80")
STUN_SERVER = IPv4Address("198.51.100.19")
STUN_PORTS = (3478, 19302)
IPERF_PORT = 5201
INET_V6 = IPv6Address("2001:db8:ffff::1")
INET_V6_WEB = IPv6Address("2001:db8:ffff::80")
SLOW_DNS_DELAY_S = 0.8
"""How long the slow resolver waits before answering (above the 400/500 ms thresholds)."""
HTTPS_HOST = "www.example.org"
"""The HTTPS check's host: its certificate is signed by the lab's own CA, which the client trusts."""
HTTPS_PORT = 443
SLOW_WEB_DELAY_S = 1.6
"""How long the HTTPS server holds each response with ``web-slow`` (above the 1000 ms threshold)."""

# IPv6 the ``ipv6-broken`` fault advertises on the LAN, with no route beyond the router.
LAN_V6 = IPv6Network("2001:db8:77::/64")
ROUTER_LAN_V6 = IPv6Address("2001:db8:77::1")

# The rogue DHCP server's network (a travel router plugged in with its LAN port).
ROGUE_NET = IPv4Network("192.168.1.0/24")
ROGUE_GATEWAY = IPv4Address("192.168.1.1")

SPEEDTEST_HOST = "speedtest.example.net"

ZONE: dict[str, tuple[IPv4Address | None, IPv6Address | None]] = {
    "example.com": (WEB_SERVER, INET_V6_WEB),
    "www.example.com": (WEB_SERVER, INET_V6_WEB),
    HTTPS_HOST: (WEB_SERVER, None),
    "connectivitycheck.gstatic.com": (WEB_SERVER, INET_V6_WEB),
    "connectivitycheck.android.com": (WEB_SERVER, None),
    "www.gstatic.com": (WEB_SERVER, None),
    "clients3.google.com": (WEB_SERVER, None),
    "www.google.com": (WEB_SERVER, None),
    "captive.apple.com": (WEB_SERVER, None),
    "www.msftconnecttest.com": (WEB_SERVER, None),
    "detectportal.firefox.com": (WEB_SERVER, None),
    "nmcheck.gnome.org": (WEB_SERVER, None),
    "www.speedtest.net": (WEB_SERVER, None),
    "c.speedtest.net": (WEB_SERVER, None),
    SPEEDTEST_HOST: (WEB_SERVER, None),
    "api.ipify.org": (WEB_SERVER, None),
    "ifconfig.me": (WEB_SERVER, None),
    "iperf.example.net": (WEB_SERVER, None),
    "stun.l.google.com": (STUN_SERVER, None),
    "stun.example.net": (STUN_SERVER, None),
    "one.one.example": (PING_TARGETS[0], None),
    "dns.example.net": (DNS_SERVER, None),
}
"""Names the internet's DNS server answers; every other name is NXDOMAIN."""


@dataclass(frozen=True)
class WanMode:
    """How the router reaches the ISP edge: its WAN address, the ISP side, and whether the ISP NATs.

    With ``onlink`` the ISP side has a /32 address outside the router's subnet, reached as an on-link
    gateway (a cable provider's private hop 2 in front of a public customer address).
    """

    name: str
    router: IPv4Interface
    isp: IPv4Interface
    isp_nat: bool
    onlink: bool = False


WAN_MODES: dict[str, WanMode] = {
    "public": WanMode("public", WAN_PUBLIC, ISP_CUSTOMER, isp_nat=False),
    "double-nat": WanMode("double-nat", WAN_DOUBLE_NAT, ISP_DOUBLE_NAT, isp_nat=True),
    "cgnat": WanMode("cgnat", WAN_CGNAT, ISP_CGNAT, isp_nat=True),
}
"""The WAN modes of the classic lab (its LAN is 10.77.0.0/24, so none of them clashes with it)."""

PRIVATE_HOP_CANDIDATES = (IPv4Address("10.253.0.1"), IPv4Address("172.31.253.1"))
"""A cable provider's private hop 2 (the first that lies outside the home's LAN is used)."""
DOUBLE_NAT_CANDIDATES = (IPv4Network("192.168.178.0/24"), IPv4Network("192.168.179.0/24"))
"""The second router's LAN in front (a FRITZ!Box default; the next one when the home uses it)."""
ROGUE_CANDIDATES = (IPv4Network("192.168.1.0/24"), IPv4Network("192.168.8.0/24"))
"""The rogue DHCP server's own network (a travel router's default; another when the home uses it)."""


@dataclass(frozen=True)
class AddressPlan:
    """The addresses of one home's LAN: everything the lab puts on it, and the WAN modes around it."""

    lan: IPv4Network
    router: IPv4Address
    client: IPv4Address
    """The client's DHCP reservation."""
    pool: tuple[IPv4Address, IPv4Address]
    dead_dns: IPv4Address
    """Handed out by the ``dhcp-dead-dns`` fault: no device has this address."""
    moved_from: IPv4Address
    """Where the client's queue still prints with ``printer-moved``: an address no device has."""
    rogue: IPv4Address
    """The rogue DHCP server's address on the LAN (``dhcp-rogue``)."""
    hosts_first: IPv4Address
    """Plain hosts fill the LAN from here up, skipping taken addresses."""
    lan_v6: IPv6Network
    domain: str = "fritz.box"
    """The router's local DNS domain."""

    @property
    def router_v6(self) -> IPv6Address:
        """The router's global IPv6 address on the LAN."""
        return self.lan_v6.network_address + 1

    @property
    def router_v6_wan(self) -> IPv6Interface:
        """The router's IPv6 address on the WAN link (an IPv6 home)."""
        return IPv6Interface(f"{WAN_V6_NET.network_address + 2}/{WAN_V6_NET.prefixlen}")

    def in_lan(self, ip: IPv4Address) -> bool:
        """Whether ``ip`` is a host address of the LAN."""
        return ip in self.lan and ip not in (self.lan.network_address, self.lan.broadcast_address)

    @property
    def max_plain_hosts(self) -> int:
        """How many plain hosts fit from ``hosts_first`` to the end of the LAN (the router may sit there)."""
        return int(self.lan.broadcast_address) - int(self.hosts_first)

    def plain_host_ip(self, index: int) -> IPv4Address:
        """The address of plain host slot ``index`` (from 0)."""
        return self.hosts_first + index

    def private_hop(self) -> IPv4Address:
        """The cable provider's private hop 2 for this LAN."""
        return next(ip for ip in PRIVATE_HOP_CANDIDATES if ip not in self.lan)

    def rogue_net(self) -> IPv4Network:
        """The rogue DHCP server's network for this LAN."""
        return next(net for net in ROGUE_CANDIDATES if not net.overlaps(self.lan))

    def wan_modes(self) -> dict[str, WanMode]:
        """Every WAN mode of this home, by name; none clashes with its LAN."""
        front = next(net for net in DOUBLE_NAT_CANDIDATES if not net.overlaps(self.lan))
        hop = self.private_hop()
        return {
            "public": WAN_MODES["public"],
            "cable": WanMode("cable", WAN_PUBLIC, IPv4Interface(f"{hop}/32"), isp_nat=False, onlink=True),
            "double-nat": WanMode(
                "double-nat",
                IPv4Interface(f"{front.network_address + 2}/{front.prefixlen}"),
                IPv4Interface(f"{front.network_address + 1}/{front.prefixlen}"),
                isp_nat=True,
            ),
            "cgnat": WAN_MODES["cgnat"],
        }


WAN_V6_NET = IPv6Network("2001:db8:fe00::/64")
"""The IPv6 link between the router and the ISP edge (an IPv6 home)."""
ISP_V6 = IPv6Interface("2001:db8:fe00::1/64")
ISP_UP_V6 = IPv6Interface("2001:db8:fe01::1/64")
INET_DOWN_V6 = IPv6Interface("2001:db8:fe01::2/64")


@dataclass(frozen=True)
class HostModel:
    """One kind of plain host: vendor OUI, kind, and a name pattern."""

    oui: str
    vendor: str
    kind: str
    name: str


PLAIN_HOST_MODELS: tuple[HostModel, ...] = (
    HostModel("38:f9:d3", "Apple, Inc.", "phone", "iPhone"),
    HostModel("f0:d4:15", "Intel Corporate", "computer", "Laptop"),
    HostModel("5c:aa:fd", "Sonos, Inc.", "speaker", "Sonos One"),
    HostModel("f0:27:2d", "Amazon Technologies Inc.", "speaker", "Echo Dot"),
    HostModel("24:0a:c4", "Espressif Inc.", "iot", "Smart Plug"),
    HostModel("54:bf:64", "Dell Inc.", "computer", "Desktop"),
    HostModel("64:16:66", "Nest Labs Inc.", "camera", "Nest Cam"),
    HostModel("a4:83:e7", "Apple, Inc.", "computer", "MacBook"),
)
"""Plain hosts cycle through these (real OUIs; the device part is made up)."""


def plain_host_ip(index: int) -> IPv4Address:
    """The address of plain host number ``index`` (from 0) in the classic lab."""
    return PLAIN_HOSTS_FIRST + index


def plain_host_mac(index: int, *, ip: IPv4Address | None = None, oui: str | None = None) -> str:
    """A MAC with a real vendor OUI and a made-up device part."""
    model = PLAIN_HOST_MODELS[index % len(PLAIN_HOST_MODELS)]
    last = int(ip if ip is not None else plain_host_ip(index)) & 0xFF
    return f"{oui or model.oui}:77:{index // 256:02x}:{last:02x}"


DEFAULT_PLAN = AddressPlan(
    lan=LAN,
    router=ROUTER_LAN,
    client=CLIENT_IP,
    pool=DHCP_POOL,
    dead_dns=DEAD_DNS,
    moved_from=LAN.network_address + 9,
    rogue=LAN.network_address + 3,
    hosts_first=PLAIN_HOSTS_FIRST,
    lan_v6=LAN_V6,
)
"""The classic lab's address plan (every shipped scenario)."""
