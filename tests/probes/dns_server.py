"""A DNS server on 127.0.0.1 (UDP and TCP on one port) whose behaviour a test chooses."""

from __future__ import annotations

import socket
import struct
import threading
import time

import dns.message
import dns.rcode
import dns.rrset

KNOWN = {"example.com.": "192.0.2.80", "connectivitycheck.example.net.": "192.0.2.81"}


class DnsServer:
    """Modes: answer, hijack (addresses for names that do not exist), other (different addresses),
    slow (random names wait ``delay_s``), tcp-only (UDP silent), silent (UDP silent, no TCP), refuse.
    ``drop_udp``: the first so many UDP queries are lost (a lossy link). ``late_first_s``: the first UDP
    query is answered after that many seconds and every later UDP query is lost."""

    def __init__(self, mode: str, delay_s: float = 0.0, drop_udp: int = 0) -> None:
        self.mode = mode
        self.delay_s = delay_s
        self.drop_udp = drop_udp
        self.late_first_s: float | None = None
        self.udp_seen = 0
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.1)
        self.port = self.udp.getsockname()[1]
        self.tcp: socket.socket | None = None
        if mode != "silent":
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.tcp.bind(("127.0.0.1", self.port))
            self.tcp.listen(8)
            self.tcp.settimeout(0.1)
        self.queries: list[str] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._serve_udp, daemon=True)]
        if self.tcp is not None:
            self.threads.append(threading.Thread(target=self._serve_tcp, daemon=True))
        for thread in self.threads:
            thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def answer(self, wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        name = query.question[0].name.to_text().lower()
        self.queries.append(name)
        response = dns.message.make_response(query)
        if self.mode == "refuse":
            response.set_rcode(dns.rcode.REFUSED)
            return response.to_wire()
        if name.startswith("hd-") and self.delay_s:
            time.sleep(self.delay_s)
        if name in KNOWN:
            address = KNOWN[name]
            if self.mode == "other":
                address = "203.0.113." + address.rsplit(".", 1)[1]
            response.answer.append(dns.rrset.from_text(name, 60, "IN", "A", address))
        elif self.mode == "hijack":
            response.answer.append(dns.rrset.from_text(name, 60, "IN", "A", "198.51.100.66"))
        else:
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response.to_wire()

    def _serve_udp(self) -> None:
        while not self.stop.is_set():
            try:
                data, peer = self.udp.recvfrom(4096)
            except TimeoutError:
                continue
            if self.mode in ("silent", "tcp-only"):
                continue
            if self.drop_udp > 0:
                self.drop_udp -= 1
                continue
            self.udp_seen += 1
            if self.late_first_s is not None:
                if self.udp_seen > 1:
                    continue
                time.sleep(self.late_first_s)
            reply = self.answer(data)
            if reply is not None:
                self.udp.sendto(reply, peer)

    def _serve_tcp(self) -> None:
        assert self.tcp is not None
        while not self.stop.is_set():
            try:
                conn, _peer = self.tcp.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1.0)
                try:
                    header = conn.recv(2)
                    (length,) = struct.unpack("!H", header)
                    data = b""
                    while len(data) < length:
                        chunk = conn.recv(length - len(data))
                        if not chunk:
                            break
                        data += chunk
                    reply = self.answer(data)
                    if reply is not None:
                        conn.sendall(struct.pack("!H", len(reply)) + reply)
                except (OSError, struct.error):
                    continue

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()
        self.udp.close()
        if self.tcp is not None:
            self.tcp.close()
