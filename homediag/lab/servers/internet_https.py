"""The internet's HTTPS server: the pages of :mod:`internet_web` over TLS, for the HTTPS checks.

Its certificate names the lab's HTTPS check host and is signed by the lab's own CA (made at ``lab up``),
which the lab's client trusts as a real computer trusts the public CAs. While the ``--slow-flag`` file
exists (the ``web-slow`` fault) each request is held ``--slow-delay`` seconds after the handshake
before it is answered, as a scanning proxy or an overloaded web filter holds it; the handshake itself
and plain HTTP stay fast.
"""

from __future__ import annotations

import argparse
import ssl
import sys
import time
from pathlib import Path

from homediag.lab.servers._http import Server, serve_all, split_hostport
from homediag.lab.servers.internet_web import InternetHandler


class TlsServer(Server):
    """Logs a failed handshake (a client that does not trust the certificate) as one line."""

    def handle_error(self, request: object, client_address: object) -> None:
        """One line for the lab's log instead of a traceback."""
        sys.stderr.write(f"internet_https: {client_address}: {sys.exc_info()[1]}\n")
        sys.stderr.flush()


class HttpsHandler(InternetHandler):
    """The internet's pages, held before each answer while the slow flag exists."""

    context: ssl.SSLContext | None = None
    slow_flag: Path | None = None
    slow_delay_s = 1.6

    def setup(self) -> None:
        """Shake hands in the request's own thread: a client that connects and says nothing holds up
        only itself, never the server's accept loop (as wrapping the listening socket would)."""
        if self.context is None:
            raise RuntimeError("internet_https: no TLS context")
        self.request.settimeout(self.timeout)
        self.request = self.context.wrap_socket(self.request, server_side=True)
        super().setup()

    def handle_one_request(self) -> None:
        """Read the request, then (with the flag) wait before answering it."""
        if self.slow_flag is not None and self.slow_flag.exists():
            # The request line is not read yet: hold until the client has sent it, then wait.
            time.sleep(self.slow_delay_s)
        super().handle_one_request()


def main(argv: list[str] | None = None) -> None:
    """Serve HTTPS on every ``--listen ADDR:PORT`` with ``--cert`` and ``--key``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", action="append", required=True)
    parser.add_argument("--cert", type=Path, required=True)
    parser.add_argument("--key", type=Path, required=True)
    parser.add_argument("--slow-flag", type=Path)
    parser.add_argument("--slow-delay", type=float, default=HttpsHandler.slow_delay_s)
    args = parser.parse_args(argv)
    HttpsHandler.slow_flag = args.slow_flag
    HttpsHandler.slow_delay_s = args.slow_delay
    HttpsHandler.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    HttpsHandler.context.load_cert_chain(args.cert, args.key)
    servers = [TlsServer(split_hostport(item, 443), HttpsHandler) for item in args.listen]
    sys.stderr.write(f"internet_https: listening on {', '.join(args.listen)}\n")
    sys.stderr.flush()
    serve_all(list(servers))


if __name__ == "__main__":
    main()
