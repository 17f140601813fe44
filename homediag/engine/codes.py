"""The problem codes of DESIGN.md: stable, never renamed, never reused.

Playbook causes and interactions must use one of these codes (validation refuses others); a new code
is added here and to DESIGN.md's table together. ``unknown`` is the finding a winning leak becomes.
"""

from __future__ import annotations

from homediag.core.i18n import N_

UNKNOWN = "unknown"

PROBLEM_CODES: dict[str, str] = {
    "link.no-connection": N_("the interface has no link or is not associated to Wi-Fi"),
    "dhcp.no-lease": N_("no DHCP address (none, or 169.254.x.x)"),
    "dhcp.rogue-server": N_("more than one DHCP server answers on the LAN"),
    "ip.conflict": N_("another device answers for this device's IP address"),
    "gateway.unreachable": N_("the default gateway does not answer"),
    "lan.packet-loss": N_("packets are lost between this device and the gateway"),
    "lan.client-isolation": N_(
        "the gateway answers but other LAN devices cannot be reached (AP/client isolation)"
    ),
    "lan.multicast-blocked": N_("devices answer unicast but mDNS/SSDP discovery does not cross"),
    "lan.subnet-mismatch": N_("the device sought is on another subnet or guest network"),
    "wan.down": N_("the router is up but the internet is not reachable"),
    "wan.packet-loss": N_("packets are lost beyond the gateway"),
    "wan.slow": N_("throughput is far below the plan or below what common uses need"),
    "wan.bufferbloat": N_("latency rises sharply while the line is loaded"),
    "wan.double-nat": N_("the router's WAN address is itself private: two routers do NAT"),
    "wan.cgnat": N_("the provider uses carrier-grade NAT (100.64.0.0/10)"),
    "wan.mtu-blackhole": N_("large packets vanish on the path (MTU mismatch with ICMP blocked)"),
    "wan.captive-portal": N_("web traffic is redirected to a login page"),
    "wan.udp-blocked": N_("UDP to the internet (STUN, calls, games) is blocked while TCP works"),
    "wan.high-jitter": N_("latency varies too much for calls and games"),
    "dns.no-resolver": N_("no DNS server is configured"),
    "dns.server-unreachable": N_("the configured DNS server does not answer"),
    "dns.slow": N_("DNS answers take too long"),
    "dns.hijack": N_("the resolver answers names that do not exist"),
    "ipv6.broken": N_("IPv6 is configured but does not reach the internet"),
    "upnp.igd-unavailable": N_("no UPnP IGD on the router (apps and consoles cannot open ports)"),
    "wifi.weak-signal": N_("signal too weak for a stable link"),
    "wifi.channel-congestion": N_("many networks share or overlap the channel"),
    "wifi.insecure": N_("open, WEP or TKIP-only security"),
    "wifi.low-rate": N_("the link runs at a legacy or very low rate"),
    "wifi.band-steering": N_(
        "the client stays on 2.4 GHz while the same network offers 5 or 6 GHz with a usable signal"
    ),
    "printer.offline": N_("a known printer no longer answers"),
    "printer.stopped": N_("the printer reports itself stopped or paused"),
    "printer.media-empty": N_("out of paper"),
    "printer.media-jam": N_("paper jam"),
    "printer.supply-low": N_("toner or ink low or empty"),
    "printer.address-changed": N_(
        "the printer answers at a different address than the one the computer uses"
    ),
    "device.unreachable": N_("a known or named device no longer answers"),
    "security.mqtt-anonymous": N_("an MQTT broker accepts connections without credentials"),
    "security.telnet-open": N_("a device offers telnet"),
    "security.admin-http": N_("a router or device admin page is served without TLS"),
}


def is_known(code: str) -> bool:
    """Whether ``code`` is in the catalogue (``unknown`` is reserved for the leak)."""
    return code in PROBLEM_CODES
