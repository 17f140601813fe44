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


def _facts(
    provider: str, *entries: tuple[str, FactType, str, str | None, Privacy]
) -> list[FactSpec]:
    return [
        FactSpec(
            name=name, type=type_, provider=provider, summary=summary, unit=unit, privacy=privacy
        )
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
        ),
        # --- internet path (issue 5): net.internet, net.mtu, net.ipv6, net.throughput -------------
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
