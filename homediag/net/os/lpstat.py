"""Parse CUPS ``lpstat -v`` output (Linux, macOS) in any language: print queues and their devices.

Sample::

    device for Office_Laser: ipp://192.0.2.20/ipp/print
    device for Brother_HL: dnssd://Brother%20HL-L2350DW._ipp._tcp.local./?uuid=0e2c8a36-0000
    Gerät für Keller: socket://printer.example:9100
    périphérique pour Salon : lpd://[2001:db8::20]/queue

Hand-written: jc has no ``lpstat`` parser. CUPS translates the words before the queue name
(``device for``, ``Gerät für``, ``périphérique pour``); the structure does not change: the URI is
the last word (CUPS percent-encodes spaces in it) and the queue name is the word before it,
ending in a colon or followed by a lone colon (French). Queue names cannot contain spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from homediag.net.errors import ParseError
from homediag.net.os._common import (
    IPAddress,
    check_text,
    is_blank,
    iter_lines,
    parse_int,
    parse_ip,
)


@dataclass(frozen=True, slots=True)
class PrinterDevice:
    """One print queue and the device URI it sends jobs to."""

    name: str
    uri: str
    scheme: str | None = None
    """``ipp``, ``ipps``, ``socket``, ``lpd``, ``dnssd``, ``usb``, ``hp``, ``smb``..."""
    host: str | None = None
    """Host name or address as written in the URI (case kept; for ``dnssd`` the service name)."""
    port: int | None = None

    @property
    def address(self) -> IPAddress | None:
        """The host as an IP address, when the URI names the printer by address."""
        return parse_ip(self.host) if self.host else None

    @property
    def network(self) -> bool:
        """Whether the queue prints over the network (not USB, a file or a local backend)."""
        return self.host is not None and self.scheme not in ("usb", "file", "parallel", "serial")


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]{0,30}):(.*)")


def split_uri(uri: str) -> tuple[str | None, str | None, int | None]:
    """(scheme, host, port) of a device URI; host keeps its case; ``None`` where absent."""
    match = _SCHEME.fullmatch(uri)
    if not match:
        return None, None, None
    scheme = match.group(1).lower()
    rest = match.group(2)
    if not rest.startswith("//"):
        # hp:/net/HP_LaserJet?ip=192.0.2.20 (HPLIP names network printers in the query)
        query = rest.partition("?")[2]
        for item in query.split("&"):
            key, _, value = item.partition("=")
            if key in ("ip", "hostname") and value:
                return scheme, unquote(value), None
        return scheme, None, None
    authority = rest[2:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    authority = authority.rsplit("@", 1)[-1]
    port = None
    if authority.startswith("["):
        host, _, after = authority[1:].partition("]")
        if after.startswith(":"):
            port = parse_int(after[1:])
    else:
        host, sep, port_text = authority.partition(":")
        if sep:
            port = parse_int(port_text)
    host = unquote(host) if scheme == "dnssd" else host
    if port is not None and not 0 < port < 65536:
        port = None
    return scheme, host or None, port


def _line(tokens: list[str]) -> PrinterDevice | None:
    if len(tokens) < 2:
        return None
    uri = tokens[-1]
    if tokens[-2] == ":" and len(tokens) >= 3:
        name = tokens[-3]
    elif tokens[-2].endswith(":") and len(tokens[-2]) > 1:
        name = tokens[-2][:-1]
    else:
        return None
    scheme, host, port = split_uri(uri)
    if scheme is None and not uri.startswith("/"):
        return None
    return PrinterDevice(name=name, uri=uri, scheme=scheme, host=host, port=port)


def parse_lpstat_v(text: str) -> list[PrinterDevice]:
    """Parse ``lpstat -v``.

    Lines that fit no queue are skipped; non-blank text without a single queue raises
    :class:`ParseError` (``lpstat: No destinations added.`` is read as no queue).
    """
    check_text(text, "lpstat -v")
    devices: list[PrinterDevice] = []
    unread = []
    for line in iter_lines(text):
        tokens = line.split()
        if not tokens:
            continue
        device = _line(tokens)
        if device is None:
            unread.append(line)
        else:
            devices.append(device)
    if not devices and not is_blank(text):
        if len(unread) == 1 and unread[0].lstrip().startswith("lpstat"):
            return []  # "lpstat: No destinations added." (translated after this prefix)
        raise ParseError("lpstat -v: no print queue could be read")
    return devices
