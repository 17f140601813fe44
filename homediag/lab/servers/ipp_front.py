"""An IPP front for ippeveprinter that implements Pause-Printer and Resume-Printer.

Debian 12's ippeveprinter answers Pause-Printer with "operation not supported", so the printer's
paused state lives here: Pause-Printer and Resume-Printer are answered by this front (the state is a
flag file, so the lab can also set it), and every other request is forwarded to ippeveprinter. While
paused, Get-Printer-Attributes answers are rewritten to ``printer-state = stopped`` and
``printer-state-reasons = paused``, as a paused printer reports itself. Printer URIs in answers are
rewritten from the backend's port to the public one.

IPP framing (RFC 8010 §3.1): version (2 bytes), operation or status (2), request id (4), then groups:
a delimiter tag (0x01-0x0f, 0x03 ends), attributes as value tag (1), name length (2), name, value
length (2), value; an empty name adds a value to the previous attribute.
"""

from __future__ import annotations

import argparse
import http.client
import re
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from homediag.lab.servers._http import MAX_BODY, Handler, Server, serve_all, split_hostport

OP_GET_PRINTER_ATTRIBUTES = 0x000B
OP_PAUSE_PRINTER = 0x0010
OP_RESUME_PRINTER = 0x0011
TAG_OPERATION = 0x01
TAG_PRINTER = 0x04
TAG_END = 0x03
TAG_ENUM = 0x23
TAG_KEYWORD = 0x44
TAG_TEXT = 0x41
TAG_URI = 0x45
TAG_CHARSET = 0x47
TAG_LANGUAGE = 0x48
STATE_STOPPED = 5


class IppError(ValueError):
    """Not a well-formed IPP message."""


@dataclass
class Attribute:
    """One attribute value as it appears on the wire (additional values have an empty name)."""

    tag: int
    name: str
    value: bytes


@dataclass
class Message:
    """An IPP request or response."""

    version: bytes
    code: int
    request_id: int
    groups: list[tuple[int, list[Attribute]]]
    data: bytes = b""

    @classmethod
    def parse(cls, raw: bytes) -> Message:
        """Decode ``raw``; raise ``IppError`` when it is truncated or malformed."""
        if len(raw) < 9:
            raise IppError("too short")
        version, code, request_id = raw[:2], *struct.unpack("!HI", raw[2:8])
        pos = 8
        groups: list[tuple[int, list[Attribute]]] = []
        while True:
            if pos >= len(raw):
                raise IppError("no end-of-attributes tag")
            tag = raw[pos]
            pos += 1
            if tag == TAG_END:
                break
            if tag < 0x10:
                groups.append((tag, []))
                continue
            if not groups:
                raise IppError("attribute outside a group")
            if pos + 2 > len(raw):
                raise IppError("truncated name length")
            (name_len,) = struct.unpack("!H", raw[pos : pos + 2])
            pos += 2
            name = raw[pos : pos + name_len]
            pos += name_len
            if pos + 2 > len(raw):
                raise IppError("truncated value length")
            (value_len,) = struct.unpack("!H", raw[pos : pos + 2])
            pos += 2
            value = raw[pos : pos + value_len]
            pos += value_len
            if len(name) != name_len or len(value) != value_len:
                raise IppError("truncated attribute")
            groups[-1][1].append(Attribute(tag, name.decode("utf-8", "replace"), value))
        return cls(version, code, request_id, groups, raw[pos:])

    def encode(self) -> bytes:
        """The wire form."""
        out = bytearray(self.version + struct.pack("!HI", self.code, self.request_id))
        for tag, attrs in self.groups:
            out.append(tag)
            for attr in attrs:
                name = attr.name.encode()
                out += bytes([attr.tag]) + struct.pack("!H", len(name)) + name
                out += struct.pack("!H", len(attr.value)) + attr.value
        out.append(TAG_END)
        return bytes(out) + self.data


def operation_attributes() -> list[Attribute]:
    """The two attributes every response starts with."""
    return [
        Attribute(TAG_CHARSET, "attributes-charset", b"utf-8"),
        Attribute(TAG_LANGUAGE, "attributes-natural-language", b"en"),
    ]


