"""A Telnet login prompt: what an old router or NAS firmware leaves on port 23.

It sends the negotiation a telnetd starts with and a ``login:`` prompt, reads at most 256 bytes for at
most 5 seconds, and closes: nobody ever logs in.
"""

from __future__ import annotations

import argparse
import socket
import socketserver
import sys

BANNER = b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27\r\nBusyBox on router\r\nlogin: "


class Handler(socketserver.BaseRequestHandler):
    """One connection: the prompt, a bounded read, and goodbye."""

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(5.0)
        try:
            sock.sendall(BANNER)
            sock.recv(256)
        except OSError:
            return


class Server(socketserver.ThreadingTCPServer):
    """Threads per connection, reusable address, daemon threads."""

    allow_reuse_address = True
    daemon_threads = True


def main(argv: list[str] | None = None) -> None:
    """Serve the prompt on ``--listen HOST:PORT``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True)
    args = parser.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    with Server((host, int(port)), Handler) as server:
        sys.stderr.write(f"telnet: login prompt on {args.listen}\n")
        sys.stderr.flush()
        server.serve_forever()


if __name__ == "__main__":
    main()
