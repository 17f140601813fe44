"""A device's small network face, from a JSON spec: fixed HTTP answers, open TCP ports, SSDP.

```json
{"http": [{"port": 8008, "routes": {"/setup/eureka_info": {"type": "application/json", "body": "{}"}},
           "default": {"status": 404}}],
 "tcp": [8009],
 "ssdp": {"ip": "10.77.0.13", "location": "http://10.77.0.13/description.xml", "server": "...",
          "uuid": "...", "types": ["upnp:rootdevice"], "headers": {"hue-bridgeid": "..."}}}
```
Cast devices answer on 8008, Hue bridges on 80 (``/api/config``) and by SSDP, HomeKit accessories
answer 470 until paired. "tcp" ports accept connections and close them (a TLS port we do not speak).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import socket
import struct
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from homediag.lab.servers._http import Handler, Server, serve_all

SSDP_GROUP = "239.255.255.250"
SSDP_PORT = 1900


def make_handler(routes: dict[str, dict[str, Any]], default: dict[str, Any]) -> type[Handler]:
    """A handler answering ``routes`` by path, ``default`` otherwise."""

    class Fixed(Handler):
        def do_GET(self) -> None:
            route = routes.get(urlsplit(self.path).path, default)
            self.send_body(
                int(route.get("status", 200)),
                str(route.get("body", "")),
                str(route.get("type", "text/plain")),
            )

        do_HEAD = do_GET

        def do_POST(self) -> None:
            self.read_body(65536)
            self.do_GET()

        do_PUT = do_POST

    return Fixed


def _accept_and_close(port: int) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", port))  # noqa: S104 - inside the device's namespace
    sock.listen(16)
    while True:
        conn, _ = sock.accept()
        conn.close()


def ssdp_reply(request: bytes, spec: dict[str, Any]) -> list[bytes]:
    """The unicast answers to one M-SEARCH datagram (none when the search target is not ours)."""
    text = request[:2048].decode("latin-1", errors="replace")
    lines = text.split("\r\n")
    if not lines or not lines[0].upper().startswith("M-SEARCH"):
        return []
    headers = {}
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip().upper()] = value.strip()
    target = headers.get("ST", "")
    uuid = f"uuid:{spec['uuid']}"
    types: list[str] = list(spec.get("types", []))
    if target == "ssdp:all":
        wanted = [uuid, *types]
    elif target == uuid or target in types:
        wanted = [target]
    else:
        return []
    out = []
    for st in wanted:
        usn = uuid if st == uuid else f"{uuid}::{st}"
        fields = [
            "HTTP/1.1 200 OK",
            "CACHE-CONTROL: max-age=100",
            "EXT:",
            f"LOCATION: {spec['location']}",
            f"SERVER: {spec['server']}",
            f"ST: {st}",
            f"USN: {usn}",
            *(f"{k}: {v}" for k, v in spec.get("headers", {}).items()),
        ]
        out.append(("\r\n".join(fields) + "\r\n\r\n").encode())
    return out


def _ssdp(spec: dict[str, Any]) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", SSDP_PORT))  # noqa: S104 - inside the device's namespace
    membership = struct.pack("4s4s", socket.inet_aton(SSDP_GROUP), socket.inet_aton(spec["ip"]))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    rng = random.Random()  # noqa: S311 - answer jitter, not security
    while True:
        data, addr = sock.recvfrom(2048)
        replies = ssdp_reply(data, spec)
        if replies:
            time.sleep(rng.uniform(0.0, 0.2))
        for reply in replies:
            with contextlib.suppress(OSError):
                sock.sendto(reply, addr)


def main(argv: list[str] | None = None) -> None:
    """Serve what the spec file lists."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, required=True)
    args = parser.parse_args(argv)
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    for port in spec.get("tcp", []):
        threading.Thread(target=_accept_and_close, args=(int(port),), daemon=True).start()
    if "ssdp" in spec:
        threading.Thread(target=_ssdp, args=(spec["ssdp"],), daemon=True).start()
    servers: list[ThreadingHTTPServer] = []
    for item in spec.get("http", []):
        handler = make_handler(item.get("routes", {}), item.get("default", {"status": 404}))
        servers.append(Server(("0.0.0.0", int(item["port"])), handler))  # noqa: S104
    sys.stderr.write(f"device_web: serving {args.spec}\n")
    sys.stderr.flush()
    serve_all(servers)


if __name__ == "__main__":
    main()
