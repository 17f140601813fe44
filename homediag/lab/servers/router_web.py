"""The router's web pages: the admin page, and the captive portal the ``captive-portal`` fault uses.

- port 80, by ``--mode``: ``redirect`` sends browsers to the HTTPS admin page, as current routers do;
  ``http`` serves the login page itself over plain HTTP, as many ISP routers do; ``https`` leaves port
  80 closed. While the flag file exists (the ``admin-http`` fault) port 80 serves the login page;
- port 443: the login page over TLS (a self-signed certificate), when a certificate is given and the
  mode is not ``http``;
- port 8080: the captive portal. Every request is redirected to its login page; the fault makes the
  router send the LAN's web traffic here.
"""

from __future__ import annotations

import argparse
import html
import ssl
import sys
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from homediag.lab.servers._http import Handler, Server, serve_all

LOGIN_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{name}</title></head>
<body><h1>{name}</h1>
<form method="post" action="/login"><label>Password <input type="password" name="password"></label>
<button type="submit">Log In</button></form></body></html>
"""

PORTAL_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Hotspot login</title></head>
<body><h1>Welcome</h1><p>Please accept the terms of use to connect to the internet.</p>
<form method="post" action="/login"><button type="submit">Accept and connect</button></form>
</body></html>
"""


def make_handlers(
    name: str, lan_ip: str, plain_flag: Path, mode: str = "redirect"
) -> tuple[type[Handler], ...]:
    """The handler classes of the three ports."""
    login = LOGIN_PAGE.format(name=html.escape(name))

    class Admin(Handler):
        def do_GET(self) -> None:
            if mode == "http" or plain_flag.exists():
                self.send_body(200, login, "text/html; charset=utf-8")
            else:
                self.send_body(301, "", headers={"Location": f"https://{lan_ip}/"})

        do_HEAD = do_GET

    class AdminTls(Handler):
        def do_GET(self) -> None:
            self.send_body(200, login, "text/html; charset=utf-8")

        do_HEAD = do_GET

    class Portal(Handler):
        def do_GET(self) -> None:
            if urlsplit(self.path).path == "/login":
                self.send_body(200, PORTAL_PAGE, "text/html; charset=utf-8")
            else:
                self.send_body(
                    302,
                    "<html><body>Redirecting to the login page</body></html>",
                    "text/html",
                    headers={"Location": f"http://{lan_ip}:8080/login"},
                )

        do_HEAD = do_GET

        def do_POST(self) -> None:
            self.read_body(65536)
            self.send_body(200, PORTAL_PAGE, "text/html; charset=utf-8")

    return Admin, AdminTls, Portal


def main(argv: list[str] | None = None) -> None:
    """Run the router's pages."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lan-ip", required=True)
    parser.add_argument("--name", default="Router")
    parser.add_argument("--plain-flag", type=Path, required=True)
    parser.add_argument("--cert", type=Path)
    parser.add_argument("--key", type=Path)
    parser.add_argument("--mode", choices=("redirect", "http", "https"), default="redirect")
    args = parser.parse_args(argv)
    admin, admin_tls, portal = make_handlers(args.name, args.lan_ip, args.plain_flag, args.mode)
    servers: list[ThreadingHTTPServer] = [Server((args.lan_ip, 8080), portal)]
    if args.mode != "https" or args.plain_flag.exists():
        servers.append(Server((args.lan_ip, 80), admin))
    if args.cert and args.key and args.mode != "http":
        tls = Server((args.lan_ip, 443), admin_tls)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        tls.socket = context.wrap_socket(tls.socket, server_side=True)
        servers.append(tls)
    sys.stderr.write(f"router_web: serving on {args.lan_ip}\n")
    sys.stderr.flush()
    serve_all(servers)


if __name__ == "__main__":
    main()
