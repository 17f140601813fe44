"""The internet's web server: connectivity checks, the caller's address, a Speedtest Mini server.

- ``/generate_204`` (and ``/gen_204``) answer 204, as Google's connectivity check does; Apple's,
  Microsoft's, Firefox's and GNOME's check pages answer what those systems expect;
- ``/ip``, or ``/`` on ``api.ipify.org`` and ``ifconfig.me``, answers the caller's address as text;
- ``/speedtest-config.php`` is the configuration speedtest-cli fetches from www.speedtest.net, even in
  ``--mini`` mode;
- a Speedtest Mini server: the index page, ``speedtest/latency.txt``,
  ``speedtest/random{350..4000}x{same}.jpg`` and ``speedtest/upload.php`` (answers ``size=N``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import sys
from urllib.parse import urlsplit

from homediag.lab.servers._http import MAX_BODY, Handler, Server, serve_all, split_hostport

IMAGE_SIZES = {
    350: 245388,
    500: 505544,
    750: 1118012,
    1000: 1986284,
    1500: 4468241,
    2000: 7907740,
    2500: 12407926,
    3000: 17816816,
    3500: 24262167,
    4000: 31625365,
}
"""Byte sizes of the Mini server's images, as in the original."""

_CHUNK = os.urandom(64 * 1024)
_IMAGE = re.compile(r"^/speedtest/random(\d+)x(\d+)\.jpg$")

MINI_INDEX = """<!DOCTYPE html>
<html><head><title>Speedtest Mini</title>
<script type="text/javascript">var upload_extension: "php";</script>
</head><body><p>Speedtest Mini (homediag lab)</p>
<p>upload_extension: "php"</p></body></html>
"""

# Download and upload last 8 s each by default (``--test-length``). With 4 s, speedtest-cli's short
# flows barely built a queue (the bufferbloat fault's latency rise under load, 109-139 ms, sat on the
# 100 ms threshold) and an upload cut short in a 7 MB chunk was measured up to 45 % low at 20 Mbit/s.
CONFIG_XML = """<?xml version="1.0" encoding="UTF-8"?>
<settings>
<client ip="{ip}" lat="52.5200" lon="13.4050" isp="Lab ISP" isprating="3.7" rating="0"
 ispdlavg="0" ispulavg="0" loggedin="0" country="DE"/>
<server-config threadcount="2" ignoreids="" notonmap="" forcepingid="" preferredserverid=""/>
<download testlength="{length}" initialtest="250K" mintestsize="250K" threadsperurl="2"/>
<upload testlength="{length}" ratio="5" initialtest="0" mintestsize="32K" threads="2"
 maxchunksize="512K" maxchunkcount="20" threadsperurl="4"/>
<latency testlength="10" waittime="50" timeout="20"/>
<times dl1="5000000" dl2="35000000" dl3="800000000" ul1="1000000" ul2="8000000" ul3="35000000"/>
</settings>
"""

CHECK_PAGES: dict[str, tuple[str, str]] = {
    "/hotspot-detect.html": (
        "text/html",
        "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>",
    ),
    "/library/test/success.html": (
        "text/html",
        "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>",
    ),
    "/connecttest.txt": ("text/plain", "Microsoft Connect Test"),
    "/success.txt": ("text/plain", "success\n"),
    "/check_network_status.txt": ("text/plain", "NetworkManager is online\n"),
}

EXAMPLE_PAGE = """<!doctype html><html><head><title>Example Domain</title></head>
<body><h1>Example Domain</h1><p>This domain is for use in documentation examples.</p></body></html>
"""

IP_HOSTS = ("api.ipify.org", "ifconfig.me")


class InternetHandler(Handler):
    """Routes by path (and by host for the address services)."""

    test_length = 8
    """Seconds of download and of upload the speed test configuration asks for."""
    config_status = 200
    """What ``/speedtest-config.php`` answers with; 403 refuses it, as speedtest.net does at times."""

    def do_HEAD(self) -> None:
        """Same as GET without the body."""
        self.do_GET()

    def do_GET(self) -> None:
        """Serve the checks, the address and the Speedtest Mini files."""
        path = urlsplit(self.path).path
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        if path in ("/generate_204", "/gen_204"):
            self.send_body(204)
        elif path in CHECK_PAGES:
            ctype, body = CHECK_PAGES[path]
            self.send_body(200, body, ctype)
        elif path == "/ip" or (path == "/" and host in IP_HOSTS):
            self.send_body(200, self.client_address[0])
        elif path == "/speedtest-config.php" and self.config_status != 200:
            self.send_body(self.config_status, "refused\n")
        elif path == "/speedtest-config.php":
            config = CONFIG_XML.format(ip=self.client_address[0], length=self.test_length)
            self.send_body(200, config, "text/xml")
        elif path in ("/speedtest/latency.txt", "/latency.txt"):
            self.send_body(200, "test=test\n")
        elif path.startswith("/speedtest/upload."):
            self.send_body(200, "size=0")
        elif (match := _IMAGE.match(path)) is not None:
            self._image(int(match.group(1)), int(match.group(2)))
        elif path in ("/", "/index.html", "/mini", "/mini/"):
            if "speedtest" in host:
                self.send_body(200, MINI_INDEX, "text/html")
            else:
                self.send_body(200, EXAMPLE_PAGE, "text/html")
        else:
            self.send_body(404, "not found\n")

    def do_POST(self) -> None:
        """Speedtest uploads: count the bytes received."""
        path = urlsplit(self.path).path
        if not path.startswith("/speedtest/upload."):
            self.send_body(404, "not found\n")
            return
        size = self._drain()
        self.send_body(200, f"size={size}")

    def _drain(self) -> int:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        length = max(0, min(length, MAX_BODY))
        got = 0
        while got < length:
            chunk = self.rfile.read(min(65536, length - got))
            if not chunk:
                break
            got += len(chunk)
        return got

    def _image(self, width: int, height: int) -> None:
        size = IMAGE_SIZES.get(width) if width == height else None
        if size is None:
            self.send_body(404, "not found\n")
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(size))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        left = size
        try:
            while left > 0:
                piece = _CHUNK[: min(len(_CHUNK), left)]
                self.wfile.write(piece)
                left -= len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


def use_cubic(server: Server) -> None:
    """Send with CUBIC, as most web and speed test servers do.

    This machine's default is BBR, which keeps queues short on purpose, so it would hide the deep
    buffer of the ``bufferbloat`` fault. A namespace may not change its default congestion control,
    but a privileged socket may choose its own; accepted connections inherit it.
    """
    congestion = getattr(socket, "TCP_CONGESTION", None)
    if congestion is not None:
        with contextlib.suppress(OSError):
            server.socket.setsockopt(socket.IPPROTO_TCP, congestion, b"cubic")


def main(argv: list[str] | None = None) -> None:
    """Run the server on every ``--listen ADDR:PORT``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", action="append", required=True)
    parser.add_argument("--test-length", type=int, default=InternetHandler.test_length)
    parser.add_argument("--config-status", type=int, default=InternetHandler.config_status)
    args = parser.parse_args(argv)
    InternetHandler.test_length = args.test_length
    InternetHandler.config_status = args.config_status
    servers = [Server(split_hostport(item, 80), InternetHandler) for item in args.listen]
    for server in servers:
        use_cubic(server)
    sys.stderr.write(f"internet_web: listening on {', '.join(args.listen)}\n")
    sys.stderr.flush()
    serve_all(list(servers))


if __name__ == "__main__":
    main()
