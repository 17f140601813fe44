"""Parse the proxy settings of Windows: the system's (``netsh winhttp show proxy``) and the user's
(``reg query "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"``, what browsers
and most apps use).

Samples (``netsh`` is translated; ``reg query`` value names are not)::

    Current WinHTTP proxy settings:

        Direct access (no proxy server).

    Aktuelle WinHTTP-Proxyeinstellungen:

        Proxyserver:  proxy.example:8080
        Umgehungsliste:  <local>

    HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings
        ProxyEnable    REG_DWORD    0x1
        ProxyServer    REG_SZ    proxy.example:8080
        AutoConfigURL    REG_SZ    http://wpad.example/proxy.pac

``netsh`` prints no ``label : value`` line when there is no proxy, in any language: the first such
line is the proxy server, the second the bypass list (the labels are not matched). Hand-written: jc
has neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homediag.net.errors import ParseError
from homediag.net.os._common import check_text, is_blank, iter_lines, parse_int


@dataclass(frozen=True, slots=True)
class ProxySettings:
    """Where HTTP traffic of this computer goes first."""

    server: str | None = None
    """``host:port`` or ``http=host:port;https=host:port``; None: direct."""
    bypass: str | None = None
    pac_url: str | None = None
    """The automatic configuration script (PAC) the user's settings name."""

    @property
    def configured(self) -> bool:
        """Whether a proxy server or a PAC script is set."""
        return self.server is not None or self.pac_url is not None


_LABELLED_RE = re.compile(r"^\s+(\S[^:]{0,60}?)\s*:\s+(\S.*)$")
_SERVER_RE = re.compile(r"^[\w.\-\[\]:=;/]{1,300}$")
"""``host:port``, ``[2001:db8::8]:3128`` or ``http=host:port;https=host:port``."""


def parse_winhttp_proxy(text: str) -> ProxySettings:
    """Parse ``netsh winhttp show proxy`` in any language."""
    check_text(text, "netsh winhttp show proxy")
    lines = [line for line in iter_lines(text) if line.strip()]
    if not lines:
        raise ParseError("netsh winhttp show proxy: empty output")
    values = []
    for line in lines[1:]:
        match = _LABELLED_RE.match(line)
        if match:
            values.append(match.group(2).strip())
    if not values:
        return ProxySettings()
    server = values[0]
    if not _SERVER_RE.match(server):
        raise ParseError(f"netsh winhttp show proxy: not a proxy server: {server[:80]!r}")
    bypass = values[1] if len(values) > 1 else None
    if bypass is not None and bypass.strip("()").casefold() in ("none", "aucune", "keine", "aucun"):
        bypass = None
    return ProxySettings(server=server, bypass=bypass)


_REG_RE = re.compile(r"^\s+(\S.{0,80}?)\s{2,}(REG_[A-Z_]{2,20})\s{2,}(.*)$")


def parse_internet_settings(text: str) -> ProxySettings:
    """Parse ``reg query "HKCU\\...\\Internet Settings"``: the user's proxy (when ``ProxyEnable`` is
    set) and PAC script."""
    check_text(text, "reg query Internet Settings")
    if is_blank(text):
        raise ParseError("reg query: empty output")
    values: dict[str, str] = {}
    for line in iter_lines(text):
        match = _REG_RE.match(line)
        if match:
            values[match.group(1).strip().casefold()] = match.group(3).strip()
    if not values:
        raise ParseError(f"reg query: no value line: {text.strip()[:80]!r}")
    enabled = parse_int(values.get("proxyenable", "0"), base=16) or 0
    server = values.get("proxyserver") if enabled else None
    return ProxySettings(
        server=server or None,
        bypass=values.get("proxyoverride") if server else None,
        pac_url=values.get("autoconfigurl") or None,
    )
