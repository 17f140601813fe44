"""Words that Windows network commands print in the user's language, in one place.

Windows localises ``ipconfig``, ``arp`` and ``route`` output: labels, yes/no, states, dates. The
parsers read structure first (indentation, dot leaders, address shapes, separator lines) and use
these tables only where the meaning is in the words. Add a language by adding its words here; the
English, German and French entries come from real outputs (``../shared/fixtures/real-outputs``)
and published transcripts of those commands.

Labels are compared by :func:`label_key`: lower-case ASCII letters and digits only. That makes the
tables immune to dot leaders, the no-break spaces French puts before colons, apostrophe variants,
and to umlauts or accents mangled by a console code page (``Prim„res`` and ``Primäres`` match).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_NOT_KEY = re.compile(r"[^a-z0-9]+")


def label_key(label: str) -> str:
    """The comparison key of a label: its lower-case ASCII letters and digits."""
    return _NOT_KEY.sub("", label.casefold())


def _table(entries: Mapping[str, Iterable[str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for meaning, labels in entries.items():
        for label in labels:
            table[label_key(label)] = meaning
    return table


IPCONFIG_LABELS = _table(
    {
        "hostname": ("Host Name", "Hostname", "Nom de l’hôte", "Nom de l'hôte"),
        "primary_dns_suffix": (
            "Primary Dns Suffix",
            "Primäres DNS-Suffix",
            "Suffixe DNS principal",
        ),
        "node_type": ("Node Type", "Knotentyp", "Type de noeud", "Type de nœud"),
        "ip_routing_enabled": ("IP Routing Enabled", "IP-Routing aktiviert", "Routage IP activé"),
        "wins_proxy_enabled": ("WINS Proxy Enabled", "WINS-Proxy aktiviert", "Proxy WINS activé"),
        "dns_suffix_search_list": (
            "DNS Suffix Search List",
            "DNS-Suffixsuchliste",
            "Liste de recherche du suffixe DNS",
        ),
        "media_state": ("Media State", "Medienstatus", "Statut du média"),
        "connection_dns_suffix": (
            "Connection-specific DNS Suffix",
            "Verbindungsspezifisches DNS-Suffix",
            "Suffixe DNS propre à la connexion",
        ),
        "connection_dns_suffix_search_list": (
            "Connection-specific DNS Suffix Search List",
            "Verbindungsspezifische DNS-Suffixsuchliste",
            "Liste de recherche de suffixes DNS propres à la connexion",
        ),
        "description": ("Description", "Beschreibung"),
        "physical_address": ("Physical Address", "Physische Adresse", "Adresse physique"),
        "dhcp_enabled": ("DHCP Enabled", "DHCP aktiviert", "DHCP activé"),
        "autoconfiguration_enabled": (
            "Autoconfiguration Enabled",
            "Autokonfiguration aktiviert",
            "Configuration automatique activée",
        ),
        "ipv6_address": ("IPv6 Address", "IPv6-Adresse", "Adresse IPv6"),
        "temporary_ipv6_address": (
            "Temporary IPv6 Address",
            "Temporäre IPv6-Adresse",
            "Adresse IPv6 temporaire",
        ),
        "link_local_ipv6_address": (
            "Link-local IPv6 Address",
            "Verbindungslokale IPv6-Adresse",
            "Adresse IPv6 de liaison locale",
        ),
        "ipv4_address": (
            "IPv4 Address",
            "IPv4-Adresse",
            "Adresse IPv4",
            "IP Address",  # Windows XP
            "IP-Adresse",
            "Adresse IP",
        ),
        "autoconfiguration_ipv4_address": (
            "Autoconfiguration IPv4 Address",
            "Autokonfiguration IPv4-Adresse",
            "Adresse IPv4 d'autoconfiguration",
            "Autoconfiguration IP Address",  # Windows XP
            "Autokonfigurations-IP-Adresse",
            "Adresse IP d'autoconfiguration",
        ),
        "subnet_mask": ("Subnet Mask", "Subnetzmaske", "Masque de sous-réseau"),
        "lease_obtained": ("Lease Obtained", "Lease erhalten", "Bail obtenu"),
        "lease_expires": ("Lease Expires", "Lease läuft ab", "Bail expirant"),
        "default_gateway": ("Default Gateway", "Standardgateway", "Passerelle par défaut"),
        "dhcp_server": ("DHCP Server", "DHCP-Server", "Serveur DHCP"),
        "dhcpv6_iaid": ("DHCPv6 IAID", "DHCPv6-IAID", "IAID DHCPv6"),
        "dhcpv6_client_duid": ("DHCPv6 Client DUID", "DHCPv6-Client-DUID", "DUID de client DHCPv6"),
        "dns_servers": ("DNS Servers", "DNS-Server", "Serveurs DNS"),
        "primary_wins_server": (
            "Primary WINS Server",
            "Primärer WINS-Server",
            "Serveur WINS principal",
        ),
        "secondary_wins_server": (
            "Secondary WINS Server",
            "Sekundärer WINS-Server",
            "Serveur WINS secondaire",
        ),
        "netbios_over_tcpip": ("NetBIOS over Tcpip", "NetBIOS über TCP/IP", "NetBIOS sur Tcpip"),
    }
)
"""ipconfig /all field label -> meaning."""

IPCONFIG_ADAPTER_KINDS: tuple[tuple[str, str], ...] = (
    # (header prefix, kind); longer prefixes first where one starts another.
    ("Wireless LAN adapter", "wireless"),
    ("Ethernet adapter", "ethernet"),
    ("Tunnel adapter", "tunnel"),
    ("PPP adapter", "ppp"),
    ("Unknown adapter", "unknown"),
    ("Drahtlos-LAN-Adapter", "wireless"),
    ("Ethernet-Adapter", "ethernet"),
    ("Tunneladapter", "tunnel"),
    ("PPP-Adapter", "ppp"),
    ("Unbekannter Adapter", "unknown"),
    ("Carte réseau sans fil", "wireless"),
    ("Carte Ethernet", "ethernet"),
    ("Carte Tunnel", "tunnel"),
    ("Carte PPP", "ppp"),
    ("Carte inconnue", "unknown"),
)
"""ipconfig adapter header (``Ethernet adapter Ethernet 2:``) prefix -> adapter kind."""

IPCONFIG_TITLES = frozenset(
    label_key(title)
    for title in (
        "Windows IP Configuration",
        "Windows-IP-Konfiguration",
        "Configuration IP de Windows",
    )
)
"""The title line ipconfig prints first."""

YES_NO = _table(
    {
        "yes": ("Yes", "Ja", "Oui", "Enabled", "Aktiviert", "Activé"),
        "no": ("No", "Nein", "Non", "Disabled", "Deaktiviert", "Désactivé"),
    }
)
"""Yes/no and enabled/disabled words."""

NODE_TYPES = _table(
    {
        "hybrid": ("Hybrid", "Hybride"),
        "mixed": ("Mixed", "Gemischt", "Mixte"),
        "broadcast": ("Broadcast", "Diffusion"),
        "peer_to_peer": ("Peer-Peer", "Peer-to-Peer", "Poste à poste", "Homologue"),
        "unknown": ("Unknown", "Unbekannt", "Inconnu"),
    }
)
"""NetBIOS node type words."""

ADDRESS_STATUS = _table(
    {
        "preferred": ("Preferred", "Bevorzugt", "Préféré"),
        "deprecated": ("Deprecated", "Veraltet", "Déconseillé", "Désapprouvé"),
        "duplicate": ("Duplicate", "Doppelt", "Duplikat", "Dupliqué", "En double"),
        "tentative": ("Tentative", "Vorläufig", "Provisoire"),
        "invalid": ("Invalid", "Ungültig", "Non valide"),
    }
)
"""The word in parentheses after an address: ``192.0.2.10(Preferred)``."""

ARP_TYPES = _table(
    {
        "dynamic": ("dynamic", "dynamisch", "dynamique"),
        "static": ("static", "statisch", "statique"),
        "invalid": ("invalid", "ungültig", "non valide", "incomplete"),
    }
)
"""The Type column of Windows ``arp -a``."""

MONTHS = {
    label_key(name): number
    for names in (
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
    )
    for number, name in enumerate(names, start=1)
}
"""Month names of the lease dates ipconfig prints (``Thursday, September 19, 2024 8:31:30 AM``,
``Mittwoch, 27. November 2024 19:59:32``, ``mercredi 2 octobre 2024 08:57:16``), by key: ``März``
and a ``M„rz`` from a wrong code page both reduce to ``mrz``."""
MONTHS["jnner"] = 1  # Austrian German "Jänner"

AFTERNOON = frozenset({"pm"})
MORNING = frozenset({"am"})