def rewrite(message: Message, *, paused: bool, backend_port: int, public: str) -> Message:
    """Show the paused state, and the public host and port in printer URIs."""
    uri = re.compile(rb"^(ipps?)://[^/]*:" + str(backend_port).encode() + rb"/")
    new = rb"\1://" + public.encode() + b"/"
    groups: list[tuple[int, list[Attribute]]] = []
    for tag, attrs in message.groups:
        out: list[Attribute] = []
        current = ""
        for original in attrs:
            attr = original
            if attr.name:
                current = attr.name
            if attr.tag == TAG_URI:
                attr = Attribute(attr.tag, attr.name, uri.sub(new, attr.value))
            if paused and current == "printer-state":
                out.append(Attribute(TAG_ENUM, attr.name, struct.pack("!i", STATE_STOPPED)))
                continue
            if paused and current == "printer-state-reasons":
                if attr.name:
                    out.append(Attribute(TAG_KEYWORD, attr.name, b"paused"))
                continue
            if paused and current == "printer-state-message":
                out.append(Attribute(attr.tag, attr.name, b"Paused"))
                continue
            out.append(attr)
        groups.append((tag, out))
    return Message(message.version, message.code, message.request_id, groups, message.data)


def make_handler(backend: tuple[str, int], state: Path, public: str) -> type[Handler]:
    """The request handler bound to one backend and one state file."""

    class Front(Handler):
        protocol_version = "HTTP/1.1"

        def _body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                out = bytearray()
                while True:
                    size_line = self.rfile.readline(100)
                    try:
                        size = int(size_line.split(b";")[0].strip() or b"0", 16)
                    except ValueError:
                        return bytes(out)
                    if size == 0:
                        self.rfile.readline(100)
                        return bytes(out)
                    if len(out) + size > MAX_BODY:
                        raise IppError("request too large")
                    out += self.rfile.read(size)
                    self.rfile.readline(100)
            return self.read_body()

        def _forward(self, method: str, body: bytes) -> tuple[int, str, bytes]:
            conn = http.client.HTTPConnection(*backend, timeout=30)
            try:
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("transfer-encoding", "content-length", "expect", "connection")
                }
                headers["Content-Length"] = str(len(body))
                conn.request(method, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                return resp.status, resp.getheader("Content-Type") or "", resp.read(MAX_BODY)
            finally:
                conn.close()

        def do_GET(self) -> None:
            try:
                status, ctype, data = self._forward("GET", b"")
            except OSError:
                self.send_body(502, "printer backend unavailable\n")
                return
            self.send_body(status, data, ctype or "text/html")

        def do_POST(self) -> None:
            try:
                body = self._body()
                request = Message.parse(body)
            except IppError:
                self.send_body(400, "bad IPP request\n")
                return
            if request.code in (OP_PAUSE_PRINTER, OP_RESUME_PRINTER):
                if request.code == OP_PAUSE_PRINTER:
                    state.touch()
                else:
                    state.unlink(missing_ok=True)
                reply = Message(
                    request.version,
                    0x0000,
                    request.request_id,
                    [(TAG_OPERATION, operation_attributes())],
                )
                self.send_body(200, reply.encode(), "application/ipp")
                return
            try:
                status, ctype, data = self._forward("POST", body)
            except OSError:
                self.send_body(502, "printer backend unavailable\n")
                return
            if status == 200 and ctype.startswith("application/ipp"):
                try:
                    message = Message.parse(data)
                    is_attrs = request.code == OP_GET_PRINTER_ATTRIBUTES
                    data = rewrite(
                        message,
                        paused=is_attrs and state.exists(),
                        backend_port=backend[1],
                        public=public,
                    ).encode()
                except IppError:
                    pass
            self.send_body(status, data, ctype or "application/ipp")

    return Front


def main(argv: list[str] | None = None) -> None:
    """Run the front."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", default="0.0.0.0:631")
    parser.add_argument("--backend", default="127.0.0.1:8631")
    parser.add_argument("--state", type=Path, required=True, help="exists while paused")
    parser.add_argument("--public-host", default="localhost", help="host name in printer URIs")
    args = parser.parse_args(argv)
    listen = split_hostport(args.listen, 631)
    backend = split_hostport(args.backend, 8631)
    public = f"{args.public_host}:{listen[1]}"
    server = Server(listen, make_handler(backend, args.state, public))
    sys.stderr.write(f"ipp_front: {args.listen} -> {args.backend}\n")
    sys.stderr.flush()
    serve_all([server])


if __name__ == "__main__":
    main()
