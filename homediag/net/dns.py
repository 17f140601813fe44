"""DNS with dnspython: one resolver's answers, timing and honesty, and reverse (PTR) lookups.

:func:`examine` asks one resolver the questions ``net.dns`` reports on (the first name as a stub
resolver asks, resending on silence; every configured name, random names no cache holds, a name that
cannot exist, the first name over TCP);
:func:`reverse_lookup` asks a resolver for the PTR names of LAN addresses (``discovery.names``).
Every query has its own timeout; nothing here raises for a network failure. Queries go through
``ctx.dns()``, whose live side is :class:`LiveDns`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import statistics
import string
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from random import Random

from homediag.core.i18n import _
from homediag.core.io import DnsAnswer
from homediag.core.probe import ProbeContext
from homediag.net.os._common import parse_port
from homediag.net.reach import resolve

LATENCY_SAMPLES = 3
NXDOMAIN_PREFIX = "hd-"
PTR_CONCURRENCY = 32


@dataclass(frozen=True)
class Server:
    """A resolver address with its port."""

    address: str
    port: int = 53

    @property
    def label(self) -> str:
        """``192.0.2.53`` or ``192.0.2.53:5353``."""
        return self.address if self.port == 53 else f"{self.address}:{self.port}"


def parse_server(text: str) -> Server | None:
    """``192.0.2.53``, ``192.0.2.53:5353``, ``2001:db8::53``, ``[2001:db8::53]:53`` -> Server."""
    value = text.strip()
    port = 53
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest.startswith(":"):
            port = parse_port(rest[1:]) or 0
        value = host
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
        parsed = parse_port(port_text)
        if parsed is None:
            return None
        value, port = host, parsed
    try:
        address = str(ipaddress.ip_address(value.split("%", 1)[0]))
    except ValueError:
        return None
    if not 0 < port < 65536:
        return None
    return Server(address, port)


@dataclass(frozen=True)
class QueryResult:
    """One query's answer (or silence)."""

    answered: bool
    """A well-formed NOERROR or NXDOMAIN response came back."""
    latency_ms: float | None
    rcode: str | None
    error: str | None = None
    addresses: tuple[str, ...] = ()
    """A records in the answer section (after any CNAME chain)."""
    timed_out: bool = False
    """Nothing came back in time (as opposed to an error such as "network unreachable")."""


async def query_resolver(
    ctx: ProbeContext,
    server: Server,
    name: str,
    timeout_s: float,
    tries: int = 2,
    *,
    tcp: bool = False,
) -> QueryResult:
    """Ask ``server`` for the A record of ``name`` over UDP (or TCP) through ``ctx.dns()``; retry on
    silence."""
    last_error = "no answer"
    for _attempt in range(tries):
        answer = await ctx.dns().query(
            server.address, name, "A", port=server.port, tcp=tcp, timeout_s=timeout_s
        )
        if answer.timed_out:
            last_error = _("no answer within {seconds:g} s").format(seconds=round(timeout_s, 1))
            continue
        if answer.rcode is None:
            return QueryResult(False, None, None, answer.error or "no answer")
        ok = answer.rcode in ("NOERROR", "NXDOMAIN")
        latency = None if answer.latency_ms is None else round(answer.latency_ms, 3)
        return QueryResult(ok, latency, answer.rcode, addresses=answer.records[:32])
    return QueryResult(False, None, None, last_error, timed_out=True)


