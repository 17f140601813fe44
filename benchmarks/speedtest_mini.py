"""A small Speedtest Mini compatible server, plus speedtest.net's configuration, for benchmarks and tests.

Run it inside a network namespace (it serves every host name on one port; point ``www.speedtest.net``
at it with a hosts entry)::

    python benchmarks/speedtest_mini.py --port 80 --test-length 10

What speedtest-cli asks for, and what it gets:

- ``/speedtest-config.php``: the XML configuration (client address and coordinates are documentation
  values; ``--config-status 403`` answers 403 instead, as speedtest.net does to plain HTTP);
- ``/``: the Mini index page naming the upload extension (``upload_extension: "php"``);
- ``/speedtest/latency.txt``: ``test=test``;
- ``/speedtest/random{350..4000}x{same}.jpg``: incompressible bytes, about as large as the real images
  (size² × 2 bytes), streamed;
- ``POST /speedtest/upload.php``: reads the body, answers ``size=N``.
"""

from __future__ import annotations

import argparse
import http.server
import os
import re

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<settings>
<client ip="203.0.113.50" lat="52.5200" lon="13.4050" isp="Example Lab ISP" isprating="3.7" rating="0"
 ispdlavg="0" ispulavg="0" loggedin="0" country="DE" />
<server-config threadcount="4" ignoreids="" notonmap="" forcepingid="" preferredserverid="" />
<download testlength="{down}" initialtest="250K" mintestsize="250K" threadsperurl="4" />
<upload testlength="{up}" ratio="5" initialtest="0" mintestsize="32K" threads="2" maxchunksize="512K"
 maxchunkcount="50" threadsperurl="4" />
</settings>
"""
INDEX = b'<html><body>Speedtest Mini<script>var upload_extension: "php";</script></body></html>'
BLOCK = os.urandom(64 * 1024)
IMAGE = re.compile(r"^/speedtest/random(\d{3,4})x\1\.jpg$")
MAX_UPLOAD = 64 * 1024 * 1024


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers speedtest-cli's requests (see the module docstring)."""

    protocol_version = "HTTP/1.1"
    config_status = 200
    test_length = 10

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def _send(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        """Configuration, index, latency and the download images."""
        path = self.path.split("?", 1)[0]
        if path == "/speedtest-config.php":
            if self.config_status != 200:
                self._send(self.config_status, b"Forbidden")
                return
            text = CONFIG.replace("{down}", str(self.test_length)).replace("{up}", str(self.test_length))
            self._send(200, text.encode(), "text/xml")
        elif path in ("/", "/index.html"):
            self._send(200, INDEX, "text/html")
        elif path == "/speedtest/latency.txt":
            self._send(200, b"test=test")
        elif (match := IMAGE.match(path)) is not None:
            side = int(match.group(1))
            size = side * side * 2
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            sent = 0
            try:
                while sent < size:
                    chunk = BLOCK[: min(len(BLOCK), size - sent)]
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return
        else:
            self._send(404, b"not found")

    def do_POST(self) -> None:
        """The upload: read what comes, say how much."""
        length = min(int(self.headers.get("Content-Length") or 0), MAX_UPLOAD)
        received = 0
        try:
            while received < length:
                chunk = self.rfile.read(min(65536, length - received))
                if not chunk:
                    break
                received += len(chunk)
        except (ConnectionResetError, TimeoutError):
            return
        self._send(200, f"size={received}".encode())


def main() -> None:
    """Serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="0.0.0.0")  # inside a namespace only
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--test-length", type=int, default=10, help="seconds of download and of upload")
    parser.add_argument("--config-status", type=int, default=200, help="HTTP status of the configuration")
    options = parser.parse_args()
    Handler.config_status = options.config_status
    Handler.test_length = options.test_length
    server = http.server.ThreadingHTTPServer((options.address, options.port), Handler)
    server.daemon_threads = True
    server.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
