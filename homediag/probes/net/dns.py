"""``net.dns``: does each configured resolver answer, and how fast.

Safe: one A query per resolver (and one retry) for the first name of ``internet.dns_names``, with
dnspython, 2 s per try. A resolver "answers" when it returns any well-formed response (NOERROR or
NXDOMAIN); SERVFAIL and REFUSED count as answers that failed, which the evidence says.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeArg, ProbeSpec, Risk

MAX_RESOLVERS = 3


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
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
        value = host
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
        if not port_text.isdigit():
            return None
        value, port = host, int(port_text)
    try:
        address = str(ipaddress.ip_address(value.split("%", 1)[0]))
    except ValueError:
        return None
    if not 0 < port < 65536:
        return None
    return Server(address, port)


@dataclass(frozen=True)
class QueryResult:
    """One resolver's answer (or silence)."""

    answered: bool
    latency_ms: float | None
    rcode: str | None
    error: str | None = None


async def query_resolver(
    server: Server, name: str, timeout_s: float, tries: int = 2
) -> QueryResult:
    """Ask ``server`` for the A record of ``name``; retry once on silence."""
    import dns.asyncquery
    import dns.exception
    import dns.message
    import dns.rcode

    last_error = "no answer"
    for _attempt in range(tries):
        query = dns.message.make_query(name, "A")
        started = time.monotonic()
        try:
            response = await dns.asyncquery.udp(
                query, server.address, timeout=timeout_s, port=server.port
            )
        except dns.exception.Timeout:
            last_error = _("no answer within {seconds:g} s").format(seconds=timeout_s)
            continue
        except (OSError, dns.exception.DNSException) as exc:
            return QueryResult(False, None, None, str(exc)[:200] or type(exc).__name__)
        latency = (time.monotonic() - started) * 1000.0
        rcode = dns.rcode.to_text(response.rcode())
        ok = response.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)
        return QueryResult(ok, round(latency, 3), rcode)
    return QueryResult(False, None, None, last_error)


class DnsProbe(Probe):
    """Each configured resolver, asked once."""

    spec = ProbeSpec(
        id="net.dns",
        summary="Whether each configured DNS resolver answers, and how fast",
        risk=Risk.SAFE,
        timeout_s=10.0,
        needs=("dns.resolvers",),
        provides=("dns.resolver_ok", "dns.latency_ms", "dns.any_ok", "dns.best_latency_ms"),
        args=(
            ProbeArg("servers", "list", [], "Ask these resolvers instead of the configured ones"),
            ProbeArg("timeout_s", "float", 2.0, "Seconds to wait for each answer"),
        ),
        description=(
            "Sends one DNS query (A record of the first name in internet.dns_names) to each of the "
            f"first {MAX_RESOLVERS} configured resolvers, with one retry, and measures the answer time."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable when no resolver is configured (that itself is observed by net.interfaces)."""
        if not (ctx.arg("servers") or ctx.fact("dns.resolvers")):
            return _("no DNS resolver is configured")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Query every resolver concurrently."""
        import asyncio

        configured = ctx.arg("servers") or ctx.fact("dns.resolvers") or []
        assert isinstance(configured, list)
        servers = [s for s in (parse_server(str(v)) for v in configured) if s is not None]
        servers = servers[:MAX_RESOLVERS]
        if len(configured) > MAX_RESOLVERS:
            ctx.limit("resolvers")
        name = ctx.config.internet.dns_names[0] if ctx.config.internet.dns_names else "example.com"
        timeout = float(ctx.arg("timeout_s"))
        results = await asyncio.gather(*(query_resolver(s, name, timeout) for s in servers))
        best: float | None = None
        for server, result in zip(servers, results, strict=True):
            subject = f"resolver:{server.label}"
            if result.answered:
                evidence = _("answered {rcode} for {name} in {ms:.0f} ms").format(
                    rcode=result.rcode, name=name, ms=result.latency_ms or 0.0
                )
            elif result.rcode:
                evidence = _("answered {rcode} for {name}").format(rcode=result.rcode, name=name)
            else:
                evidence = result.error or _("no answer")
            ctx.observe("dns.resolver_ok", result.answered, subject=subject, evidence=evidence)
            ctx.observe("dns.latency_ms", result.latency_ms, subject=subject)
            if result.answered and result.latency_ms is not None:
                best = result.latency_ms if best is None else min(best, result.latency_ms)
        ctx.observe("dns.any_ok", any(r.answered for r in results))
        ctx.observe("dns.best_latency_ms", best)