async def query_patiently(
    ctx: ProbeContext, server: Server, name: str, timeout_s: float, deadline: float
) -> QueryResult:
    """Ask ``server`` for ``name`` the way a stub resolver does on a lossy link: resend every
    ``timeout_s / 2`` without giving up on the queries already sent, and wait ``2 * timeout_s`` in all
    (never past ``deadline``). The first answer wins; each keeps its own time.

    With one retry that abandoned the first query, a link losing 10 % each way left a resolver silent
    in about one run of 28 (bench1.4: ``dns.server-unreachable`` confirmed beside ``lan.packet-loss``);
    four overlapping queries leave it silent about once in 770, and a slow resolver still answers the
    first of them.
    """
    total = max(0.05, min(2 * timeout_s, deadline - time.monotonic()))
    every = max(0.05, timeout_s / 2)
    start = time.monotonic()

    async def one(delay: float) -> QueryResult:
        await asyncio.sleep(delay)
        return await query_resolver(ctx, server, name, max(0.05, total - delay), tries=1)

    tasks = [asyncio.create_task(one(i * every)) for i in range(max(1, int(total / every)))]
    try:
        for done in asyncio.as_completed(tasks):
            result = await done
            if result.answered or result.rcode is not None:
                return result
            if not result.timed_out:
                return result  # "network unreachable": resending changes nothing
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    waited = round(time.monotonic() - start, 1)
    return QueryResult(
        False,
        None,
        None,
        _("no answer to {n} queries within {seconds:g} s").format(n=len(tasks), seconds=waited),
        timed_out=True,
    )


class LiveDns:
    """The live side of ``ctx.dns()``: dnspython for queries, the system resolver for names."""

    async def query(
        self, server: str, name: str, rdtype: str, *, port: int = 53, tcp: bool = False, timeout_s: float
    ) -> DnsAnswer:
        """One query; never raises for a network failure."""
        import dns.asyncquery
        import dns.exception
        import dns.message
        import dns.rcode
        import dns.rdatatype

        try:
            query = dns.message.make_query(name, rdtype)
        except (dns.exception.DNSException, ValueError) as exc:
            return DnsAnswer(None, error=str(exc)[:200] or type(exc).__name__)
        started = time.monotonic()
        try:
            if tcp:
                response = await dns.asyncquery.tcp(query, server, timeout=timeout_s, port=port)
            else:
                response = await dns.asyncquery.udp(query, server, timeout=timeout_s, port=port)
        except dns.exception.Timeout:
            return DnsAnswer(None, timed_out=True)
        except (OSError, EOFError, ValueError, dns.exception.DNSException) as exc:
            return DnsAnswer(None, error=str(exc)[:200] or type(exc).__name__)
        latency = (time.monotonic() - started) * 1000.0
        wanted = dns.rdatatype.from_text(rdtype)
        records = tuple(
            str(rdata.address) if wanted == dns.rdatatype.A else rdata.to_text()
            for rrset in response.answer
            if rrset.rdtype == wanted
            for rdata in rrset
        )[:64]
        return DnsAnswer(dns.rcode.to_text(response.rcode()), records, latency)

    async def resolve(self, host: str, timeout_s: float, *, udp: bool = False) -> str | None:
        """The first address the system resolver gives for ``host``."""
        return await resolve(host, timeout_s, udp=udp)


def random_label(rng: Random, length: int = 12) -> str:
    """Lower-case letters no cache has seen (from the run's random source: a recording replays)."""
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))


def nxdomain_name(rng: Random, first_name: str) -> str:
    """A name that cannot exist: a random label under the top-level domain of ``first_name``."""
    tld = first_name.rstrip(".").rsplit(".", 1)[-1] or "com"
    return f"{NXDOMAIN_PREFIX}{random_label(rng, 16)}.{tld}"


@dataclass(frozen=True)
class ResolverReport:
    """Everything learned about one resolver."""

    server: Server
    first: QueryResult
    names: dict[str, QueryResult]
    samples: tuple[QueryResult, ...]
    nxdomain: QueryResult | None
    tcp: QueryResult

    @property
    def sample_ms(self) -> list[float | None]:
        """Answer times of the random names (None: lost or failed)."""
        return [s.latency_ms if s.answered else None for s in self.samples]

    @property
    def latency_ms(self) -> float | None:
        """Mean answer time of the random names that were answered."""
        answered = [s for s in self.sample_ms if s is not None]
        return round(statistics.fmean(answered), 3) if answered else None

    @property
    def names_resolved(self) -> bool | None:
        """Every configured name got an address (None when the resolver was silent)."""
        if not self.first.answered and self.first.rcode is None:
            return None
        return all(result.addresses for result in self.names.values())

    @property
    def fake_answer(self) -> bool | None:
        """An address came back for a name that cannot exist (None: not asked or no answer)."""
        if self.nxdomain is None or self.nxdomain.rcode is None:
            return None
        return bool(self.nxdomain.addresses)


