"""A hostile LAN device: every answer it gives is an attack on the prober (docs/hostile-input.md).

It announces itself by avahi like any device (a printer, a cast device, a Hue bridge, an MQTT broker, so
every device probe visits it) and then:

- **mDNS**: to every query on 224.0.0.251:5353 it adds malformed answers from port 5353: a name that
  points at itself, a chain of 1500 compression pointers, an RDLENGTH past the end, a header claiming
  65535 questions, a 9001-byte packet;
- **SSDP**: it answers M-SEARCH with LOCATIONs of an XML bomb (billion laughs, port 8080), an endless
  body (port 8081), a huge document (1 MiB + more of elements, port 8082), and LOCATIONs that must be
  refused (loopback, a name, another host of the LAN, ``file:``);
- **HTTP**: its cast info endpoint (8008) and Hue config (80) answer one byte per second, forever;
- **IPP** (631): Get-Printer-Attributes gets a frame with a negative value length (the one that hangs
  pyipp), other paths get attribute lengths past the buffer and 1000 nested collections;
- **MQTT** (1883): accepts the connection and never answers.

Everything it sends stays on the lab LAN. Used by the ``hostile-device`` scenario only.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from homediag.lab.servers._http import Handler, Server

MDNS_GROUP = "224.0.0.251"
MDNS_PORT = 5353
SSDP_GROUP = "239.255.255.250"
SSDP_PORT = 1900

BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>&lol9;</friendlyName>'
    b"</device></root>"
)


def malformed_mdns() -> list[bytes]:
    """mDNS answers that a careless parser loops on, overruns, or chokes on."""
    header = struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0)
    self_pointer = header + b"\xc0\x0c" + struct.pack("!HHIH", 12, 1, 120, 2) + b"\xc0\x0c"
    chain = bytearray(header)
    start = len(chain)
    for i in range(1500):
        chain += struct.pack("!H", 0xC000 | (start + 2 * (i + 1)))
    chain += b"\x00" + struct.pack("!HHIH", 1, 1, 120, 4) + b"\x0a\x4d\x00\x42"
    overrun = header + b"\x04evil\x05local\x00" + struct.pack("!HHIH", 16, 1, 120, 4000) + b"\x05hello"
    questions = struct.pack("!HHHHHH", 0, 0x8400, 0xFFFF, 0, 0, 0)
    oversized = header + b"\x04evil\x05local\x00" + struct.pack("!HHIH", 16, 1, 120, 8970) + b"\x01" * 8970
    return [self_pointer, bytes(chain), overrun, questions, oversized]


def mdns_attacker(ip: str) -> None:
    """Answer every mDNS query with malformed packets (from port 5353, beside avahi)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    with contextlib.suppress(AttributeError, OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("0.0.0.0", MDNS_PORT))  # noqa: S104 - inside the hostile device's namespace
    sock.setsockopt(
        socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(MDNS_GROUP) + socket.inet_aton(ip)
    )
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ip))
    packets = malformed_mdns()
    while True:
        data, sender = sock.recvfrom(9000)
        if len(data) < 12 or data[2] & 0x80:  # answers, not queries
            continue
        for packet in packets:
            with contextlib.suppress(OSError):
                sock.sendto(packet, (MDNS_GROUP, MDNS_PORT))
                if sender[1] != MDNS_PORT:  # legacy unicast: answer the asker directly too
                    sock.sendto(packet, sender)


def ssdp_answers(ip: str) -> list[bytes]:
    """Answers to an M-SEARCH whose LOCATIONs are attacks or must be refused."""
    locations = [
        f"http://{ip}:8080/bomb.xml",
        f"http://{ip}:8081/endless.xml",
        f"http://{ip}:8082/huge.xml",
        "http://127.0.0.1:1900/rootDesc.xml",
        "http://evil.example/desc.xml",
        "http://10.77.0.1:5000/rootDesc.xml",
        "file:///etc/passwd",
        f"http://{ip}@evil.example/",
    ]
    out = []
    for n, location in enumerate(locations):
        fields = [
            "HTTP/1.1 200 OK",
            "CACHE-CONTROL: max-age=100",
            "EXT:",
            f"LOCATION: {location}",
            "SERVER: Evil/1.0 UPnP/1.0 \x1b[31mred\x1b[0m",
            "ST: urn:schemas-upnp-org:device:MediaRenderer:1",
            f"USN: uuid:00000000-0000-0000-0000-0000000000{n:02d}::upnp:rootdevice",
        ]
        out.append(("\r\n".join(fields) + "\r\n\r\n").encode("utf-8", "replace"))
    out.append(b"HTTP/1.1 200 OK\r\n" + b"X-Flood: x\r\n" * 200 + b"\r\n")
    out.append(b"NOT-HTTP garbage \xff\xfe\x00")
    return out


