"""Parse ``resolvectl status`` (and the older ``systemd-resolve --status``): the DNS servers behind the
systemd-resolved stub ``127.0.0.53``.

Sample (systemd 250)::

    Global
           Protocols: -LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported
    resolv.conf mode: stub

    Link 2 (enp3s0)
        Current Scopes: none
             Protocols: -DefaultRoute -LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported

    Link 3 (wlp2s0)
        Current Scopes: DNS
             Protocols: +DefaultRoute +LLMNR -mDNS -DNSOverTLS DNSSEC=no/unsupported
    Current DNS Server: 192.0.2.1
           DNS Servers: 192.0.2.1 2001:db8::1
            DNS Domain: home.example

Older versions print one server per line (continuation lines without a key) and ``DefaultRoute
setting: yes``; servers may carry a port, an interface and a TLS name (``192.0.2.1:853#dns.example``).
systemd does not translate this output. Hand-written: jc has no parser for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homediag.net.errors import ParseError
from homediag.net.os._common import IPAddress, check_text, is_blank, iter_lines, parse_int, parse_ip

_SECTION_RE = re.compile(r"^Link\s+(\d{1,10})\s+\(([^)\s]{1,64})\)\s*$")
_FIELD_RE = re.compile(r"^\s*([A-Za-z][A-Za-z .]{0,40}?):(?:\s+(.*))?$")


@dataclass(frozen=True, slots=True)
class ResolvedLink:
    """The DNS settings systemd-resolved holds for one interface (or the global ones: index 0)."""

    index: int
    interface: str | None
    current_server: IPAddress | None = None
    servers: tuple[IPAddress, ...] = ()
    domains: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    default_route: bool | None = None
    """Whether names outside ``domains`` may be sent to this link's servers."""


@dataclass(frozen=True, slots=True)
class ResolvedStatus:
    """What ``resolvectl status`` says."""

    global_settings: ResolvedLink
    links: tuple[ResolvedLink, ...] = ()
    resolv_conf_mode: str | None = None
    """``stub``, ``static``, ``uplink`` or ``foreign`` (systemd 246+)."""

    def upstream(self, interface: str | None = None) -> tuple[IPAddress, ...]:
        """The servers names outside any routing domain go to, current server first.

        resolved sends such names to the links that claim ``~.`` (a VPN taking all DNS), else to
        every link with ``+DefaultRoute`` (``interface`` first), else to any link with servers,
        together with the global servers.
        """
        with_servers = [link for link in self.links if link.servers or link.current_server]
        chosen = [link for link in with_servers if "~." in link.domains]
        if not chosen:
            chosen = [link for link in with_servers if link.default_route is True]
        if not chosen:
            chosen = [link for link in with_servers if link.default_route is not False]
        chosen.sort(key=lambda link: link.interface != interface)
        ordered: list[IPAddress] = []
        for link in (*chosen, self.global_settings):
            for server in (link.current_server, *link.servers):
                if server is not None and server not in ordered:
                    ordered.append(server)
        return tuple(ordered)


def server_address(text: str) -> IPAddress | None:
    """The address of a server as resolvectl prints it: ``192.0.2.1``, ``192.0.2.1:853#name``,
    ``[2001:db8::1]:53%3#name``, ``2001:db8::1%3``."""
    value = text.split("#", 1)[0]
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.split(":", 1)[0]
    return parse_ip(value.split("%", 1)[0])


class _Section:
    def __init__(self, index: int, interface: str | None) -> None:
        self.index = index
        self.interface = interface
        self.values: dict[str, list[str]] = {}

    def link(self) -> ResolvedLink:
        servers = [server_address(word) for word in self.values.get("dns servers", [])]
        current = self.values.get("current dns server", [])
        protocols = self.values.get("protocols", [])
        default_route: bool | None = None
        if "+DefaultRoute" in protocols:
            default_route = True
        elif "-DefaultRoute" in protocols:
            default_route = False
        setting = self.values.get("defaultroute setting", [])
        if setting:
            default_route = setting[0].lower() == "yes"
        return ResolvedLink(
            index=self.index,
            interface=self.interface,
            current_server=server_address(current[0]) if current else None,
            servers=tuple(dict.fromkeys(s for s in servers if s is not None)),
            domains=tuple(self.values.get("dns domain", [])),
            scopes=tuple(w for w in self.values.get("current scopes", []) if w != "none"),
            default_route=default_route,
        )


def parse_resolvectl_status(text: str) -> ResolvedStatus:
    """Parse ``resolvectl status``. Text without any ``Global`` or ``Link`` section raises
    :class:`ParseError` (``Failed to get global data: ...`` when systemd-resolved is not running)."""
    check_text(text, "resolvectl status")
    if is_blank(text):
        raise ParseError("resolvectl status: empty output")
    sections: list[_Section] = []
    key: str | None = None
    mode: str | None = None
    for line in iter_lines(text):
        stripped = line.strip()
        if not stripped:
            key = None
            continue
        if stripped == "Global":
            sections.append(_Section(0, None))
            key = None
            continue
        if match := _SECTION_RE.match(stripped):
            index = parse_int(match.group(1))
            sections.append(_Section(index if index is not None else -1, match.group(2)))
            key = None
            continue
        field = _FIELD_RE.match(line)
        if field and sections:
            key = field.group(1).strip().lower()
            words = (field.group(2) or "").split()
            if key == "resolv.conf mode":
                mode = words[0] if words else None
            sections[-1].values.setdefault(key, []).extend(words)
        elif key is not None and sections and line[:1].isspace():
            sections[-1].values.setdefault(key, []).extend(stripped.split())  # a continuation line
    if not sections:
        raise ParseError(f"resolvectl status: no Global or Link section: {text.strip()[:80]!r}")
    links = [section.link() for section in sections]
    glob = next((link for link in links if link.index == 0), ResolvedLink(index=0, interface=None))
    return ResolvedStatus(
        global_settings=glob,
        links=tuple(link for link in links if link.index != 0),
        resolv_conf_mode=mode,
    )
