"""Send one SSDP M-SEARCH and print ``ST LOCATION`` of every answer (for the lab's self-test)."""

from __future__ import annotations

import argparse
import socket
import time

GROUP = ("239.255.255.250", 1900)


def main(argv: list[str] | None = None) -> None:
    """Search for ``--st`` for ``--wait`` seconds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--st", default="ssdp:all")
    parser.add_argument("--wait", type=float, default=2.0)
    args = parser.parse_args(argv)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
    request = (
        'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\n'
        f"MX: 1\r\nST: {args.st}\r\n\r\n"
    ).encode()
    sock.sendto(request, GROUP)
    deadline = time.monotonic() + args.wait
    seen: set[str] = set()
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            data, _addr = sock.recvfrom(2048)
        except TimeoutError:
            break
        headers = {}
        for line in data.decode("latin-1", "replace").split("\r\n")[1:]:
            key, sep, value = line.partition(":")
            if sep:
                headers[key.strip().upper()] = value.strip()
        line = f"{headers.get('ST', '?')} {headers.get('LOCATION', '?')}"
        if line not in seen:
            seen.add(line)
            print(line)  # noqa: T201 - a command-line tool


if __name__ == "__main__":
    main()