async def examine(
    ctx: ProbeContext, server: Server, names: list[str], timeout_s: float, deadline: float
) -> ResolverReport:
    """Run the five steps of the module docstring against one resolver."""
    rng = ctx.random()

    def budget() -> float:
        return max(0.05, min(timeout_s, deadline - time.monotonic()))

    first = await query_patiently(ctx, server, names[0], timeout_s, deadline)
    silent = not first.answered and first.rcode is None
    if silent:
        tcp = await query_resolver(ctx, server, names[0], budget(), tries=1, tcp=True)
        return ResolverReport(server, first, {names[0]: first}, (), None, tcp)

    others = names[1:]
    samples, nxdomain, tcp, answers = await asyncio.gather(
        uncached_samples(ctx, server, names[0], budget),
        query_resolver(ctx, server, nxdomain_name(rng, names[0]), budget()),
        query_resolver(ctx, server, names[0], budget(), tries=1, tcp=True),
        asyncio.gather(*(query_resolver(ctx, server, name, budget()) for name in others)),
    )
    by_name: dict[str, QueryResult] = {names[0]: first, **dict(zip(others, answers, strict=True))}
    return ResolverReport(server, first, by_name, samples, nxdomain, tcp)


async def uncached_samples(
    ctx: ProbeContext, server: Server, name: str, budget: Callable[[], float]
) -> tuple[QueryResult, ...]:
    """:data:`LATENCY_SAMPLES` random names under ``name``, one after the other (no cache holds them)."""
    rng = ctx.random()
    results = []
    for index in range(LATENCY_SAMPLES):
        random_name = f"{NXDOMAIN_PREFIX}{random_label(rng)}{index}.{name}"
        results.append(await query_resolver(ctx, server, random_name, budget(), tries=1))
    return tuple(results)


async def time_resolver(
    ctx: ProbeContext, server: Server, name: str, timeout_s: float, deadline: float
) -> ResolverReport:
    """Only the answer time of ``server`` for names no cache holds (a public resolver to compare
    with): the patient first query, then the random names. Its report has no name checks."""

    def budget() -> float:
        return max(0.05, min(timeout_s, deadline - time.monotonic()))

    first = await query_patiently(ctx, server, name, timeout_s, deadline)
    skipped = QueryResult(False, None, None, "not asked")
    if not first.answered:
        return ResolverReport(server, first, {name: first}, (), None, skipped)
    samples = await uncached_samples(ctx, server, name, budget)
    return ResolverReport(server, first, {name: first}, samples, None, skipped)


def answers_agree(reports: list[ResolverReport]) -> tuple[bool | None, list[str]]:
    """Whether resolvers that resolved every name share an address for each; the names that differ."""
    complete = [r for r in reports if r.names_resolved]
    if len(complete) < 2:
        return None, []
    differing = []
    for name in complete[0].names:
        sets = [set(r.names[name].addresses) for r in complete if name in r.names]
        if sets and not set.intersection(*sets):
            differing.append(name)
    return not differing, differing


def clean_name(name: str) -> str:
    """A DNS name without the root dot, printable characters only."""
    return "".join(ch for ch in name.rstrip(".") if ch.isprintable())[:253]


async def reverse_lookup(
    ctx: ProbeContext,
    addresses: Iterable[ipaddress.IPv4Address],
    resolver: str,
    *,
    timeout_s: float,
    port: int = 53,
) -> dict[ipaddress.IPv4Address, str]:
    """PTR names of ``addresses`` from ``resolver`` (at most 32 queries at a time)."""
    semaphore = asyncio.Semaphore(PTR_CONCURRENCY)
    found: dict[ipaddress.IPv4Address, str] = {}
    client = ctx.dns()

    async def one(address: ipaddress.IPv4Address) -> None:
        async with semaphore:
            answer = await client.query(
                resolver, address.reverse_pointer + ".", "PTR", port=port, timeout_s=timeout_s
            )
        for record in answer.records:
            name = clean_name(record)
            if name:
                found[address] = name
                return

    await asyncio.gather(*(one(a) for a in addresses))
    return found
