"""Parse macOS ``scutil --proxy``: the system proxy and PAC settings of the current network service.

Sample::

    <dictionary> {
      ExceptionsList : <array> {
        0 : *.local
        1 : 169.254/16
      }
      FTPPassive : 1
      HTTPEnable : 1
      HTTPPort : 8080
      HTTPProxy : proxy.example
      HTTPSEnable : 0
      ProxyAutoConfigEnable : 1
      ProxyAutoConfigURLString : http://wpad.example/proxy.pac
      ProxyAutoDiscoveryEnable : 0
    }

Keys are SystemConfiguration's ``kSCPropNetProxies*`` names, never translated. Hand-written: jc has
no ``scutil`` parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homediag.net.errors import ParseError
from homediag.net.os._common import check_text, iter_lines, parse_int
from homediag.net.os.windows_proxy import ProxySettings

_ENTRY_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{0,60})\s*:\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class MacProxy:
    """The proxy keys of ``scutil --proxy`` (only the top-level ones)."""

    values: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str | None:
        """The value of ``key``, or None."""
        return next((value for name, value in self.values if name == key), None)

    def enabled(self, key: str) -> bool:
        """Whether the ``...Enable`` key ``key`` is 1."""
        return parse_int(self.get(key)) == 1

    def settings(self) -> ProxySettings:
        """The settings as one value: the HTTPS proxy, else the HTTP one; the PAC URL."""
        server = None
        for scheme in ("HTTPS", "HTTP", "SOCKS"):
            host = self.get(f"{scheme}Proxy")
            if self.enabled(f"{scheme}Enable") and host:
                port = self.get(f"{scheme}Port")
                server = f"{host}:{port}" if port else host
                break
        pac = self.get("ProxyAutoConfigURLString") if self.enabled("ProxyAutoConfigEnable") else None
        return ProxySettings(server=server, pac_url=pac or None)


def parse_scutil_proxy(text: str) -> MacProxy:
    """Parse ``scutil --proxy``; text that is not a ``<dictionary>`` raises :class:`ParseError`."""
    check_text(text, "scutil --proxy")
    if "<dictionary>" not in text:
        raise ParseError(f"scutil --proxy: no dictionary: {text.strip()[:80]!r}")
    depth = 0
    values: list[tuple[str, str]] = []
    for line in iter_lines(text):
        stripped = line.strip()
        if stripped.startswith("}"):
            depth -= 1
            continue
        match = _ENTRY_RE.match(stripped)
        if stripped.endswith("{"):
            depth += 1
            continue
        if match and depth == 1:
            values.append((match.group(1), match.group(2)))
    return MacProxy(values=tuple(values))
