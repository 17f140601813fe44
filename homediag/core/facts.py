"""The fact catalogue: every fact a probe may observe, with its type, unit, privacy class and provider.

One catalogue for the whole project. Each fact has exactly one probe that provides it; a later probe
that needs it declares it in ``needs`` instead of measuring it again. Playbooks refer to facts by these
names, and redaction treats observation values by the privacy class declared here (at the source,
as k8sgpt does with ``Sensitive``).

Subjects: most facts are about ``local`` (this computer); per-target facts use the subject to say which
(``resolver:192.0.2.53``, ``device:<id>``, ``target:example.com``).

Third-party probes add their own facts with ``ProbeSpec`` extension facts; they cannot redefine these.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

FactType = Literal["bool", "int", "float", "str", "list", "object"]


class Privacy(StrEnum):
    """How redaction treats a fact's value in shared reports (reliability.md, section D)."""

    KEEP = "keep"
    """Not personal: latency, loss, a private gateway address."""
    PSEUDONYMISE = "pseudonymise"
    """Identifies a device or a home: MACs, names, SSIDs, serials. Replaced by stable tokens."""
    DROP = "drop"
    """Locates or identifies the customer: public IP, coordinates. Removed; its class is kept."""


@dataclass(frozen=True)
class FactSpec:
    """One entry of the catalogue."""

    name: str
    type: FactType
    provider: str
    """The one probe id that provides it."""
    summary: str
    unit: str | None = None
    privacy: Privacy = Privacy.KEEP

    @property
    def sensitive(self) -> bool:
        """Whether the value is personal data (pseudonymised or dropped when shared)."""
        return self.privacy is not Privacy.KEEP


def _facts(provider: str, *entries: tuple[str, FactType, str, str | None, Privacy]) -> list[FactSpec]:
    return [
        FactSpec(name=name, type=type_, provider=provider, summary=summary, unit=unit, privacy=privacy)
        for name, type_, summary, unit, privacy in entries
    ]


K, P, D = Privacy.KEEP, Privacy.PSEUDONYMISE, Privacy.DROP

