"""``discovery.unicast``: ask devices directly, to tell "multicast does not cross" from "no service".

Safe. Devices that answered ARP get, each, one DNS-SD query sent by unicast to port 5353 from an
ephemeral port (an RFC 6762 §6.7 "legacy unicast" query, which responders answer directly to the
sender) and one unicast M-SEARCH to port 1900. A device that answers these but was heard neither by the
mDNS browse nor by the SSDP search offers DNS-SD or SSDP, and the multicast between us and it is
blocked (AP isolation of multicast, IGMP snooping without a querier, VLANs): ``lan.multicast_gap``
counts them.

It runs beside the ARP sweep, the mDNS browse and the SSDP search (``follows``): each address is asked
as soon as it answers ARP, and the listening ends ``listen_s`` after the last one asked, once the sweep
ended; then, with the browse and the search over, only the answers of devices multicast did not show
count. (Waiting for all three before asking put a whole listen after the slowest of them.)

What such a device announces is kept: its services (types resolved by one more unicast query each,
at most 16 per device) join the device records, so kinds are right even when multicast is blocked.
Answers are parsed by zeroconf (``DNSIncoming``), which drops malformed packets; SSDP answers go
through the shared SSDP checks, descriptions through the same capped, killable fetch.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
from collections.abc import AsyncIterator

from pydantic import Field
from typing_extensions import TypedDict

from homediag.core.devices import ROLE_GATEWAY, ROLE_SELF, device_id
from homediag.core.facts import Fact, record
from homediag.core.i18n import _
from homediag.core.model import Device, DeviceEvidence, Service
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeArgs, ProbeSpec, Risk
from homediag.net.addressing import no_lan_reason, require_lan
from homediag.net.dnssd import SOURCE, dnssd_unicast
from homediag.net.mdns import model_of, short_type
from homediag.net.upnp.devices import device_sighting
from homediag.net.upnp.ssdp import describe, search_unicast

MAX_TARGETS = 256
MULTICAST_SOURCES = ("discovery.mdns", "discovery.ssdp")
MULTICAST_SOURCES_FACTS = ("mdns.responders", "ssdp.responders")
"""What the browse and the search provide: followed to their end before the answers are judged."""


@record
class UnicastAnswer(TypedDict):
    """A ``lan.unicast_answers`` item: a device multicast did not show, and what it answered by unicast."""

    ip: str
    via: list[str]
    """``mdns`` (DNS-SD), ``ssdp`` (M-SEARCH)."""


class UnicastDiscoveryArgs(ProbeArgs):
    """Arguments of ``discovery.unicast`` (config: ``probes.discovery.unicast``)."""

    listen_s: float = Field(1.0, description="Seconds to wait for the unicast answers")


class UnicastDiscoveryProbe(Probe):
    """Unicast DNS-SD and SSDP to devices that multicast did not show."""

    spec = ProbeSpec(
        id="discovery.unicast",
        summary="Whether devices that multicast did not show answer DNS-SD or SSDP by unicast",
        risk=Risk.SAFE,
        timeout_s=20.0,
        needs=("interface.ipv4", "interface.subnet", "gateway.ipv4"),
        follows=("arp.hosts", "mdns.responders", "ssdp.responders"),
        provides=(
            Fact(
                "lan.unicast_answers",
                list[UnicastAnswer],
                "Devices multicast did not show that answered unicast DNS-SD or M-SEARCH: address, how",
                not_judged="detail of lan.multicast_gap, which is judged",
            ),
            Fact(
                "lan.multicast_gap",
                int,
                "Devices that answer DNS-SD or SSDP by unicast but were not heard by multicast",
            ),
            Fact(
                "lan.multicast_heard",
                int,
                "Devices other than the gateway heard by multicast (mDNS or SSDP)",
                not_judged="detail of lan.multicast_gap, which is judged",
            ),
        ),
        args=UnicastDiscoveryArgs,
        tags=("discovery",),
        description=(
            "To each device that answered ARP (at most 256), as soon as it answered, sends one DNS-SD "
            "query for its service types by unicast to port 5353 from an ephemeral port, one query "
            "per type it names, and one unicast M-SEARCH to port 1900; once the mDNS browse and the "
            "SSDP search are over, keeps the answers of the devices they did not hear and fetches the "
            "descriptions those SSDP answers point to with the usual caps. Counts the devices that "
            "answer by unicast though multicast did not show them. Sends nothing else."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 subnet, or on loopback."""
        return no_lan_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Ask each device as ARP finds it; keep what the devices multicast did not show answered."""
        own, subnet = require_lan(ctx)
        gateway = str(ctx.fact("gateway.ipv4") or "")
        listen = max(0.3, min(ctx.args_as(UnicastDiscoveryArgs).listen_s, 3.0, ctx.remaining() / 6))
        found = _Found()

        async def collect() -> None:
            async for item in ctx.follow("arp.hosts"):
                found.add(_address(item, own, subnet))
            # The sweep is over; the fallback (no raw sockets) publishes nothing: its hosts are here,
            # with every other device known by now (a name lookup's).
            for item in _listed(ctx.fact("arp.hosts")):
                found.add(_address(item, own, subnet))
            for device in ctx.known.devices():
                if not any(e.claim == ROLE_SELF for e in device.evidence):
                    found.add(_address(device.ip, own, subnet))
            found.close()

        _found, dnssd, ssdp = await asyncio.gather(
            collect(),
            dnssd_unicast(ctx, found.follow(), listen_s=listen),
            search_unicast(ctx, found.follow(), subnet, listen_s=listen),
        )
        ctx.using(
            _("unicast DNS-SD and M-SEARCH to {n} devices").format(n=min(len(found.items), MAX_TARGETS))
        )
        if len(found.items) > MAX_TARGETS:
            ctx.limit("unicast targets")
        for name in MULTICAST_SOURCES_FACTS:
            async for _item in ctx.follow(name):
                pass
        heard: set[str] = set()
        heard_at: set[str] = set()
        silent: set[str] = set()
        for device in ctx.known.devices():
            if device.ip is None or any(e.claim == ROLE_SELF for e in device.evidence):
                continue
            if any(source in MULTICAST_SOURCES for source in device.sources):
                heard_at.add(device.ip)
                if device.ip != gateway and not any(e.claim == ROLE_GATEWAY for e in device.evidence):
                    heard.add(device.ip)
                continue
            silent.add(device.ip)
        # An address multicast did hear is no gap, even when a second device (another MAC answering
        # ARP for the same address: an address conflict) was not heard there.
        asked = {str(a) for a in found.items[:MAX_TARGETS]}
        silent = (silent & asked) - heard_at
        dnssd = {a: v for a, v in dnssd.items() if str(a) in silent}
        kept = tuple(r for r in ssdp.responses if str(r.sender) in silent)
        ssdp = dataclasses.replace(ssdp, responses=kept)
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
        listed = [UnicastAnswer(ip=ip, via=sorted(answers[ip])) for ip in sorted(answers, key=_key)]
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
                    ips=", ".join(item["ip"] for item in listed[:5])
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


class _Found:
    """The addresses ARP found so far, for the two askers to follow (on the probe's own loop)."""

    def __init__(self) -> None:
        self.items: list[ipaddress.IPv4Address] = []
        self._seen: set[ipaddress.IPv4Address] = set()
        self._closed = False
        self._news = asyncio.Event()

    def add(self, address: ipaddress.IPv4Address | None) -> None:
        if address is not None and address not in self._seen:
            self._seen.add(address)
            self.items.append(address)
            self._news.set()

    def close(self) -> None:
        self._closed = True
        self._news.set()

    async def follow(self) -> AsyncIterator[ipaddress.IPv4Address]:
        index = 0
        while True:
            while index < len(self.items):
                index += 1
                yield self.items[index - 1]
            if self._closed:
                return
            self._news.clear()
            await self._news.wait()


def _address(
    item: object, own: ipaddress.IPv4Address, subnet: ipaddress.IPv4Network
) -> ipaddress.IPv4Address | None:
    """The address of a published or listed ARP host (text, or an ``arp.hosts`` item), if it is one
    of the subnet other than our own."""
    text = item.get("ip") if isinstance(item, dict) else item
    try:
        address = ipaddress.IPv4Address(str(text))
    except ValueError:
        return None
    return address if address in subnet and address != own else None


def _listed(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _key(ip: str) -> tuple[int, ...]:
    try:
        return tuple(ipaddress.IPv4Address(ip).packed)
    except ValueError:
        return (256,)
