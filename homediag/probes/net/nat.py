"""``net.nat``: the router's WAN address (from its UPnP IGD) against the public address, with their classes.

Safe: one read-only SOAP action, ``GetExternalIPAddress``, to the WANIPConnection (else WANPPPConnection)
control URL that ``discovery.ssdp`` found in the IGD's description — only when that URL is on the IGD's
own address inside the local subnet — and one HTTP GET of each configured ``internet.public_ip_urls``
until one answers with a plain-text IP address. Then the path (hops 1 to 5 towards the first ping
target, :mod:`~homediag.net.hops`): the router after the gateway, since many routers' IGDs hide a
private WAN address (miniupnpd answers with no address, or the address STUN sees) while the next hop
still shows it; the first hop with a public address; and how much farther hop 2 is than the gateway
(a second box in the home answers within about a millisecond of it, a provider's first router is a
line away). Cable and fibre cores often answer from private addresses, so hop 2 alone is weak evidence.

It observes classes (public, private, cgnat, link-local, ...; documentation ranges count as public), not
verdicts: a private WAN address means another router does NAT in front, a 100.64.0.0/10 one means the
provider's carrier-grade NAT; the playbooks decide what that means for the complaint. Both addresses are
personal data (privacy ``drop``); their classes are kept.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import Field

from homediag.core.facts import Fact, Privacy
from homediag.core.http import HttpError
from homediag.core.i18n import _
from homediag.core.io import HopResult
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeArgs, ProbeSpec, Risk
from homediag.core.worker import WorkerError
from homediag.net.addressing import (
    AddressClass,
    IPAddress,
    classify_address,
    parse_address,
)
from homediag.net.hops import hop_address
from homediag.net.upnp.devices import WanService
from homediag.net.upnp.igd import (
    MAX_SOAP_BYTES,
    build_request,
    control_url_allowed,
    parse_external_ip_response,
)

T = TypeVar("T")
MAX_PUBLIC_IP_BYTES = 256
MAX_PUBLIC_IP_URLS = 3
MAX_WAN_SERVICES = 2
UPSTREAM_HOP = 2
"""Hop 1 is the default gateway; hop 2 the first router beyond it."""
PATH_HOPS = 5
"""Hops looked at for the first public address (a second home router and a provider's private core
put it at hop 3 or 4)."""
NEAR_MS = 1.0
"""Hop 2 within this of the gateway is a box in the same home (a provider's first router is a line
away: several ms on DSL and cable)."""


@dataclass(frozen=True)
class Measured:
    """An address (None when there is none) and its class, or why it could not be measured."""

    address: IPAddress | None = None
    klass: AddressClass | None = None
    """None when not measured."""
    evidence: str = ""


async def wan_address(ctx: ProbeContext) -> Measured:
    """Ask the IGD for its external address."""
    present = ctx.fact("upnp.igd_present")
    if present is None:
        return Measured(evidence=_("the SSDP search for an IGD did not run or failed"))
    if present is not True:
        return Measured(evidence=_("no UPnP IGD answered: the WAN address is unknown"))
    igd_address = str(ctx.fact("upnp.igd_address") or "")
    services = ctx.fact_as("upnp.igd_wan_services", list[WanService]) or []
    problems: list[str] = []
    for service in services[:MAX_WAN_SERVICES]:
        service_type, url = service["service_type"], service["control_url"]
        if not control_url_allowed(url, igd_address, ctx.fact("interface.subnet")):
            problems.append(_("control URL not on the IGD's address: refused"))
            continue
        try:
            body, headers = build_request(service_type)
        except ValueError:
            problems.append(_("unknown WAN service type"))
            continue
        short = service_type.rsplit(":", 2)[-2] if service_type.count(":") >= 2 else service_type
        try:
            response = await ctx.http(
                url,
                method="POST",
                content=body,
                headers=headers,
                timeout_s=5.0,
                max_bytes=MAX_SOAP_BYTES + 1,
                follow_redirects=False,
            )
        except TimeoutError:
            problems.append(_("{service}: no answer within 5 s").format(service=short))
            continue
        except HttpError as exc:
            problems.append(f"{short}: {exc}"[:160])
            continue
        if response.truncated or len(response.body) > MAX_SOAP_BYTES:
            problems.append(_("{service}: answer larger than 64 KiB").format(service=short))
            continue
        try:
            reply = await ctx.parse_untrusted(parse_external_ip_response, response.body)
        except (TimeoutError, WorkerError) as exc:
            problems.append(
                _("{service}: unreadable answer (HTTP {status}): {error}").format(
                    service=short, status=response.status, error=str(exc)[:100]
                )
            )
            continue
        if reply.address is None:
            problems.append(
                _("{service}: error {code} {text}").format(
                    service=short, code=reply.fault_code or "", text=reply.fault_description or ""
                )
            )
            continue
        try:
            address = parse_address(reply.address)
        except ValueError:
            address = None
        klass = classify_address(address)
        if klass is AddressClass.NONE:
            return Measured(
                None,
                AddressClass.NONE,
                _("the IGD ({service}) reports no external address").format(service=short),
            )
        return Measured(
            address,
            klass,
            _("the IGD ({service}) reports a {klass} external address").format(
                service=short, klass=klass.value
            ),
        )
    if not services:
        return Measured(evidence=_("the IGD offers no WAN connection service to ask"))
    return Measured(evidence="; ".join(problems)[:300])


async def public_address(ctx: ProbeContext) -> Measured:
    """The address the internet sees, from the first ``internet.public_ip_urls`` that answers."""
    urls = list(ctx.config.internet.public_ip_urls)[:MAX_PUBLIC_IP_URLS]
    if not urls:
        return Measured(evidence=_("no public_ip_urls configured"))
    problems: list[str] = []
    for url in urls:
        host = urlsplit(url).hostname or url[:60]
        try:
            response = await ctx.http(url, timeout_s=5.0, max_bytes=MAX_PUBLIC_IP_BYTES)
        except TimeoutError:
            problems.append(_("{host}: no answer within 5 s").format(host=host))
            continue
        except HttpError as exc:
            problems.append(f"{host}: {exc}"[:120])
            continue
        if response.status != 200 or response.truncated:
            problems.append(_("{host}: HTTP {status}").format(host=host, status=response.status))
            continue
        try:
            address = parse_address(response.body.decode("ascii", "replace"))
        except ValueError:
            address = None
        if address is None:
            problems.append(_("{host}: the answer is not an IP address").format(host=host))
            continue
        klass = classify_address(address)
        return Measured(
            address, klass, _("{host} sees a {klass} address").format(host=host, klass=klass.value)
        )
    return Measured(evidence="; ".join(problems)[:300])


@dataclass(frozen=True)
class PathView:
    """What the first hops towards the internet say about NAT."""

    upstream: Measured
    first_public_hop: int | None = None
    first_public_evidence: str = ""
    hop2_extra_ms: float | None = None
    hop2_evidence: str = ""


async def _hop(ctx: ProbeContext, target: str, ttl: int, tries: int = 2) -> HopResult:
    platform = ctx.session.platform.value if ctx.session.platform else ""
    return await hop_address(
        ctx, target, ttl, privileged=ctx.session.privileged, windows=platform == "windows", tries=tries
    )


async def _timed_hop(ctx: ProbeContext, target: str, ttl: int) -> HopResult:
    """The hop with the smallest of two round trips (one sample on a busy computer is noisy)."""
    first = await _hop(ctx, target, ttl)
    if first.rtt_ms is None:
        return first
    second = await _hop(ctx, target, ttl)
    if second.rtt_ms is not None and second.address == first.address and second.rtt_ms < first.rtt_ms:
        return second
    return first


async def path_view(ctx: ProbeContext) -> PathView:
    """Hops 1 to :data:`PATH_HOPS` towards the first IPv4 ping target, all at once: the router after
    the gateway (hop 2), the first hop with a public address, and how much farther hop 2 is than the
    gateway."""
    if not ctx.fact("gateway.ipv4"):
        return PathView(Measured(evidence=_("there is no default gateway")))
    targets = [t for t in ctx.config.internet.ping_targets if _is_ipv4(t)]
    if not targets:
        return PathView(Measured(evidence=_("no IPv4 ping target configured")))
    target = targets[0]
    hops = list(
        await asyncio.gather(
            _timed_hop(ctx, target, 1),
            _timed_hop(ctx, target, UPSTREAM_HOP),
            *(_hop(ctx, target, ttl) for ttl in range(UPSTREAM_HOP + 1, PATH_HOPS + 1)),
        )
    )
    return PathView(_upstream(hops[1]), *_first_public(hops), *_hop2_extra(hops[0], hops[1]))


def _upstream(result: HopResult) -> Measured:
    if result.address is None:
        return Measured(evidence=result.note or "")
    address = parse_address(result.address)
    klass = classify_address(address)
    if result.reached:
        text = _("the target answered at hop {hop}: no router between the gateway and it").format(
            hop=UPSTREAM_HOP
        )
    else:
        text = _("the router after the gateway answers from a {klass} address ({method})").format(
            klass=klass.value, method=result.method
        )
    return Measured(address, klass, text)


def _first_public(hops: list[HopResult]) -> tuple[int | None, str]:
    """The first hop beyond the gateway with a public address (the target counts), and the classes
    of the hops seen, in order (``2 private, 3 -, 4 public``)."""
    seen: list[str] = []
    for ttl, hop in enumerate(hops[1:], start=UPSTREAM_HOP):
        if hop.address is None:
            seen.append(f"{ttl} -")
            continue
        klass = classify_address(parse_address(hop.address))
        seen.append(f"{ttl} {klass.value}")
        if klass is AddressClass.PUBLIC:
            return ttl, _("hops beyond the gateway: {hops}").format(hops=", ".join(seen))
        if hop.reached:
            break
    return None, _("no public address within {n} hops: {hops}").format(n=PATH_HOPS, hops=", ".join(seen))


def _hop2_extra(gateway: HopResult, hop2: HopResult) -> tuple[float | None, str]:
    if gateway.rtt_ms is None or hop2.rtt_ms is None or hop2.reached:
        why = (
            _("the target is the second hop")
            if hop2.reached
            else _("round trips are timed with raw ICMP only, and both hops must answer")
        )
        return None, why
    extra = round(hop2.rtt_ms - gateway.rtt_ms, 3)
    return extra, _("hop 2 {hop2:.2f} ms, the gateway {gateway:.2f} ms").format(
        hop2=hop2.rtt_ms, gateway=gateway.rtt_ms
    )


def _is_ipv4(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).version == 4
    except ValueError:
        return False


class NatArgs(ProbeArgs):
    """Arguments of ``net.nat`` (config: ``probes.net.nat``)."""

    public_ip: bool = Field(True, description="Ask internet.public_ip_urls for the public address")
    upstream: bool = Field(
        True,
        description="Find the first router beyond the gateway (TTL-limited packets to the first ping target)",
    )


class NatProbe(Probe):
    """The router's WAN address and the public address, classified."""

    spec = ProbeSpec(
        id="net.nat",
        summary="The router's WAN address from its UPnP IGD and the public address, with their classes",
        risk=Risk.SAFE,
        timeout_s=15.0,
        needs=(
            "upnp.igd_present",
            "upnp.igd_address",
            "upnp.igd_wan_services",
            "interface.subnet",
            "gateway.ipv4",
        ),
        provides=(
            Fact(
                "nat.wan_address",
                str,
                "The router's WAN address, as its UPnP IGD reports it",
                privacy=Privacy.DROP,
                not_judged="personal data (dropped when shared); its class nat.wan_class is judged",
            ),
            Fact(
                "nat.wan_class",
                str,
                "Class of the WAN address: public, private, cgnat, link-local, reserved or none",
            ),
            Fact(
                "nat.wan_is_private",
                bool,
                "The WAN address is private (RFC 1918)",
                not_judged="overlaps nat.wan_class, which is judged",
            ),
            Fact(
                "nat.public_address",
                str,
                "The address the internet sees",
                privacy=Privacy.DROP,
                not_judged=(
                    "personal data (dropped when shared); NAT is judged from nat.wan_class and the path"
                ),
            ),
            Fact(
                "nat.public_class",
                str,
                "Class of the public address: public, private, cgnat, link-local, reserved or none",
                not_judged="overlaps nat.wan_class (a public address behind CGNAT is the provider's)",
            ),
            Fact(
                "nat.wan_equals_public",
                bool,
                "The router's WAN address is the address the internet sees",
                not_judged="no: an IGD that reports what STUN sees makes it equal behind a second NAT too",
            ),
            Fact(
                "nat.upstream_address",
                str,
                "The first router beyond the default gateway (hop 2 towards the internet)",
                privacy=Privacy.DROP,
            ),
            Fact(
                "nat.upstream_class",
                str,
                "Class of that router's address: public, private, cgnat, link-local, reserved or none",
            ),
            Fact(
                "nat.first_public_hop",
                int,
                f"The first hop beyond the gateway with a public address, the target included (null: "
                f"none within {PATH_HOPS} hops)",
                not_judged=(
                    "not judged yet: in the lab every path puts the first public hop at 3 (double NAT too), "
                    "so a judgement cannot be benched"
                ),
            ),
            Fact(
                "nat.hop2_extra_ms",
                float,
                "Hop 2's round trip minus the gateway's (under about 1 ms: a second box in the home)",
                unit="ms",
                not_judged=(
                    "not judged yet: the lab has no access-line delay (no sch_netem here), so every hop 2 is"
                    " near and a judgement would call cable homes double NAT"
                ),
            ),
        ),
        args=NatArgs,
        description=(
            "Sends the read-only UPnP action GetExternalIPAddress to the IGD's WANIPConnection or "
            "WANPPPConnection control URL (only on the IGD's own LAN address; answer capped at 64 KiB "
            "and parsed with defusedxml in a killable worker), and fetches the public address from "
            "internet.public_ip_urls (plain text, capped, must be an IP address). Classifies both: "
            "public (documentation ranges included), private, cgnat (100.64.0.0/10), link-local, none. "
            "Then sends up to two packets with each time-to-live from 1 to 5 towards the first IPv4 ping "
            "target, all at once (raw ICMP echo as root, else UDP with the Linux error queue): classifies "
            "the router after the gateway, finds the first hop with a public address, and times hop 2 "
            "against the gateway (raw ICMP, best of two). Never adds or removes port mappings."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Measure both addresses and observe their classes."""
        args = ctx.args_as(NatArgs)
        wan, public, path = await asyncio.gather(
            wan_address(ctx),
            public_address(ctx)
            if args.public_ip
            else _constant(Measured(evidence=_("not asked (public_ip is off)"))),
            path_view(ctx)
            if args.upstream
            else _constant(PathView(Measured(evidence=_("not asked (upstream is off)")))),
        )
        upstream = path.upstream
        ctx.observe(
            "nat.wan_address",
            None if wan.address is None else str(wan.address),
            evidence=wan.evidence,
        )
        ctx.observe("nat.wan_class", None if wan.klass is None else wan.klass.value)
        ctx.observe(
            "nat.wan_is_private",
            None if wan.address is None or wan.klass is None else wan.klass is AddressClass.PRIVATE,
        )
        ctx.observe(
            "nat.public_address",
            None if public.address is None else str(public.address),
            evidence=public.evidence,
        )
        ctx.observe("nat.public_class", None if public.klass is None else public.klass.value)
        equal: bool | None = None
        if wan.address is not None and public.address is not None:
            equal = wan.address == public.address
        ctx.observe("nat.wan_equals_public", equal)
        ctx.observe(
            "nat.upstream_address",
            None if upstream.address is None else str(upstream.address),
            evidence=upstream.evidence,
        )
        ctx.observe("nat.upstream_class", None if upstream.klass is None else upstream.klass.value)
        if args.upstream:
            ctx.observe("nat.first_public_hop", path.first_public_hop, evidence=path.first_public_evidence)
            ctx.observe("nat.hop2_extra_ms", path.hop2_extra_ms, evidence=path.hop2_evidence)


async def _constant(value: T) -> T:
    return value
