"""Broadcast one DHCPDISCOVER and print the server identifier of every DHCPOFFER (never REQUESTs).

Uses a made-up client MAC, as homediag's DHCP probe does, so the client's own lease is untouched.
"""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> None:
    """Print ``server=IP offer=IP`` per answering server."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iface", default="eth0")
    parser.add_argument("--wait", type=float, default=3.0)
    args = parser.parse_args(argv)
    from scapy.all import BOOTP, DHCP, IP, UDP, Ether, conf, srp  # type: ignore[attr-defined]

    conf.checkIPaddr = False
    mac = "02:00:5e:00:53:" + os.urandom(1).hex()
    chaddr = bytes.fromhex(mac.replace(":", "")) + b"\0" * 10
    discover = (
        Ether(dst="ff:ff:ff:ff:ff:ff", src=mac)
        / IP(src="0.0.0.0", dst="255.255.255.255")  # noqa: S104
        / UDP(sport=68, dport=67)
        / BOOTP(chaddr=chaddr, xid=int.from_bytes(os.urandom(4), "big"), flags=0x8000)
        / DHCP(options=[("message-type", "discover"), "end"])
    )
    answered, _ = srp(discover, iface=args.iface, timeout=args.wait, multi=True, verbose=False)
    servers: dict[str, str] = {}
    for _sent, reply in answered:
        if not reply.haslayer(DHCP):
            continue
        options = {o[0]: o[1] for o in reply[DHCP].options if isinstance(o, tuple)}
        if options.get("message-type") == 2:
            servers[str(options.get("server_id", reply[IP].src))] = str(reply[BOOTP].yiaddr)
    for server, offer in sorted(servers.items()):
        print(f"server={server} offer={offer}")  # noqa: T201


if __name__ == "__main__":
    main()
