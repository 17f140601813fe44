"""The read-only UPnP IGD actions homediag sends, and their answers.

``GetExternalIPAddress`` (WANIPConnection / WANPPPConnection), ``GetStatusInfo`` (the same services) and
``GetCommonLinkProperties`` (WANCommonInterfaceConfig): each reads state, none changes anything; no other
action can be built (:data:`READ_ONLY_ACTIONS`).

Request (POST to the service's controlURL, ``SOAPACTION: "<serviceType>#GetExternalIPAddress"``)::

    <?xml version="1.0"?>
    <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
        s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>
    <u:GetExternalIPAddress xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1"/>
    </s:Body></s:Envelope>

Answer (or a ``s:Fault`` with a ``UPnPError`` ``errorCode`` such as 501)::

    <s:Envelope ...><s:Body><u:GetExternalIPAddressResponse xmlns:u="...">
    <NewExternalIPAddress>203.0.113.7</NewExternalIPAddress>
    </u:GetExternalIPAddressResponse></s:Body></s:Envelope>

:func:`parse_external_ip_response` and :func:`parse_action_response` are pure and module-level (they run in
``ctx.parse_untrusted``); the XML goes through the capped defusedxml parser of
:mod:`homediag.net.upnp.safe_xml`. :func:`control_url_allowed` says whether a control (or description) URL
may be asked at all: only http(s) on the IGD's own address inside the local subnet.
"""

from __future__ import annotations

import ipaddress
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from homediag.net.os._common import parse_int
from homediag.net.upnp.safe_xml import (
    UpnpXmlError,
    child_text,
    clean_value,
    iter_named,
    local_name,
    parse_capped,
)

MAX_SOAP_BYTES = 64 * 1024
SERVICE_TYPE_RE = re.compile(r"^urn:schemas-upnp-org:service:WAN(IP|PPP)Connection:\d{1,2}$")
COMMON_INTERFACE_RE = re.compile(r"^urn:schemas-upnp-org:service:WANCommonInterfaceConfig:\d{1,2}$")
READ_ONLY_ACTIONS = {
    "GetExternalIPAddress": SERVICE_TYPE_RE,
    "GetStatusInfo": SERVICE_TYPE_RE,
    "GetCommonLinkProperties": COMMON_INTERFACE_RE,
}
"""The actions homediag may send, with the service types that offer them: all read-only."""
MAX_ARGUMENTS = 16
"""Output arguments kept from one answer."""


@dataclass(frozen=True)
class ExternalAddressReply:
    """What the IGD said: the address text (unvalidated), or its fault."""

    address: str | None
    """``NewExternalIPAddress`` as sent (may be empty, ``0.0.0.0`` or junk: validate before use)."""
    fault_code: int | None = None
    fault_description: str | None = None


@dataclass(frozen=True)
class ActionReply:
    """The output arguments of a read-only action (text as sent, unvalidated), or its fault."""

    values: dict[str, str] = field(default_factory=dict)
    """Output argument name -> its text (stripped, control characters removed, at most 256 characters)."""
    fault_code: int | None = None
    fault_description: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the IGD answered (not a fault)."""
        return self.fault_code is None and self.fault_description is None


def build_request(service_type: str) -> tuple[bytes, dict[str, str]]:
    """The SOAP body and headers of ``GetExternalIPAddress`` for a WAN*Connection ``service_type``."""
    return build_action(service_type, "GetExternalIPAddress")


def build_action(service_type: str, action: str) -> tuple[bytes, dict[str, str]]:
    """The SOAP body and headers of the read-only ``action`` (no input arguments) for ``service_type``;
    ``ValueError`` for an action not in :data:`READ_ONLY_ACTIONS` or a service type that does not offer it."""
    pattern = READ_ONLY_ACTIONS.get(action)
    if pattern is None:
        raise ValueError(f"not a read-only IGD action: {action[:40]!r}")
    if not pattern.match(service_type):
        raise ValueError(f"{action} is not an action of {service_type[:80]!r}")
    body = (
        '<?xml version="1.0"?>\r\n'
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
        f"<u:{action} xmlns:u={quoteattr(service_type)}></u:{action}>"
        "</s:Body></s:Envelope>\r\n"
    )
    headers = {
        "Content-Type": 'text/xml; charset="utf-8"',
        "SOAPAction": f'"{escape(service_type)}#{action}"',
    }
    return body.encode("utf-8"), headers


def control_url_allowed(url: str, igd_address: str, subnet_text: object) -> bool:
    """Whether ``url`` is http(s) on the IGD's own address inside the local subnet."""
    try:
        parts = urlsplit(url)
        host = ipaddress.IPv4Address(parts.hostname or "")
        subnet = ipaddress.IPv4Network(str(subnet_text), strict=False)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and "@" not in parts.netloc
        and str(host) == igd_address
        and host in subnet
        and not host.is_loopback
    )


def parse_action_response(data: bytes, action: str) -> ActionReply:
    """Parse the answer to the read-only ``action``: its output arguments (the children of
    ``<u:{action}Response>``, at most :data:`MAX_ARGUMENTS`), or its fault; ``UpnpXmlError`` when it is
    neither."""
    root = parse_capped(data, max_bytes=MAX_SOAP_BYTES, max_elements=256, max_depth=12)
    if local_name(root.tag) != "Envelope":
        raise UpnpXmlError("not a SOAP envelope")
    for response in iter_named(root, f"{action}Response"):
        values: dict[str, str] = {}
        for argument in response:
            name = local_name(argument.tag)[:64]
            if len(values) >= MAX_ARGUMENTS:
                break
            values.setdefault(name, clean_value(argument.text, 256) or "")
        return ActionReply(values=values)
    fault = _fault(root)
    if fault is not None:
        return fault
    raise UpnpXmlError(f"no {action[:40]}Response and no fault in the answer")


def _fault(root: ET.Element) -> ActionReply | None:
    for error in iter_named(root, "UPnPError"):
        code_text = child_text(error, "errorCode", 16)
        code = parse_int(code_text) if code_text is not None and len(code_text) <= 6 else None
        return ActionReply(
            fault_code=code if code is not None else 0,
            fault_description=child_text(error, "errorDescription", 120),
        )
    for fault in iter_named(root, "Fault"):
        return ActionReply(fault_description=child_text(fault, "faultstring", 120) or "SOAP fault")
    return None


def parse_external_ip_response(data: bytes) -> ExternalAddressReply:
    """Parse the answer to ``GetExternalIPAddress``; raise ``UpnpXmlError`` when it is neither an
    answer nor a fault."""
    root = parse_capped(data, max_bytes=MAX_SOAP_BYTES, max_elements=256, max_depth=12)
    if local_name(root.tag) != "Envelope":
        raise UpnpXmlError("not a SOAP envelope")
    for element in iter_named(root, "NewExternalIPAddress"):
        return ExternalAddressReply(address=clean_value(element.text, 64) or "")
    for error in iter_named(root, "UPnPError"):
        code_text = child_text(error, "errorCode", 16)
        code = parse_int(code_text) if code_text is not None and len(code_text) <= 6 else None
        return ExternalAddressReply(
            address=None,
            fault_code=code,
            fault_description=child_text(error, "errorDescription", 120),
        )
    for fault in iter_named(root, "Fault"):
        return ExternalAddressReply(
            address=None, fault_description=child_text(fault, "faultstring", 120) or "SOAP fault"
        )
    raise UpnpXmlError("no NewExternalIPAddress and no fault in the answer")
