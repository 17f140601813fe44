"""A tiny SSDP responder and UPnP IGD for namespace tests, honest or hostile on request (stdlib only).

Run inside a lab namespace::

    python upnp_responder.py --address 192.0.2.1 --external-ip 100.64.3.4
    python upnp_responder.py --address 192.0.2.5 --location http://127.0.0.1:49000/desc.xml
    python upnp_responder.py --address 192.0.2.5 --body endless
    python upnp_responder.py --http-only --address 127.0.0.1 --log /tmp/requests.log   # a trap
    python upnp_responder.py --http-only --address 192.0.2.1 --port 8080 --body public  # "what is my IP"

It answers every M-SEARCH (ssdp:all, the IGD type, the WAN service type, upnp:rootdevice) with unicast
replies naming ``--location``, serves a device description at ``/desc.xml`` (or a hostile body) and
answers ``GetExternalIPAddress`` with ``--external-ip``. Every HTTP request is appended to ``--log``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import struct
from pathlib import Path

GROUP = "239.255.255.250"

RENDERER = """<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device>
<deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>
<friendlyName>{name}</friendlyName><manufacturer>ExampleCo</manufacturer><modelName>Test TV</modelName>
<UDN>uuid:00000000-0000-4000-8000-0000000000bb</UDN>
</device></root>
"""

DESCRIPTION = """<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
<specVersion><major>1</major><minor>0</minor></specVersion>
<device>
<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
<friendlyName>{name}</friendlyName><manufacturer>ExampleCo</manufacturer>
<modelName>Test IGD</modelName><modelNumber>7</modelNumber><serialNumber>SN-0001</serialNumber>
<UDN>uuid:00000000-0000-4000-8000-0000000000aa</UDN>
<deviceList><device>
<deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
<friendlyName>WAN</friendlyName><UDN>uuid:00000000-0000-4000-8000-0000000000ab</UDN>
<deviceList><device>
<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
<friendlyName>WAN connection</friendlyName><UDN>uuid:00000000-0000-4000-8000-0000000000ac</UDN>
<serviceList><service>
<serviceType>urn:schemas-upnp-org:service:{service}</serviceType>
<serviceId>urn:upnp-org:serviceId:WANConn1</serviceId>
<controlURL>{control}</controlURL><eventSubURL>/evt</eventSubURL><SCPDURL>/scpd.xml</SCPDURL>
</service></serviceList>
</device></deviceList>
</device></deviceList>
</device>
</root>
"""

SOAP = (
    '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
    '<u:GetExternalIPAddressResponse xmlns:u="urn:schemas-upnp-org:service:{service}">'
    "<NewExternalIPAddress>{address}</NewExternalIPAddress>"
    "</u:GetExternalIPAddressResponse></s:Body></s:Envelope>\r\n"
)

_ENTITIES = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [' + "".join(_ENTITIES) + "]>"
    '<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>&lol9;</friendlyName>'
    "</device></root>"
)


def _body(args: argparse.Namespace) -> bytes:
    if args.body == "bomb":
        return BOMB.encode()
    if args.body == "deep":
        return b"<root>" + b"<a>" * 200_000 + b"</a>" * 200_000 + b"</root>"
    if args.body == "public":
        return f"{args.public_ip}\n".encode()
    if args.kind == "renderer":
        return RENDERER.format(name=args.name).encode()
    control = args.control or "/ctl"
    return DESCRIPTION.format(name=args.name, service=args.service, control=control).encode()


async def handle_http(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, args: argparse.Namespace
) -> None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        first = head.split(b"\r\n", 1)[0].decode(errors="replace")
        if args.log:
            with Path(args.log).open("a") as log:
                log.write(first + "\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        if length:
            await reader.readexactly(min(length, 65536))
        if first.startswith("POST"):
            payload = SOAP.format(service=args.service, address=args.external_ip).encode()
            writer.write(_head(200, len(payload)) + payload)
        elif args.body == "endless":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<root>")
            chunk = b"<a/>" * 16384
            while True:
                writer.write(chunk)
                await writer.drain()
        elif args.body == "trickle":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n")
            while True:
                writer.write(b"<")
                await writer.drain()
                await asyncio.sleep(0.5)
        else:
            payload = _body(args)
            writer.write(_head(200, len(payload)) + payload)
        await writer.drain()
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.close()


def _head(status: int, length: int) -> bytes:
    return (
        f'HTTP/1.1 {status} OK\r\nContent-Type: text/xml; charset="utf-8"\r\n'
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()


class Ssdp(asyncio.DatagramProtocol):
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not data.startswith(b"M-SEARCH") or self.transport is None:
            return
        location = self.args.location or f"http://{self.args.address}:{self.args.port}/desc.xml"
        uuid = "uuid:00000000-0000-4000-8000-0000000000aa"
        if self.args.kind == "renderer":
            targets = ["upnp:rootdevice", "urn:schemas-upnp-org:device:MediaRenderer:1"]
        else:
            targets = [
                "upnp:rootdevice",
                "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
                f"urn:schemas-upnp-org:service:{self.args.service}",
            ]
        for st in targets:
            reply = (
                "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nEXT:\r\n"
                f"ST: {st}\r\nUSN: {uuid}::{st}\r\nLOCATION: {location}\r\n"
                "SERVER: Linux/6 UPnP/1.0 test-igd/1\r\n\r\n"
            )
            self.transport.sendto(reply.encode(), addr)
        for _ in range(self.args.junk):
            self.transport.sendto(b"NOT SSDP AT ALL\r\n\r\n", addr)
        if self.args.oversized:
            self.transport.sendto(b"HTTP/1.1 200 OK\r\nST: x\r\nX: " + b"a" * 9000 + b"\r\n\r\n", addr)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, default=49000)
    parser.add_argument("--location")
    parser.add_argument("--control")
    parser.add_argument("--name", default="Test router")
    parser.add_argument("--service", default="WANIPConnection:1")
    parser.add_argument("--external-ip", default="203.0.113.7")
    parser.add_argument("--public-ip", default="203.0.113.7")
    parser.add_argument("--body", default="normal")
    parser.add_argument("--kind", default="igd", choices=("igd", "renderer"))
    parser.add_argument("--junk", type=int, default=0)
    parser.add_argument("--oversized", action="store_true")
    parser.add_argument("--http-only", action="store_true")
    parser.add_argument("--log")
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    server = await asyncio.start_server(
        lambda r, w: handle_http(r, w, args), args.address, args.port, reuse_address=True
    )
    if not args.http_only:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("", 1900))
        membership = struct.pack("4s4s", socket.inet_aton(GROUP), socket.inet_aton(args.address))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        await loop.create_datagram_endpoint(lambda: Ssdp(args), sock=sock)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