BUILTIN_FACTS: tuple[FactSpec, ...] = tuple(
    [
        # --- net.interfaces: addressing of the interface homediag works on ---------------------
        *_facts(
            "net.interfaces",
            ("interface.name", "str", "Interface of the default route, or the one named", None, K),
            ("interface.up", "bool", "The interface has link (carrier) and is up", None, K),
            ("interface.kind", "str", "wired, wireless, virtual, loopback or unknown", None, K),
            ("interface.mac", "str", "MAC address of the interface", None, P),
            ("interface.ipv4", "list", "IPv4 addresses with prefix length (a.b.c.d/nn)", None, K),
            ("interface.ipv6", "list", "IPv6 addresses with prefix length", None, P),
            (
                "interface.apipa",
                "bool",
                "The only IPv4 address is link-local 169.254.0.0/16",
                None,
                K,
            ),
            (
                "interface.has_ipv4",
                "bool",
                "A usable (non link-local) IPv4 address is set",
                None,
                K,
            ),
            ("interface.subnet", "str", "The IPv4 network of the interface (a.b.c.0/nn)", None, K),
            ("interface.all", "list", "Every interface: name, up, kind, addresses", None, K),
            ("interface.duplicate_address", "bool", "The OS found another device using our address", None, K),
            ("interface.dhcp_enabled", "bool", "The OS gets the address by DHCP (Windows)", None, K),
            ("interface.dhcp_server", "str", "DHCP server of the current lease, where the OS says", None, K),
            ("interface.default_routes", "int", "How many IPv4 default routes the OS has", None, K),
            ("gateway.ipv4", "str", "The default IPv4 gateway", None, K),
            ("gateway.ipv6", "str", "The default IPv6 gateway", None, K),
            ("dns.resolvers", "list", "Configured DNS resolvers, in order", None, K),
        ),
        # --- net.gateway: the first hop --------------------------------------------------------
        *_facts(
            "net.gateway",
            ("gateway.reachable", "bool", "The default gateway answered at least once", None, K),
            (
                "gateway.loss_pct",
                "float",
                "Share of probes to the gateway that got no answer",
                "%",
                K,
            ),
            ("gateway.rtt_ms", "float", "Mean round trip to the gateway", "ms", K),
            ("gateway.rtt_max_ms", "float", "Highest round trip to the gateway", "ms", K),
            ("gateway.jitter_ms", "float", "Mean difference of consecutive round trips", "ms", K),
            ("gateway.samples_ms", "list", "Round trips of each probe (null when lost)", "ms", K),
        ),
        # --- net.dns: the configured resolvers -------------------------------------------------
        *_facts(
            "net.dns",
            (
                "dns.resolver_ok",
                "bool",
                "This resolver answered a query (subject: resolver)",
                None,
                K,
            ),
            (
                "dns.latency_ms",
                "float",
                "Answer time of this resolver (subject: resolver)",
                "ms",
                K,
            ),
            ("dns.any_ok", "bool", "At least one configured resolver answered", None, K),
            (
                "dns.best_latency_ms",
                "float",
                "Answer time of the fastest working resolver",
                "ms",
                K,
            ),
            (
                "dns.latency_samples_ms",
                "list",
                "Answer times for random names no cache holds (subject: resolver; null when lost)",
                "ms",
                K,
            ),
            (
                "dns.names_resolved",
                "bool",
                "Every name of internet.dns_names resolved to an address (subject: resolver)",
                None,
                K,
            ),
            (
                "dns.addresses",
                "object",
                "Addresses returned for each configured name (subject: resolver)",
                None,
                K,
            ),
            (
                "dns.all_names_resolved",
                "bool",
                "Some resolver resolved every configured name",
                None,
                K,
            ),
            (
                "dns.answers_agree",
                "bool",
                "Where several resolvers answered, their addresses overlap for every name",
                None,
                K,
            ),
            (
                "dns.fake_answer",
                "bool",
                "Returned an address for a random name that does not exist (subject: resolver)",
                None,
                K,
            ),
            (
                "dns.any_fake_answer",
                "bool",
                "Some resolver returned an address for a name that does not exist",
                None,
                K,
            ),
            ("dns.tcp_ok", "bool", "This resolver answered over TCP (subject: resolver)", None, K),
            (
                "dns.udp_fails_tcp_works",
                "bool",
                "Some resolver answered over TCP while it did not answer over UDP",
                None,
                K,
            ),
        ),
        # --- internet path (issue 5): net.internet, net.mtu, net.ipv6, net.throughput -------------
        *_facts(
            "net.internet",
            ("internet.target_ok", "bool", "This target answered (subject: target)", None, K),
            (
                "internet.target_loss_pct",
                "float",
                "Share of echo requests to this target that got no answer (subject: target)",
                "%",
                K,
            ),
            ("internet.target_rtt_ms", "float", "Mean round trip (subject: target)", "ms", K),
            (
                "internet.target_jitter_ms",
                "float",
                "Mean difference of consecutive round trips (subject: target)",
                "ms",
                K,
            ),
            ("internet.icmp_ok", "bool", "At least one internet target answered echo", None, K),
            (
                "internet.loss_pct",
                "float",
                "Loss to the internet: the lowest loss among the targets (path loss hits them all)",
                "%",
                K,
            ),
            ("internet.rtt_ms", "float", "Lowest mean round trip among the targets", "ms", K),
            ("internet.jitter_ms", "float", "Median jitter of the targets that answered", "ms", K),
            (
                "internet.tcp_ok",
                "bool",
                "A TCP connection to this host:port was accepted (subject: target)",
                None,
                K,
            ),
            (
                "internet.tcp_connect_ms",
                "float",
                "Time of the TCP handshake (subject: target)",
                "ms",
                K,
            ),
            ("internet.tcp_any_ok", "bool", "At least one TCP target accepted a connection", None, K),
            (
                "internet.http_status",
                "int",
                "HTTP status of the connectivity check (subject: url)",
                None,
                K,
            ),
            (
                "internet.http_ok",
                "bool",
                "The connectivity check answered as expected: 204, or 200 without a body (subject: url)",
                None,
                K,
            ),
            ("internet.http_any_ok", "bool", "At least one connectivity check answered as expected", None, K),
            (
                "internet.captive_portal",
                "bool",
                "A connectivity check was redirected to another host, or got a page (200 with a body, "
                "511) where 204 was expected",
                None,
                K,
            ),
            (
                "internet.portal_host",
                "str",
                "The host a connectivity check was redirected to (never visited)",
                None,
                P,
            ),
            (
                "internet.http_connect_ok",
                "bool",
                "TCP port 80 of the HTTP check's host accepted a connection (subject: url)",
                None,
                K,
            ),
            (
                "internet.http_connect_pct",
                "float",
                "Share of HTTP checks whose port 80 accepted a connection",
                "%",
                K,
            ),
            (
                "internet.https_tls_ok",
                "bool",
                "TCP and a verified TLS handshake with the HTTPS check's host succeeded (subject: url)",
                None,
                K,
            ),
            (
                "internet.https_tls_pct",
                "float",
                "Share of HTTPS checks whose TLS handshake succeeded",
                "%",
                K,
            ),
            (
                "internet.https_url_latency_ms",
                "float",
                "Time of an HTTPS request, name already resolved (subject: url)",
                "ms",
                K,
            ),
            (
                "internet.https_latency_ms",
                "float",
                "Median time of the HTTPS requests that succeeded",
                "ms",
                K,
            ),
            (
                "internet.name_failures",
                "int",
                "Host names of the HTTP, HTTPS and STUN checks that did not resolve",
                None,
                K,
            ),
            ("internet.stun_ok", "bool", "The STUN server answered over UDP (subject: server)", None, K),
            ("internet.stun_rtt_ms", "float", "STUN round trip (subject: server)", "ms", K),
            ("internet.udp_ok", "bool", "At least one STUN server answered over UDP", None, K),
            (
                "internet.stun_mapped_address",
                "str",
                "The public address and port a STUN server saw (XOR-MAPPED-ADDRESS)",
                None,
                D,
            ),
        ),
        *_facts(
            "net.mtu",
            ("mtu.target", "str", "The internet address the path MTU was measured to", None, K),
            ("mtu.small_ok", "bool", "A small (576-byte) packet with DF set got an answer", None, K),
            ("mtu.full_ok", "bool", "A full-size (1500-byte) packet with DF set got an answer", None, K),
            (
                "mtu.path_mtu",
                "int",
                "Largest packet with DF set (IP total length) that got an answer",
                "bytes",
                K,
            ),
            (
                "mtu.frag_needed",
                "bool",
                "An ICMP fragmentation-needed message came back for a packet that was too large",
                None,
                K,
            ),
            ("mtu.reported_mtu", "int", "The next-hop MTU a fragmentation-needed message named", "bytes", K),
            ("mtu.probes_sent", "int", "Packets sent to measure the path MTU", None, K),
        ),
        *_facts(
            "net.ipv6",
            ("ipv6.global_addresses", "list", "Global unicast IPv6 addresses of the interface", None, D),
            ("ipv6.has_global", "bool", "The interface has a global unicast IPv6 address", None, K),
            ("ipv6.default_route", "bool", "An IPv6 default route exists", None, K),
            (
                "ipv6.route_source",
                "str",
                "Where the IPv6 default route came from: ra, dhcp, static, kernel, unknown",
                None,
                K,
            ),
            ("ipv6.configured", "bool", "A global IPv6 address and a default route are both set", None, K),
            ("ipv6.target_ok", "bool", "This IPv6 target answered (subject: target)", None, K),
            ("ipv6.target_rtt_ms", "float", "Mean round trip over IPv6 (subject: target)", "ms", K),
            ("ipv6.internet_ok", "bool", "At least one IPv6 internet target answered", None, K),
        ),
        *_facts(
            "net.throughput",
            ("speedtest.download_mbps", "float", "Download throughput of the speed test", "Mbit/s", K),
            ("speedtest.upload_mbps", "float", "Upload throughput of the speed test", "Mbit/s", K),
            ("speedtest.ping_ms", "float", "Latency to the speed test server (HTTP)", "ms", K),
            ("speedtest.server", "str", "The speed test server: sponsor, name and host", None, K),
            ("speedtest.isp", "str", "The provider speedtest.net saw", None, K),
            ("speedtest.public_ip", "str", "The public address speedtest.net saw", None, D),
            ("speedtest.location", "object", "Coordinates speedtest.net guessed (lat, lon)", None, D),
            ("latency.idle_ms", "float", "Median round trip to an internet target, line idle", "ms", K),
            (
                "latency.loaded_ms",
                "float",
                "Median round trip to the same target while the download ran",
                "ms",
                K,
            ),
            ("latency.increase_ms", "float", "Loaded minus idle round trip", "ms", K),
            (
                "latency.grade",
                "str",
                "Grade of the latency increase: A < 30, B < 60, C < 200, D < 400 ms, else F",
                None,
                K,
            ),
            (
                "latency.loaded_loss_pct",
                "float",
                "Share of echo requests lost while the download ran",
                "%",
                K,
            ),
        ),
        # --- LAN side (issue 5): net.dhcp, net.arp_conflict, net.nat -------------------------------
        *_facts(
            "net.dhcp",
            (
                "dhcp.server_count",
                "int",
                "DHCP servers that answered one DISCOVER within 4 s",
                None,
                K,
            ),
            ("dhcp.servers", "list", "Server identifiers of the DHCP servers that answered", None, K),
            (
                "dhcp.offers",
                "list",
                "Each server's offer: server, MAC, address, routers, DNS, lease, domain",
                None,
                P,
            ),
            (
                "dhcp.offers_dns",
                "bool",
                "Every offer carries the DNS servers option (null: no offer)",
                None,
                K,
            ),
            (
                "dhcp.first_offer_ms",
                "float",
                "Time from the DISCOVER to the first offer",
                "ms",
                K,
            ),
        ),
        *_facts(
            "net.arp_conflict",
            (
                "ip.conflict",
                "bool",
                "Another MAC answered ARP probes for this computer's IPv4 address",
                None,
                K,
            ),
            ("ip.conflict_macs", "list", "MACs other than ours that claim our address", None, P),
            ("gateway.arp_macs", "list", "MACs that answered ARP for the gateway's address", None, P),
            (
                "gateway.arp_mac_count",
                "int",
                "How many distinct MACs answered ARP for the gateway's address",
                None,
                K,
            ),
        ),
        *_facts(
            "net.nat",
            ("nat.wan_address", "str", "The router's WAN address, as its UPnP IGD reports it", None, D),
            (
                "nat.wan_class",
                "str",
                "Class of the WAN address: public, private, cgnat, link-local, reserved or none",
                None,
                K,
            ),
            ("nat.wan_is_private", "bool", "The WAN address is private (RFC 1918)", None, K),
            ("nat.public_address", "str", "The address the internet sees", None, D),
            (
                "nat.public_class",
                "str",
                "Class of the public address: public, private, cgnat, link-local, reserved or none",
                None,
                K,
            ),
            (
                "nat.wan_equals_public",
                "bool",
                "The router's WAN address is the address the internet sees",
                None,
                K,
            ),
            (
                "nat.upstream_address",
                "str",
                "The first router beyond the default gateway (hop 2 towards the internet)",
                None,
                D,
            ),
            (
                "nat.upstream_class",
                "str",
                "Class of that router's address: public, private, cgnat, link-local, reserved or none",
                None,
                K,
            ),
        ),
        # --- discovery (issue 6): discovery.arp, discovery.mdns, discovery.ssdp, names -------------
        *_facts(
            "discovery.ssdp",
            ("ssdp.responders", "int", "Distinct addresses that answered an SSDP search", None, K),
            (
                "ssdp.devices",
                "list",
                "Each LOCATION: address, USNs, STs, server, UDN, serial, names, model",
                None,
                P,
            ),
            (
                "ssdp.location_anomalies",
                "list",
                "LOCATIONs refused (another host, a name, loopback...) with the reason",
                None,
                K,
            ),
            ("ssdp.dropped", "int", "SSDP answers dropped as malformed or oversized", None, K),
            (
                "upnp.igd_present",
                "bool",
                "An Internet Gateway Device answered the SSDP search",
                None,
                K,
            ),
            ("upnp.igd_location", "str", "Description URL of the IGD", None, K),
            ("upnp.igd_address", "str", "LAN address of the IGD", None, K),
            (
                "upnp.igd_wan_services",
                "list",
                "The IGD's WANIPConnection/WANPPPConnection services and control URLs",
                None,
                K,
            ),
        ),
        # --- devices (issue 6): printers, media, smart home, router and security -----------------
        # --- Wi-Fi (issue 7): wifi.link, wifi.neighbours ------------------------------------------
        *_facts(
            "wifi.link",
            ("wifi.present", "bool", "This computer has a wireless interface", None, K),
            ("wifi.in_use", "bool", "The default route goes over a connected Wi-Fi link", None, K),
            ("wifi.connected", "bool", "The wireless interface is associated to a network", None, K),
            ("wifi.interface", "str", "The wireless interface", None, K),
            ("wifi.ssid", "str", "Name of the Wi-Fi network", None, P),
            ("wifi.ssid_hidden", "bool", "The network name is hidden or withheld by the OS", None, K),
            ("wifi.bssid", "str", "MAC address of the access point", None, P),
            ("wifi.band", "str", "Frequency band: 2.4GHz, 5GHz or 6GHz", None, K),
            ("wifi.channel", "int", "Primary channel", None, K),
            ("wifi.width_mhz", "int", "Channel width", "MHz", K),
            ("wifi.signal_dbm", "float", "Signal strength", "dBm", K),
            ("wifi.signal_percent", "int", "Signal quality as Windows shows it", "%", K),
            ("wifi.noise_dbm", "float", "Noise floor", "dBm", K),
            ("wifi.snr_db", "float", "Signal-to-noise ratio", "dB", K),
            ("wifi.tx_rate_mbps", "float", "Transmit rate of the link", "Mbit/s", K),
            ("wifi.rx_rate_mbps", "float", "Receive rate of the link", "Mbit/s", K),
            ("wifi.phy_mode", "str", "802.11 mode: a, b, g, n, ac, ax, be", None, K),
            ("wifi.security", "str", "open, wep, wpa-tkip, wpa2, wpa3, wpa2-wpa3, enterprise, owe", None, K),
            ("wifi.insecure", "bool", "Open, WEP or TKIP-only protection", None, K),
            (
                "wifi.expected_rate_mbps",
                "float",
                "Rate this mode, width and signal should reach",
                "Mbit/s",
                K,
            ),
            ("wifi.rate_ratio", "float", "Actual link rate / expected rate", None, K),
            ("wifi.driver", "str", "Driver of the wireless interface", None, K),
            (
                "wifi.limitations",
                "list",
                "What limited reading the link (root, location permission)",
                None,
                K,
            ),
        ),
        *_facts(
            "wifi.neighbours",
            (
                "wifi.networks",
                "list",
                "Networks in range: SSID, BSSID, band, channel, signal, security",
                None,
                P,
            ),
            ("wifi.network_count", "int", "How many networks are in range", None, K),
            (
                "wifi.channel_congestion",
                "float",
                "Congestion score of the link's channel (1 = one strong co-channel neighbour)",
                None,
                K,
            ),
            ("wifi.channel_radios", "int", "Other radios overlapping the link's channel", None, K),
            ("wifi.best_channels", "object", "Least congested channel per band", None, K),
            (
                "wifi.best_channel_congestion",
                "float",
                "Congestion score of the best channel on the link's band",
                None,
                K,
            ),
            (
                "wifi.other_band_available",
                "bool",
                "On 2.4 GHz while the same network offers 5/6 GHz with a usable signal",
                None,
                K,
            ),
            ("wifi.scan_limitations", "list", "What limited the scan (root, location permission)", None, K),
        ),
    ]
)

CATALOGUE: dict[str, FactSpec] = {fact.name: fact for fact in BUILTIN_FACTS}

if len(CATALOGUE) != len(BUILTIN_FACTS):  # pragma: no cover - caught by the contract tests too
    raise RuntimeError("duplicate fact names in the catalogue")


def get(name: str) -> FactSpec | None:
    """The catalogue entry for ``name``, including facts registered by plugins."""
    return CATALOGUE.get(name)


def register(fact: FactSpec) -> None:
    """Add a plugin's fact. Redefining an existing fact is an error."""
    existing = CATALOGUE.get(fact.name)
    if existing is not None and existing != fact:
        raise ValueError(f"fact {fact.name!r} is already provided by {existing.provider}")
    CATALOGUE[fact.name] = fact


def type_matches(fact: FactSpec, value: object) -> bool:
    """Whether ``value`` has the declared type (None is allowed: "measured, no value")."""
    if value is None:
        return True
    match fact.type:
        case "bool":
            return isinstance(value, bool)
        case "int":
            return isinstance(value, int) and not isinstance(value, bool)
        case "float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "str":
            return isinstance(value, str)
        case "list":
            return isinstance(value, list | tuple)
        case _:  # "object"
            return isinstance(value, dict)
