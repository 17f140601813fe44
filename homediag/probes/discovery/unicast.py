"""``discovery.unicast``: ask silent devices directly, to tell "multicast does not cross" from "no service".

Safe. Devices that answered ARP (or a name lookup) but were heard neither by the mDNS browse nor by the
SSDP search get, each, one DNS-SD query sent by unicast to port 5353 from an ephemeral port (an RFC 6762
§6.7 "legacy unicast" query, which responders answer directly to the sender) and one unicast M-SEARCH
to port 1900. A device that answers these but was not heard by multicast offers DNS-SD or SSDP, and the
multicast between us and it is blocked (AP isolation of multicast, IGMP snooping without a querier,
VLANs): ``lan.multicast_gap`` counts them.

What such a device announces is kept: its services (types resolved by one more unicast query each,
at most 16 per device) join the device records, so kinds are right even when multicast is blocked.
Answers are parsed by zeroconf (``DNSIncoming``), which drops malformed packets; SSDP answers go
through the shared SSDP checks, descriptions through the same capped, killable fetch.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import secrets
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from homediag.core.devices import ROLE_GATEWAY, ROLE_SELF, device_id
from homediag.core.i18n import _
from homediag.core.model import Device, DeviceEvidence, Service
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeArg, ProbeSpec, Risk
from homediag.probes.discovery.mdns import (
    META_QUERY,
    clean,
    instance_label,
    is_service_type,
    model_of,
    short_type,
)
from homediag.probes.discovery.ssdp import describe, search_unicast
from homediag.probes.discovery.ssdp_devices import device_sighting
from homediag.probes.net.addressing import no_lan_reason, require_lan

SOURCE = "discovery.unicast"
MDNS_PORT = 5353
MAX_TARGETS = 256
MAX_TYPES_PER_DEVICE = 16
MAX_DATAGRAM = 9000
TYPE_PTR = 12
CLASS_IN = 1
MULTICAST_SOURCES = ("discovery.mdns", "discovery.ssdp")


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
    targets: list[ipaddress.IPv4Address], *, listen_s: float, port: int = MDNS_PORT
) -> dict[ipaddress.IPv4Address, DnssdAnswer]:
    """Ask each target for its service types, then for the instances of each type, by unicast."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    answers: dict[ipaddress.IPv4Address, DnssdAnswer] = {}
    asked_types: set[tuple[ipaddress.IPv4Address, str]] = set()
    query_id = secrets.randbits(16) or 1
    wanted = set(targets)
    try:
        sock.bind(("0.0.0.0", 0))  # noqa: S104 - an ephemeral port: a legacy unicast query
        meta = build_query([META_QUERY], query_id)
        for target in targets:
            with contextlib.suppress(OSError):
                await loop.sock_sendto(sock, meta, (str(target), port))
            await asyncio.sleep(0.001)
        deadline = time.monotonic() + listen_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                async with asyncio.timeout(remaining):
                    data, sender = await loop.sock_recvfrom(sock, MAX_DATAGRAM + 1)
            except TimeoutError:
                break
            except OSError:
                continue
            try:
                address = ipaddress.IPv4Address(sender[0])
            except ValueError:
                continue
            if address not in wanted or sender[1] != port:
                continue
            answer = answers.setdefault(address, DnssdAnswer())
            if not read_answer(data, answer):
                continue
            new_types = [t for t in answer.types if (address, t) not in asked_types]
            if new_types:
                asked_types.update((address, t) for t in new_types)
                with contextlib.suppress(OSError):
                    await loop.sock_sendto(sock, build_query(new_types, query_id), (str(address), port))
    finally:
        sock.close()
    return {a: v for a, v in answers.items() if v.types or v.services}


