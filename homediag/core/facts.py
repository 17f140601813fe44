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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

FactType = Literal["bool", "int", "float", "str", "list", "object"]


class Privacy(StrEnum):
    """How redaction treats a fact's value in shared reports (docs/report-format.md#redaction)."""

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


class FactCatalogue:
    """An immutable set of fact declarations, by name: what the registered probes provide.

    The engine and the application layer receive one explicitly (``Registry.catalogue()``), so the
    engine never imports a probe to learn which facts exist.
    """

    def __init__(self, facts: Iterable[FactSpec]) -> None:
        by_name: dict[str, FactSpec] = {}
        for fact in facts:
            existing = by_name.get(fact.name)
            if existing is not None and existing != fact:
                where = f"{existing.provider}, {fact.provider}"
                raise ValueError(f"fact {fact.name!r} is declared twice ({where})")
            by_name[fact.name] = fact
        self._facts = by_name

    def get(self, name: str) -> FactSpec | None:
        """The declaration of ``name``, or None."""
        return self._facts.get(name)

    def provider(self, name: str) -> str | None:
        """The probe id that provides ``name``, or None."""
        fact = self._facts.get(name)
        return fact.provider if fact is not None else None

    def __contains__(self, name: object) -> bool:
        return name in self._facts

    def __iter__(self) -> Iterator[FactSpec]:
        return iter(self._facts.values())

    def __len__(self) -> int:
        return len(self._facts)


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
            ("speedtest.server", "str", "The speed test server: sponsor, name and host", None, P),
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
        *_facts(
            "discovery.arp",
            (
                "arp.hosts",
                "list",
                "Hosts that answered ARP (or that the OS neighbour table lists): address, MAC, vendor",
                None,
                P,
            ),
            ("arp.host_count", "int", "How many addresses of the subnet answered", None, K),
            ("arp.targets", "int", "Addresses of the subnet that were asked", None, K),
            (
                "lan.duplicate_ips",
                "list",
                "Addresses for which more than one MAC answered ARP, with the MACs",
                None,
                P,
            ),
            (
                "lan.duplicate_ip",
                "bool",
                "Two or more MACs answered ARP for one address of the LAN (null: needs raw sockets)",
                None,
                K,
            ),
        ),
        *_facts(
            "discovery.mdns",
            (
                "mdns.services",
                "list",
                "DNS-SD instances heard by multicast: type, name, address, port, host, TXT",
                None,
                P,
            ),
            ("mdns.service_types", "list", "Service types announced on the LAN (_ipp._tcp...)", None, K),
            ("mdns.responders", "int", "Distinct addresses that answered the mDNS browse", None, K),
        ),
        *_facts(
            "discovery.names",
            (
                "names.reverse_dns",
                "list",
                "Names the local resolver gives LAN addresses (PTR): address, name",
                None,
                P,
            ),
            ("names.netbios", "list", "NetBIOS names of LAN hosts: address, name", None, P),
            (
                "names.dhcp_leases",
                "list",
                "Host names in DHCP lease files this computer can read: address, MAC, name",
                None,
                P,
            ),
        ),
        *_facts(
            "discovery.unicast",
            (
                "lan.unicast_answers",
                "list",
                "Devices multicast did not show that answered unicast DNS-SD or M-SEARCH: address, how",
                None,
                K,
            ),
            (
                "lan.multicast_gap",
                "int",
                "Devices that answer DNS-SD or SSDP by unicast but were not heard by multicast",
                None,
                K,
            ),
            (
                "lan.multicast_heard",
                "int",
                "Devices other than the gateway heard by multicast (mDNS or SSDP)",
                None,
                K,
            ),
        ),
        *_facts(
            "discovery.inventory",
            (
                "discovery.devices",
                "list",
                "Every device found, merged: id, address, MAC, vendor, kind, names, how it was seen",
                None,
                P,
            ),
            ("discovery.device_count", "int", "How many devices were found", None, K),
            ("discovery.kinds", "object", "How many devices of each kind were found", None, K),
        ),
        *_facts(
            "discovery.baseline",
            (
                "baseline.missing_devices",
                "list",
                "Devices of the baseline report that no longer answer: id, address, kind, name",
                None,
                P,
            ),
            (
                "baseline.moved_devices",
                "list",
                "Devices of the baseline report now at another address: id, kind, old and new address",
                None,
                P,
            ),
            (
                "baseline.missing_kinds",
                "list",
                "Kinds of the devices that vanished since the baseline",
                None,
                K,
            ),
            ("baseline.moved_kinds", "list", "Kinds of the devices that changed address", None, K),
            ("baseline.device_count", "int", "Devices in the baseline report", None, K),
        ),
        *_facts(
            "net.peers",
            (
                "lan.known_peers",
                "int",
                "LAN devices known from local DNS names, the baseline or print queues (not the gateway)",
                None,
                K,
            ),
            ("lan.peers_answering", "int", "Known LAN devices that answered (ARP or TCP)", None, K),
            (
                "lan.peers_reachable",
                "bool",
                "At least one known LAN device other than the gateway answers (null: none known)",
                None,
                K,
            ),
            (
                "lan.silent_peers",
                "list",
                "Known LAN devices that did not answer: address, name, kind, where known from",
                None,
                P,
            ),
            (
                "lan.outside_subnet",
                "list",
                "Known devices whose address lies outside this interface's subnet: address, where known from",
                None,
                K,
            ),
        ),
        # --- devices (issue 6): printers, media, smart home, router and security -----------------
        *_facts(
            "devices.printer_ipp",
            (
                "ipp.answered",
                "bool",
                "The printer answered Get-Printer-Attributes (subject: device)",
                None,
                K,
            ),
            ("ipp.state", "str", "printer-state: idle, processing or stopped (subject: device)", None, K),
            ("ipp.state_reasons", "list", "printer-state-reasons keywords (subject: device)", None, K),
            ("ipp.make_model", "str", "printer-make-and-model (subject: device)", None, K),
            (
                "ipp.supplies",
                "list",
                "Marker supplies: name, type, colour, level %, low and high levels (subject: device)",
                None,
                K,
            ),
            ("ipp.uuid", "str", "printer-uuid (subject: device)", None, P),
        ),
        *_facts(
            "devices.print_queues",
            (
                "printer.queues",
                "list",
                "This computer's print queues: name, device URI, host, port, scheme, network",
                None,
                P,
            ),
            ("printer.queue_count", "int", "How many print queues this computer has", None, K),
        ),
        *_facts(
            "devices.printer_summary",
            ("printer.found", "bool", "A printer is on the LAN now (found by any discovery)", None, K),
            ("printer.announced", "bool", "A printer announces itself by multicast (mDNS or SSDP)", None, K),
            ("printer.reachable", "bool", "A printer answered IPP (null: no printer found)", None, K),
            (
                "printer.state",
                "str",
                "State of the printers: stopped if any is, else processing, else idle (null: none answered)",
                None,
                K,
            ),
            (
                "printer.state_reasons",
                "list",
                "printer-state-reasons of every printer that answered",
                None,
                K,
            ),
            (
                "printer.supply_low",
                "bool",
                "A marker supply is at or below its low level (null: no printer reported supplies)",
                None,
                K,
            ),
            (
                "printer.known_silent",
                "bool",
                "A printer known from the baseline, a print queue or the local DNS does not answer",
                None,
                K,
            ),
            (
                "printer.queue_address_ok",
                "bool",
                "Every network print queue points at an address where a printer answers (null: none)",
                None,
                K,
            ),
            (
                "printer.queue_moved",
                "bool",
                "A print queue's address is silent while a printer answers at another (null: no queue)",
                None,
                K,
            ),
        ),
        *_facts(
            "devices.media",
            (
                "media.info",
                "object",
                "What a media device says about itself: protocols, name, model, build (subject: device)",
                None,
                P,
            ),
            (
                "media.answered",
                "bool",
                "The device answered its cast info endpoint or UPnP description (subject: device)",
                None,
                K,
            ),
        ),
        *_facts(
            "devices.media_summary",
            (
                "cast.devices",
                "list",
                "Cast, AirPlay and DLNA devices: id, address, name, protocols, heard by multicast",
                None,
                P,
            ),
            (
                "cast.announced",
                "int",
                "Cast, AirPlay or DLNA devices heard by multicast (mDNS or SSDP)",
                None,
                K,
            ),
            ("cast.found", "int", "Devices offering cast, AirPlay or DLNA, found by any means", None, K),
            (
                "cast.reachable",
                "bool",
                "A cast, AirPlay or DLNA device answers unicast (null: none found)",
                None,
                K,
            ),
            (
                "cast.known_silent",
                "bool",
                "A media device known from the baseline or the local DNS does not answer",
                None,
                K,
            ),
        ),
        *_facts(
            "devices.hue",
            (
                "hue.config",
                "object",
                "Hue bridge /api/config: name, model, software and API version, bridge id (subject: device)",
                None,
                P,
            ),
            (
                "hue.answered",
                "bool",
                "The Hue bridge answered its config endpoint (subject: device)",
                None,
                K,
            ),
        ),
        *_facts(
            "devices.homekit",
            (
                "homekit.accessory",
                "object",
                "HomeKit TXT: model, category, paired, configuration number (subject: device)",
                None,
                P,
            ),
            ("homekit.paired", "bool", "The HomeKit accessory is paired (sf=0) (subject: device)", None, K),
        ),
        *_facts(
            "devices.matter",
            (
                "matter.node",
                "object",
                "Matter TXT: commissioning mode, vendor/product, device type, intervals (subject: device)",
                None,
                P,
            ),
            (
                "matter.commissionable",
                "bool",
                "The Matter device is open for commissioning (subject: device)",
                None,
                K,
            ),
        ),
        *_facts(
            "devices.mqtt",
            (
                "mqtt.anonymous",
                "bool",
                "The MQTT broker accepted a CONNECT without credentials (subject: device)",
                None,
                K,
            ),
            ("mqtt.connack", "int", "The broker's CONNACK return code (subject: device)", None, K),
        ),
        *_facts(
            "devices.smarthome_summary",
            (
                "smarthome.hubs",
                "list",
                "Smart-home hubs and devices: id, address, kind, protocols, heard by multicast, answers",
                None,
                P,
            ),
            ("smarthome.announced", "int", "Smart-home devices heard by multicast", None, K),
            (
                "smarthome.reachable",
                "bool",
                "A smart-home hub or device answers unicast (null: none known)",
                None,
                K,
            ),
            (
                "smarthome.known_silent",
                "bool",
                "A hub or smart-home device known from the baseline or the local DNS does not answer",
                None,
                K,
            ),
        ),
        *_facts(
            "devices.admin_page",
            (
                "admin.http",
                "str",
                "Plain HTTP on port 80: page (served), redirect-https, redirect-http, none (subject: device)",
                None,
                K,
            ),
            (
                "admin.https",
                "bool",
                "An admin page is served over TLS on port 443 (subject: device)",
                None,
                K,
            ),
            ("admin.title", "str", "Title of the admin page (subject: device)", None, P),
            ("admin.server", "str", "The Server header of the admin page (subject: device)", None, K),
        ),
        *_facts(
            "devices.telnet",
            (
                "security.telnet_open",
                "list",
                "Addresses that accept TCP connections on the Telnet port 23",
                None,
                K,
            ),
            ("security.telnet_checked", "int", "Devices whose Telnet port was tried", None, K),
        ),
        *_facts(
            "devices.security_summary",
            (
                "security.admin_http",
                "list",
                "Addresses whose admin page is served over plain HTTP without a redirect to HTTPS",
                None,
                K,
            ),
            (
                "security.mqtt_anonymous",
                "bool",
                "An MQTT broker accepted a client without credentials (null: no broker checked)",
                None,
                K,
            ),
        ),
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
