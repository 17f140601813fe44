"""The one UPnP IGD action homediag sends: ``GetExternalIPAddress`` (read-only), and its answer.

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

:func:`parse_external_ip_response` is pure and module-level (it runs in ``ctx.parse_untrusted``); the XML
goes through the capped defusedxml parser of :mod:`homediag.net.upnp.safe_xml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ExternalAddressReply:
    """What the IGD said: the address text (unvalidated), or its fault."""

    address: str | None
    """``NewExternalIPAddress`` as sent (may be empty, ``0.0.0.0`` or junk: validate before use)."""
    fault_code: int | None = None
    fault_description: str | None = None


def build_request(service_type: str) -> tuple[bytes, dict[str, str]]:
    """The SOAP body and headers of ``GetExternalIPAddress`` for a WAN*Connection ``service_type``."""
    if not SERVICE_TYPE_RE.match(service_type):
        raise ValueError(f"not a WAN connection service type: {service_type[:80]!r}")
    body = (
        '<?xml version="1.0"?>\r\n'
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
        f"<u:GetExternalIPAddress xmlns:u={quoteattr(service_type)}></u:GetExternalIPAddress>"
        "</s:Body></s:Envelope>\r\n"
    )
    headers = {
        "Content-Type": 'text/xml; charset="utf-8"',
        "SOAPAction": f'"{escape(service_type)}#GetExternalIPAddress"',
    }
    return body.encode("utf-8"), headers


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