class UnicastDiscoveryProbe(Probe):
    """Unicast DNS-SD and SSDP to devices that multicast did not show."""

    spec = ProbeSpec(
        id="discovery.unicast",
        summary="Whether devices that multicast did not show answer DNS-SD or SSDP by unicast",
        risk=Risk.SAFE,
        timeout_s=8.0,
        needs=(
            "interface.ipv4",
            "interface.subnet",
            "gateway.ipv4",
            "arp.hosts",
            "mdns.responders",
            "ssdp.responders",
        ),
        provides=("lan.unicast_answers", "lan.multicast_gap", "lan.multicast_heard"),
        args=(ProbeArg("listen_s", "float", 1.0, "Seconds to wait for the unicast answers"),),
        tags=("discovery",),
        description=(
            "To each device that answered ARP but was heard by neither the mDNS browse nor the SSDP "
            "search (at most 256), sends one DNS-SD query for its service types by unicast to port "
            "5353 from an ephemeral port, one query per type it names, and one unicast M-SEARCH to "
            "port 1900; fetches the descriptions SSDP answers point to with the usual caps. Counts the "
            "devices that answer by unicast though multicast did not show them. Sends nothing else."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 subnet, or on loopback."""
        return no_lan_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Ask the devices multicast did not show."""
        own, subnet = require_lan(ctx)
        gateway = str(ctx.fact("gateway.ipv4") or "")
        heard: set[str] = set()
        silent: list[ipaddress.IPv4Address] = []
        for device in ctx.known.devices():
            if device.ip is None or any(e.claim == ROLE_SELF for e in device.evidence):
                continue
            multicast = any(source in MULTICAST_SOURCES for source in device.sources)
            if multicast:
                if device.ip != gateway and not any(e.claim == ROLE_GATEWAY for e in device.evidence):
                    heard.add(device.ip)
                continue
            with contextlib.suppress(ValueError):
                address = ipaddress.IPv4Address(device.ip)
                if address in subnet and address != own:
                    silent.append(address)
        silent = sorted(set(silent))
        if len(silent) > MAX_TARGETS:
            silent = silent[:MAX_TARGETS]
            ctx.limit("unicast targets")
        listen = max(0.3, min(float(ctx.arg("listen_s")), 3.0, ctx.remaining() / 3))
        ctx.using(_("unicast DNS-SD and M-SEARCH to {n} devices").format(n=len(silent)))
        dnssd, ssdp = await asyncio.gather(
            dnssd_unicast(silent, listen_s=listen),
            search_unicast(silent, subnet, listen_s=listen),
        )
        described = await describe(ctx, ssdp, subnet, budget_s=max(0.5, min(5.0, ctx.remaining() - 1.0)))
        answers: dict[str, set[str]] = {}
        for address, answer in dnssd.items():
            answers.setdefault(str(address), set()).add("mdns")
            model = next((m for m in (model_of(s.txt) for s in answer.services.values()) if m), None)
            ctx.add_device(
                Device(
                    id=device_id(None, str(address)),
                    ip=str(address),
                    addresses=(str(address),),
                    names=tuple(dict.fromkeys(n for n in answer.names if n)),
                    services=tuple(answer.services.values())
                    or tuple(Service(type=short_type(t), source=SOURCE) for t in answer.types),
                    model=model,
                    evidence=(
                        DeviceEvidence(
                            SOURCE, "answered DNS-SD by unicast", ", ".join(map(short_type, answer.types))
                        ),
                    ),
                    sources=(SOURCE,),
                )
            )
        for item in described:
            answers.setdefault(str(item.sender), set()).add("ssdp")
            sighting = device_sighting(item)
            ctx.add_device(
                Device(
                    **{
                        **sighting.__dict__,
                        "evidence": (DeviceEvidence(SOURCE, "answered M-SEARCH by unicast", ""),),
                        "sources": (SOURCE,),
                    }
                )
            )
        for sender in ssdp.senders:
            answers.setdefault(str(sender), set()).add("ssdp")
        listed = [
            {"ip": ip, "via": sorted(how)} for ip, how in sorted(answers.items(), key=lambda x: _key(x[0]))
        ]
        ctx.observe(
            "lan.unicast_answers",
            listed,
            evidence=_("{n} of {total} devices not heard by multicast answered by unicast").format(
                n=len(listed), total=len(silent)
            ),
        )
        ctx.observe(
            "lan.multicast_gap",
            len(listed),
            evidence=(
                _("{ips} answer DNS-SD or SSDP by unicast, but multicast did not show them").format(
                    ips=", ".join(item["ip"] for item in listed[:5])  # type: ignore[misc]
                )
                if listed
                else _("no device answered by unicast what multicast did not show")
            ),
        )
        ctx.observe(
            "lan.multicast_heard",
            len(heard),
            evidence=_("{n} devices besides the gateway were heard by mDNS or SSDP").format(n=len(heard)),
        )


def _key(ip: str) -> tuple[int, ...]:
    try:
        return tuple(ipaddress.IPv4Address(ip).packed)
    except ValueError:
        return (256,)
