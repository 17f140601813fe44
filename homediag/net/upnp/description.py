"""UPnP device descriptions (the XML at an SSDP ``LOCATION``), parsed from hostile bytes.

```xml
<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
    <friendlyName>Home router</friendlyName>
    <manufacturer>Example</manufacturer><modelName>R1</modelName><modelNumber>1.0</modelNumber>
    <serialNumber>00000001</serialNumber><UDN>uuid:00000000-0000-0000-0000-000000000001</UDN>
    <serviceList><service>
      <serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
      <serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId>
      <controlURL>/ctl/L3F</controlURL><eventSubURL>/evt/L3F</eventSubURL><SCPDURL>/L3F.xml</SCPDURL>
    </service></serviceList>
    <deviceList><device>...an embedded WANDevice...</device></deviceList>
  </device>
</root>
```

:func:`parse_description` is pure and module-level so that it runs in ``ctx.parse_untrusted``; the XML
goes through :mod:`homediag.net.upnp.safe_xml` (defusedxml, byte, element and depth caps). Service
URLs are resolved against ``URLBase`` or the location and kept only when they stay on the location's host
and use http(s): a device cannot point homediag at another host (async_upnp_client's SSRF rule).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from homediag.net.upnp.safe_xml import (
    MAX_XML_BYTES,
    UpnpXmlError,
    child,
    child_text,
    children,
    local_name,
    parse_capped,
)

MAX_DEVICES = 64
"""Devices (root and embedded) kept from one description."""
MAX_SERVICES = 256
"""Services kept from one description, over all its devices."""
MAX_URL_CHARS = 1024


@dataclass(frozen=True)
class UpnpService:
    """A service a UPnP device declares, with its URLs made absolute (None: missing or refused)."""

    service_type: str | None
    service_id: str | None
    control_url: str | None
    scpd_url: str | None
    event_sub_url: str | None


@dataclass(frozen=True)
class UpnpDevice:
    """A device of a description (the root device, or one embedded in it)."""

    device_type: str | None
    friendly_name: str | None
    manufacturer: str | None
    model_name: str | None
    model_number: str | None
    serial_number: str | None
    udn: str | None
    services: tuple[UpnpService, ...] = ()
    devices: tuple[UpnpDevice, ...] = ()
    """Embedded devices."""

    def walk(self) -> Iterator[UpnpDevice]:
        """This device and every embedded device, depth first (iterative)."""
        stack: list[UpnpDevice] = [self]
        while stack:
            device = stack.pop()
            yield device
            stack.extend(reversed(device.devices))

    def all_services(self) -> Iterator[UpnpService]:
        """The services of this device and of every embedded device."""
        for device in self.walk():
            yield from device.services


@dataclass(frozen=True)
class DeviceDescription:
    """A parsed description: the root device and what was refused or cut on the way."""

    location: str
    root: UpnpDevice
    anomalies: tuple[str, ...] = ()
    """Refused URLs (another host, another scheme) and similar oddities, one short line each."""
    truncated: bool = False
    """More devices or services than the caps: the rest was dropped."""


class _Budget:
    def __init__(self) -> None:
        self.devices = 0
        self.services = 0
        self.truncated = False
        self.anomalies: list[str] = []

    def note(self, text: str) -> None:
        if len(self.anomalies) < 32 and text not in self.anomalies:
            self.anomalies.append(text)


def same_origin_url(base: str, url: str | None) -> tuple[str | None, str | None]:
    """``url`` resolved against ``base``; (absolute URL, None) or (None, reason) when refused.

    Refused: another host than ``base``'s, a scheme other than http/https, credentials in the URL.
    """
    if url is None or not url.strip():
        return None, None
    value = url.strip()
    if len(value) > MAX_URL_CHARS:
        return None, "URL too long"
    try:
        resolved = urljoin(base, value)
        parts, origin = urlsplit(resolved), urlsplit(base)
        host_ok = parts.hostname is not None and parts.hostname == origin.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return None, "malformed URL"
    if parts.scheme not in ("http", "https"):
        return None, f"scheme {parts.scheme or 'none'!r} refused"
    if "@" in parts.netloc:
        return None, "credentials in URL refused"
    if not host_ok:
        return None, f"another host ({(parts.hostname or '?')[:64]}) refused"
    return resolved, None


def parse_description(data: bytes, location: str) -> DeviceDescription:
    """Parse the description fetched from ``location``; raise ``UpnpXmlError`` when refused."""
    root = parse_capped(data, max_bytes=MAX_XML_BYTES)
    if local_name(root.tag) != "root":
        raise UpnpXmlError(f"root element is <{local_name(root.tag)[:40]}>, not <root>")
    device_element = child(root, "device")
    if device_element is None:
        raise UpnpXmlError("no <device> in the description")
    budget = _Budget()
    base = location
    url_base = child_text(root, "URLBase", MAX_URL_CHARS)
    if url_base is not None:
        resolved, problem = same_origin_url(location, url_base)
        if resolved is None:
            budget.note(f"URLBase: {problem}")
        else:
            base = resolved
    device = _device(device_element, base, budget)
    return DeviceDescription(
        location=location,
        root=device,
        anomalies=tuple(budget.anomalies),
        truncated=budget.truncated,
    )


def _device(element: ET.Element, base: str, budget: _Budget) -> UpnpDevice:
    # Recursion over embedded devices is bounded: parse_capped refused anything deeper than 32 XML
    # levels, and each level of embedding takes two (deviceList/device).
    budget.devices += 1
    services: list[UpnpService] = []
    service_list = child(element, "serviceList")
    for service in children(service_list, "service") if service_list is not None else ():
        if budget.services >= MAX_SERVICES:
            budget.truncated = True
            break
        budget.services += 1
        services.append(_service(service, base, budget))
    embedded: list[UpnpDevice] = []
    device_list = child(element, "deviceList")
    for sub in children(device_list, "device") if device_list is not None else ():
        if budget.devices >= MAX_DEVICES:
            budget.truncated = True
            break
        embedded.append(_device(sub, base, budget))
    return UpnpDevice(
        device_type=child_text(element, "deviceType"),
        friendly_name=child_text(element, "friendlyName"),
        manufacturer=child_text(element, "manufacturer"),
        model_name=child_text(element, "modelName"),
        model_number=child_text(element, "modelNumber"),
        serial_number=child_text(element, "serialNumber"),
        udn=child_text(element, "UDN"),
        services=tuple(services),
        devices=tuple(embedded),
    )


def _service(element: ET.Element, base: str, budget: _Budget) -> UpnpService:
    service_type = child_text(element, "serviceType")
    urls: dict[str, str | None] = {}
    for name in ("controlURL", "SCPDURL", "eventSubURL"):
        resolved, problem = same_origin_url(base, child_text(element, name, MAX_URL_CHARS))
        if problem is not None:
            budget.note(f"{name} of {service_type or 'a service'}: {problem}"[:200])
        urls[name] = resolved
    return UpnpService(
        service_type=service_type,
        service_id=child_text(element, "serviceId"),
        control_url=urls["controlURL"],
        scpd_url=urls["SCPDURL"],
        event_sub_url=urls["eventSubURL"],
    )
