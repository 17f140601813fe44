"""DNS-SD by unicast (RFC 6762 §6.7 "legacy unicast"): ask one device for its service types and
instances, from an ephemeral port, so a device that multicast does not show can still say what it offers.

Answers are parsed by zeroconf (``DNSIncoming``), which drops malformed packets; at most 16 types are
followed per device, datagrams over 9000 bytes are dropped.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from homediag.core.model import Service
from homediag.core.probe import ProbeContext
from homediag.net.asking import Asking, Targets
from homediag.net.mdns import META_QUERY, clean, instance_label, is_service_type, short_type

SOURCE = "discovery.unicast"
MDNS_PORT = 5353
MAX_TYPES_PER_DEVICE = 16
MAX_DATAGRAM = 9000
TYPE_PTR = 12
CLASS_IN = 1


@dataclass
class DnssdAnswer:
    """What one device told us by unicast DNS-SD."""

    types: list[str] = field(default_factory=list)
    services: dict[str, Service] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)


def build_query(names: Iterable[str], query_id: int) -> bytes:
    """A legacy unicast DNS query (PTR) for ``names``."""
    # Re-exported by zeroconf at runtime, though not listed in its __all__.
    from zeroconf import DNSOutgoing, DNSQuestion  # type: ignore[attr-defined]

    out = DNSOutgoing(0, False, query_id)
    for name in names:
        out.add_question(DNSQuestion(name, TYPE_PTR, CLASS_IN))
    return bytes(out.packets()[0])


def read_answer(data: bytes, into: DnssdAnswer) -> bool:
    """Fold one response into ``into``; False when zeroconf finds it malformed."""
    from zeroconf import DNSIncoming, DNSPointer, DNSService, DNSText  # type: ignore[attr-defined]

    if len(data) > MAX_DATAGRAM:
        return False
    incoming = DNSIncoming(data)
    if not incoming.valid or not incoming.is_response():
        return False
    records = incoming.answers()
    servers: dict[str, DNSService] = {}
    texts: dict[str, DNSText] = {}
    for record in records:
        if isinstance(record, DNSService):
            servers[record.name.lower()] = record
        elif isinstance(record, DNSText):
            texts[record.name.lower()] = record
    for record in records:
        if not isinstance(record, DNSPointer):
            continue
        if record.name.lower() == META_QUERY.lower():
            wanted = is_service_type(record.alias) and record.alias not in into.types
            if wanted and len(into.types) < MAX_TYPES_PER_DEVICE:
                into.types.append(record.alias)
            continue
        service_type = record.name
        instance = record.alias
        key = instance.lower()
        server = servers.get(key)
        txt: dict[str, str] = {}
        text = texts.get(key)
        if text is not None:
            txt = _txt(text.text)
        label = instance_label(instance, service_type)
        into.services[key] = Service(
            type=short_type(service_type),
            port=server.port if server is not None else None,
            name=label,
            source=SOURCE,
            txt=txt,
        )
        if server is not None and server.server:
            into.names.append(clean(server.server.removesuffix(".local.")))
        into.names.append(label)
    return True


def _txt(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    while pos < len(raw) and len(out) < 128:
        length = raw[pos]
        item = raw[pos + 1 : pos + 1 + length]
        pos += 1 + length
        key, _sep, value = item.partition(b"=")
        name = clean(key.decode("utf-8", "replace"), 64)
        if name and name not in out:
            out[name] = clean(value.decode("utf-8", "replace"), 255)
    return out


async def dnssd_unicast(
    ctx: ProbeContext, targets: Targets, *, listen_s: float, port: int = MDNS_PORT
) -> dict[ipaddress.IPv4Address, DnssdAnswer]:
    """Ask each target for its service types, then for the instances of each type, by unicast
    (a ``ctx.udp()`` socket). ``targets`` may come as they are found (an async iterable): each is asked
    at once, and the listening ends ``listen_s`` after the last one was asked."""
    sock = ctx.udp().open(bind="0.0.0.0")  # noqa: S104 - an ephemeral port: a legacy unicast query
    answers: dict[ipaddress.IPv4Address, DnssdAnswer] = {}
    asked_types: set[tuple[ipaddress.IPv4Address, str]] = set()
    query_id = ctx.random().getrandbits(16) or 1
    meta = build_query([META_QUERY], query_id)
    asking = Asking(targets, listen_s)

    async def ask(target: ipaddress.IPv4Address) -> None:
        await sock.send(meta, str(target), port)

    try:
        asking.start(ask, 0.001)
        while not asking.over:
            last_wait = asking.sent_all
            try:
                datagram = await sock.receive(max(0.001, asking.wait_s()), MAX_DATAGRAM + 1)
            except OSError:
                continue
            if datagram is None:
                if last_wait:  # nothing came in what was left of the listening
                    break
                continue
            try:
                address = ipaddress.IPv4Address(datagram.host)
            except ValueError:
                continue
            if not asking.was_asked(str(address)) or datagram.port != port:
                continue
            answer = answers.setdefault(address, DnssdAnswer())
            if not read_answer(datagram.data, answer):
                continue
            new_types = [t for t in answer.types if (address, t) not in asked_types]
            if new_types:
                asked_types.update((address, t) for t in new_types)
                with contextlib.suppress(OSError):
                    await sock.send(build_query(new_types, query_id), str(address), port)
    finally:
        asking.stop()
        sock.close()
    return {a: v for a, v in answers.items() if v.types or v.services}
