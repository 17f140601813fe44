"""Ask a STUN server for our public address; print it, or exit 1 without an answer."""

from __future__ import annotations

import argparse
import os
import socket
import struct
import sys

MAGIC = 0x2112A442


def main(argv: list[str] | None = None) -> None:
    """One Binding request, three tries."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args(argv)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(args.timeout)
    txid = os.urandom(12)
    request = struct.pack("!HHI", 0x0001, 0, MAGIC) + txid
    for _ in range(3):
        sock.sendto(request, (args.host, args.port))
        try:
            data, _addr = sock.recvfrom(2048)
        except TimeoutError:
            continue
        pos = 20
        while pos + 4 <= len(data):
            kind, length = struct.unpack("!HH", data[pos : pos + 4])
            value = data[pos + 4 : pos + 4 + length]
            if kind == 0x0020 and len(value) >= 8:
                port = struct.unpack("!H", value[2:4])[0] ^ (MAGIC >> 16)
                ip = struct.unpack("!I", value[4:8])[0] ^ MAGIC
                print(f"{socket.inet_ntoa(struct.pack('!I', ip))}:{port}")  # noqa: T201
                return
            pos += 4 + length + (4 - length % 4) % 4
    sys.exit(1)


if __name__ == "__main__":
    main()
