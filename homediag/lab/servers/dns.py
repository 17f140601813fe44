"""The internet's DNS server: answers the lab's few names, NXDOMAIN for every other name.

It listens on one address that answers at once and, optionally, on a second one that answers every
query after a delay (the ``dns-slow`` fault sends the router's queries there). UDP and TCP.
dnspython parses and builds the messages; a malformed query is dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import struct
import sys
from pathlib import Path
from typing import cast

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

TTL = 60
SOA = "ns.lab.example. hostmaster.lab.example. 1 3600 600 86400 60"

Zone = dict[str, tuple[str | None, str | None]]


def answer(wire: bytes, zone: Zone) -> bytes | None:
    """The response to the query ``wire``, or None when it is not a query we can parse."""
    if len(wire) > 4096:
        return None
    try:
        query = dns.message.from_wire(wire)
    except (dns.exception.DNSException, ValueError):
        return None
    if query.flags & dns.flags.QR or len(query.question) != 1:
        return None
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA | dns.flags.RA
    question = query.question[0]
    name = question.name.to_text(omit_final_dot=True).lower()
    entry = zone.get(name)
    if entry is None:
        response.set_rcode(dns.rcode.NXDOMAIN)
    else:
        v4, v6 = entry
        value = {dns.rdatatype.A: v4, dns.rdatatype.AAAA: v6}.get(question.rdtype)
        if value is not None and question.rdclass == dns.rdataclass.IN:
            response.answer.append(dns.rrset.from_text(question.name, TTL, "IN", question.rdtype, value))
    if not response.answer:
        zone_name = dns.name.from_text(name).parent() if entry is None else question.name
        if zone_name == dns.name.root:
            zone_name = question.name
        response.authority.append(dns.rrset.from_text(zone_name, TTL, "IN", "SOA", SOA))
    return response.to_wire()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, zone: Zone, delay: float) -> None:
        self.zone = zone
        self.delay = delay
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = answer(data, self.zone)
        if reply is None or self.transport is None:
            return
        transport = self.transport
        if self.delay > 0:
            asyncio.get_running_loop().call_later(self.delay, transport.sendto, reply, addr)
        else:
            transport.sendto(reply, addr)


async def _tcp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, zone: Zone, delay: float) -> None:
    try:
        while True:
            head = await asyncio.wait_for(reader.readexactly(2), 10)
            (length,) = struct.unpack("!H", head)
            data = await asyncio.wait_for(reader.readexactly(length), 10)
            reply = answer(data, zone)
            if reply is None:
                break
            if delay > 0:
                await asyncio.sleep(delay)
            writer.write(struct.pack("!H", len(reply)) + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(listen: list[tuple[str, float]], zone: Zone) -> None:
    """Serve on each (address, delay) pair, UDP and TCP port 53."""
    loop = asyncio.get_running_loop()
    for host, delay in listen:
        await loop.create_datagram_endpoint(functools.partial(_Udp, zone, delay), local_addr=(host, 53))
        handler = functools.partial(_tcp, zone=zone, delay=delay)
        await asyncio.start_server(handler, host=host, port=53, reuse_address=True)
    sys.stderr.write(f"dns: serving {len(zone)} names on {', '.join(h for h, _ in listen)}\n")
    sys.stderr.flush()
    await asyncio.Event().wait()


def load_zone(path: Path) -> Zone:
    """``{name: [ipv4 or null, ipv6 or null]}`` from a JSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k).lower().rstrip("."): (v[0], v[1]) for k, v in data.items()}


def main(argv: list[str] | None = None) -> None:
    """Run the server."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True, help="address answering at once")
    parser.add_argument("--slow", help="address answering after --delay seconds")
    parser.add_argument("--delay", type=float, default=0.8)
    parser.add_argument("--zone", type=Path, required=True)
    args = parser.parse_args(argv)
    listen = [(args.listen, 0.0)]
    if args.slow:
        listen.append((args.slow, args.delay))
    asyncio.run(serve(listen, load_zone(args.zone)))


if __name__ == "__main__":
    main()
