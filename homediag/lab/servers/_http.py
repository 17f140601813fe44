"""What the lab's HTTP servers share: a threaded server bound to one address, and small helpers."""

from __future__ import annotations

import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024 * 1024
"""The largest request body a lab server reads (Speedtest uploads stay below this)."""


class Server(ThreadingHTTPServer):
    """A threaded HTTP server that lets several servers bind the same port on other addresses."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def server_bind(self) -> None:
        """Bind with SO_REUSEADDR, without HTTPServer's reverse DNS lookup of its own address."""
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class Handler(BaseHTTPRequestHandler):
    """Quiet handler with helpers for whole responses."""

    server_version = "lab-httpd/1.0"
    sys_version = ""
    timeout = 30

    def log_message(self, format: str, *args: object) -> None:
        """Log one line per request to stderr (the lab's log file)."""
        super().log_message(format, *args)

    def send_body(
        self,
        status: int,
        body: bytes | str = b"",
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Send a complete response."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Connection", "close")
        self.end_headers()
        if data and self.command != "HEAD" and status != 204:
            self.wfile.write(data)
        self.close_connection = True

    def read_body(self, limit: int = MAX_BODY) -> bytes:
        """Read the request body (Content-Length only), at most ``limit`` bytes."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        length = max(0, min(length, limit))
        return self.rfile.read(length) if length else b""


def split_hostport(value: str, default_port: int) -> tuple[str, int]:
    """``198.51.100.80:80`` -> (``198.51.100.80``, 80)."""
    host, _, port = value.rpartition(":")
    if not host:
        return value, default_port
    return host, int(port)


def serve_all(servers: list[ThreadingHTTPServer]) -> None:
    """Serve every server, each in its own thread, until the process is terminated."""
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