def ssdp_attacker(ip: str) -> None:
    """Answer every M-SEARCH with the hostile answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", SSDP_PORT))  # noqa: S104 - inside the hostile device's namespace
    sock.setsockopt(
        socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(SSDP_GROUP) + socket.inet_aton(ip)
    )
    answers = ssdp_answers(ip)
    while True:
        data, sender = sock.recvfrom(2048)
        if not data.upper().startswith(b"M-SEARCH"):
            continue
        for answer in answers:
            with contextlib.suppress(OSError):
                sock.sendto(answer, sender)


class Trickle(Handler):
    """Answers 200 and then one byte per second, for ever."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100_000):
                self.wfile.write(b"{")
                self.wfile.flush()
                time.sleep(1.0)
        except OSError:
            return

    do_POST = do_GET


class XmlAttacks(Handler):
    """The XML bomb, the endless description and the huge one."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        port = self.connection.getsockname()[1]
        if port == 8080:
            self.send_body(200, BOMB, "text/xml")
            return
        if port == 8081:
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<device>" * 1024
            try:
                self.wfile.write(b'<?xml version="1.0"?><root>')
                while True:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except OSError:
                return
        body = b'<?xml version="1.0"?><root>' + b"<a>" * 300_000 + b"</a>" * 300_000 + b"</root>"
        self.send_body(200, body, "text/xml")


def ipp_frame(path: str) -> bytes:
    """A broken IPP answer: a negative value length, a length past the buffer, or deep collections."""
    head = struct.pack("!BBHI", 2, 0, 0, 1) + b"\x01"
    charset = b"\x47" + struct.pack("!H", 18) + b"attributes-charset" + struct.pack("!H", 5) + b"utf-8"
    if path.endswith("past"):
        return head + charset + b"\x04\x44" + struct.pack("!H", 4) + b"evil" + struct.pack("!H", 32767) + b"x"
    if path.endswith("deep"):
        nested = b"\x34" + struct.pack("!H", 4) + b"deep" + struct.pack("!H", 0)
        inner = (
            b"\x4a" + struct.pack("!H", 0) + struct.pack("!H", 1) + b"m" + b"\x34\x00\x00\x00\x00"
        ) * 1000
        return head + charset + b"\x04" + nested + inner + b"\x03"
    return (
        head
        + charset
        + b"\x04\x23"
        + struct.pack("!H", 13)
        + b"printer-state"
        + struct.pack("!h", -5)
        + b"\x00"
    )


class BrokenIpp(Handler):
    """Answers every IPP request with a broken frame."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.read_body(65536)
        self.send_body(200, ipp_frame(urlsplit(self.path).path), "application/ipp")

    do_GET = do_POST


def silent_tcp(port: int) -> None:
    """Accept connections and never answer (an MQTT broker that sends no CONNACK)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", port))  # noqa: S104 - inside the hostile device's namespace
    sock.listen(16)
    held: list[socket.socket] = []
    while True:
        conn, _ = sock.accept()
        held = [*held[-64:], conn]


def main(argv: list[str] | None = None) -> None:
    """Start every attack."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ip", required=True, help="the device's own address")
    args = parser.parse_args(argv)
    for target, target_args in (
        (mdns_attacker, (args.ip,)),
        (ssdp_attacker, (args.ip,)),
        (silent_tcp, (1883,)),
    ):
        threading.Thread(target=target, args=target_args, daemon=True).start()
    servers: list[tuple[int, type[BaseHTTPRequestHandler]]] = [
        (80, Trickle),
        (8008, Trickle),
        (8080, XmlAttacks),
        (8081, XmlAttacks),
        (8082, XmlAttacks),
        (631, BrokenIpp),
    ]
    running = [Server(("0.0.0.0", port), handler) for port, handler in servers]  # noqa: S104
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in running]
    for thread in threads:
        thread.start()
    sys.stderr.write(f"hostile: attacking from {args.ip}\n")
    sys.stderr.flush()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
