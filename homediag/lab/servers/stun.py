"""A STUN server (RFC 5389 Binding, and RFC 3489 clients): tells a client its address as seen here.

miniupnpd learns the router's public address this way; homediag's STUN checks use it too. A request
with CHANGE-REQUEST is answered from the same address (this server has only one), which miniupnpd
reads as "no filtering NAT in between" - true for the lab's public WAN.
"""

from __future__ import annotations

import argparse
import contextlib
import selectors
import socket
import struct
import sys
from typing import cast

MAGIC = 0x2112A442
BINDING_REQUEST = 0x0001
BINDING_RESPONSE = 0x0101
MAPPED_ADDRESS = 0x0001
XOR_MAPPED_ADDRESS = 0x0020
SOFTWARE = 0x8022


def response(packet: bytes, addr: tuple[str, int]) -> bytes | None:
    """The Binding response to ``packet`` from ``addr``, or None for anything else."""
    if len(packet) < 20 or len(packet) > 2048:
        return None
    msg_type, length, cookie = struct.unpack("!HHI", packet[:8])
    if msg_type != BINDING_REQUEST or length + 20 > len(packet):
        return None
    txid = packet[8:20]
    ip = socket.inet_aton(addr[0])
    port = addr[1]
    attrs = _attr(MAPPED_ADDRESS, struct.pack("!BBH", 0, 1, port) + ip)
    if cookie == MAGIC:
        xport = port ^ (MAGIC >> 16)
        xip = struct.pack("!I", struct.unpack("!I", ip)[0] ^ MAGIC)
        attrs += _attr(XOR_MAPPED_ADDRESS, struct.pack("!BBH", 0, 1, xport) + xip)
        attrs += _attr(SOFTWARE, b"homediag-lab")
    return struct.pack("!HHI", BINDING_RESPONSE, len(attrs), cookie) + txid + attrs


def _attr(kind: int, value: bytes) -> bytes:
    pad = (4 - len(value) % 4) % 4
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * pad


def main(argv: list[str] | None = None) -> None:
    """Serve STUN on every ``--listen ADDR:PORT``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", action="append", required=True)
    args = parser.parse_args(argv)
    selector = selectors.DefaultSelector()
    for item in args.listen:
        host, _, port = item.rpartition(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((host, int(port)))
        selector.register(sock, selectors.EVENT_READ)
    sys.stderr.write(f"stun: listening on {', '.join(args.listen)}\n")
    sys.stderr.flush()
    while True:
        for key, _mask in selector.select():
            sock = cast(socket.socket, key.fileobj)
            try:
                packet, addr = sock.recvfrom(2048)
            except OSError:
                continue
            reply = response(packet, addr)
            if reply is not None:
                with contextlib.suppress(OSError):  # e.g. no route back to a spoofed source
                    sock.sendto(reply, addr)


if __name__ == "__main__":
    main()
