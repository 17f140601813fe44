"""``net.dns``: does each configured resolver answer, correctly, fast enough, over UDP and TCP.

Safe: a handful of queries per resolver (at most the first three resolvers), with dnspython, 2 s each:

1. the A record of the first name of ``internet.dns_names`` over UDP, as a stub resolver asks (resent
   every ``timeout_s / 2`` while listening for every query sent, ``2 * timeout_s`` in all): does it answer?
   Any well-formed response counts as an answer (NOERROR or NXDOMAIN); SERVFAIL and REFUSED are answers
   that failed, which the evidence says. A resolver that stays silent gets no further UDP queries;
2. the A record of every configured name (at most four): each must resolve to an address, and where
   several resolvers answer, their addresses for a name should overlap (CDNs hand out different
   addresses from different resolvers, so "overlap" and not "equal");
3. three names made of random labels under the first configured name, one after the other: no cache on
   the way (the computer's, the home router's, the provider's) can hold them, so their answer times are
   the full resolution cost, which is what ``dns.slow`` is about (ChromeOS measures the same way with
   random hosts). Querying the configured names again would time the home router's cache instead: a
   fast answer from the cache says nothing about the resolver behind it;
4. one random name under the top-level domain of the first configured name (``hd-<random>.com``): it
   cannot exist, so an address in the answer means the resolver invents answers (NXDOMAIN rewriting);
5. the first name over TCP: a resolver that answers over TCP but not over UDP points at UDP filtering.

Beside the configured resolvers it times the public ones of ``compare_servers`` (1.1.1.1 and 9.9.9.9 by
default) with the same uncached names, so a remedy for slow DNS can name the faster one with its
number ("9.9.9.9 answered in 24 ms where your DNS server took 850 ms"). Those get the first query and
the three timed names only.
"""

from __future__ import annotations

import asyncio

from pydantic import Field

from homediag.core.facts import Fact
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeArgs, ProbeSpec, Risk
from homediag.net.dns import (
    LATENCY_SAMPLES,
    ResolverReport,
    answers_agree,
    examine,
    parse_server,
    time_resolver,
)

MAX_RESOLVERS = 3
MAX_NAMES = 4


class DnsArgs(ProbeArgs):
    """Arguments of ``net.dns`` (config: ``probes.net.dns``)."""

    servers: list[str] = Field(
        default_factory=list, description="Ask these resolvers instead of the configured ones"
    )
    timeout_s: float = Field(2.0, description="Seconds to wait for each answer")
    compare_servers: list[str] = Field(
        default_factory=lambda: ["1.1.1.1", "9.9.9.9"],
        description="Public resolvers timed beside the configured ones (dns.public_*); empty: none",
    )


class DnsProbe(Probe):
    """Each configured resolver: answers, correctness, hijacking, latency, TCP."""

    spec = ProbeSpec(
        id="net.dns",
        summary="Whether each configured DNS resolver answers, correctly and how fast, over UDP and TCP",
        risk=Risk.SAFE,
        timeout_s=15.0,
        needs=("dns.resolvers",),
        provides=(
            Fact(
                "dns.resolver_ok",
                bool,
                "This resolver answered a query (subject: resolver)",
                not_judged=(
                    "per-resolver detail; playbooks judge the aggregates (dns.any_ok, dns.best_latency_ms, "
                    "...)"
                ),
            ),
            Fact(
                "dns.latency_ms",
                float,
                "Answer time of this resolver (subject: resolver)",
                unit="ms",
                not_judged=(
                    "per-resolver detail; playbooks judge the aggregates (dns.any_ok, dns.best_latency_ms, "
                    "...)"
                ),
            ),
            Fact("dns.any_ok", bool, "At least one configured resolver answered"),
            Fact("dns.best_latency_ms", float, "Answer time of the fastest working resolver", unit="ms"),
            Fact(
                "dns.fastest_answer_ms",
                float,
                "The quickest single answer to a name no cache holds, from any configured resolver: above "
                "the slow-DNS threshold, every answer was slow (a slow server), which lost packets and "
                "their retries alone do not cause",
                unit="ms",
            ),
            Fact(
                "dns.latency_samples_ms",
                list[float | None],
                "Answer times for random names no cache holds (subject: resolver; null when lost)",
                unit="ms",
                not_judged=(
                    "per-resolver detail; playbooks judge the aggregates (dns.any_ok, dns.best_latency_ms, "
                    "...)"
                ),
            ),
            Fact(
                "dns.names_resolved",
                bool,
                "Every name of internet.dns_names resolved to an address (subject: resolver)",
                not_judged=(
                    "per-resolver detail; playbooks judge the aggregates (dns.any_ok, dns.best_latency_ms, "
                    "...)"
                ),
            ),
            Fact(
                "dns.addresses",
                dict[str, list[str]],
                "Addresses returned for each configured name (subject: resolver)",
                not_judged="evidence detail of dns.answers_agree, which is judged",
            ),
            Fact(
                "dns.all_names_resolved",
                bool,
                "Some resolver resolved every configured name",
                not_judged=(
                    "overlaps dns.any_ok (a resolver that answers but cannot resolve is rare); kept as "
                    "evidence"
                ),
            ),
            Fact(
                "dns.answers_agree",
                bool,
                "Where several resolvers answered, their addresses overlap for every name",
            ),
            Fact(
                "dns.fake_answer",
                bool,
                "Returned an address for a random name that does not exist (subject: resolver)",
                not_judged="per-resolver detail of dns.any_fake_answer, which is judged",
            ),
            Fact(
                "dns.any_fake_answer",
                bool,
                "Some resolver returned an address for a name that does not exist",
            ),
            Fact(
                "dns.tcp_ok",
                bool,
                "This resolver answered over TCP (subject: resolver)",
                not_judged="per-resolver detail of dns.udp_fails_tcp_works, which is judged",
            ),
            Fact(
                "dns.public_latency_ms",
                float,
                "Answer time of a public resolver of compare_servers for uncached names (subject: resolver)",
                unit="ms",
                not_judged="per-resolver detail of dns.public_best_ms, which is judged",
            ),
            Fact(
                "dns.public_best_ms",
                float,
                "Answer time of the fastest public resolver of compare_servers (null: none answered)",
                unit="ms",
            ),
            Fact("dns.public_fastest", str, "The fastest public resolver of compare_servers"),
            Fact(
                "dns.udp_fails_tcp_works",
                bool,
                "Some resolver answered over TCP while it did not answer over UDP",
            ),
        ),
        args=DnsArgs,
        description=(
            f"Asks each of the first {MAX_RESOLVERS} configured resolvers for the A records of the names "
            f"in internet.dns_names (at most {MAX_NAMES}; the first resent on silence, as a stub "
            "resolver does), times "
            f"{LATENCY_SAMPLES} random names under the first name that no cache can hold (the "
            "honest answer time behind a home router's cache), asks for a random name under its "
            "top-level domain that cannot exist (an address in the answer means the resolver rewrites "
            "NXDOMAIN), and repeats the first query over TCP. About seven small queries per resolver; "
            "a silent resolver gets only the resent first query and the TCP query. Times the public "
            "resolvers of compare_servers (1.1.1.1 and 9.9.9.9) with the same uncached names."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable when no resolver is configured (that itself is observed by net.interfaces)."""
        if not (ctx.args_as(DnsArgs).servers or ctx.fact("dns.resolvers")):
            return _("no DNS resolver is configured")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Examine every resolver concurrently."""
        args = ctx.args_as(DnsArgs)
        configured: list[str] = args.servers or ctx.fact_as("dns.resolvers", list[str]) or []
        servers = [s for s in (parse_server(str(v)) for v in configured) if s is not None]
        servers = servers[:MAX_RESOLVERS]
        if len(configured) > MAX_RESOLVERS:
            ctx.limit("resolvers")
        names = [n.strip().rstrip(".") for n in ctx.config.internet.dns_names if n.strip()]
        if len(names) > MAX_NAMES:
            ctx.limit("names")
        names = names[:MAX_NAMES] or ["example.com"]
        timeout = args.timeout_s
        configured_labels = {s.label for s in servers}
        public = [
            s
            for s in (parse_server(v) for v in args.compare_servers[:MAX_RESOLVERS])
            if s is not None and s.label not in configured_labels
        ]
        deadline = ctx.deadline - 0.2
        reports, timed = await asyncio.gather(
            asyncio.gather(*(examine(ctx, s, names, timeout, deadline) for s in servers)),
            asyncio.gather(*(time_resolver(ctx, s, names[0], timeout, deadline) for s in public)),
        )
        for report in reports:
            self._observe_resolver(ctx, report, names)
        self._observe_aggregates(ctx, list(reports))
        if public:
            self._observe_public(ctx, list(timed))

    @staticmethod
    def _observe_public(ctx: ProbeContext, timed: list[ResolverReport]) -> None:
        """The public resolvers' answer times, and the fastest of them."""
        for report in timed:
            samples = report.sample_ms
            evidence = (
                _("{answered} of {total} uncached names answered").format(
                    answered=sum(1 for v in samples if v is not None), total=len(samples)
                )
                if samples
                else (report.first.error or _("no answer"))
            )
            ctx.observe(
                "dns.public_latency_ms",
                report.latency_ms,
                subject=f"resolver:{report.server.label}",
                evidence=evidence,
            )
        answered = [r for r in timed if r.latency_ms is not None]
        fastest = min(answered, key=lambda r: r.latency_ms or 0.0) if answered else None
        times = ", ".join(
            f"{r.server.label} {r.latency_ms:.0f} ms" for r in answered if r.latency_ms is not None
        )
        ctx.observe(
            "dns.public_best_ms",
            None if fastest is None else fastest.latency_ms,
            evidence=times or _("no public resolver answered"),
        )
        ctx.observe("dns.public_fastest", None if fastest is None else fastest.server.label)

    def _observe_resolver(self, ctx: ProbeContext, report: ResolverReport, names: list[str]) -> None:
        subject = f"resolver:{report.server.label}"
        first = report.first
        if first.answered:
            evidence = _("answered {rcode} for {name} in {ms:.0f} ms").format(
                rcode=first.rcode, name=names[0], ms=first.latency_ms or 0.0
            )
        elif first.rcode:
            evidence = _("answered {rcode} for {name}").format(rcode=first.rcode, name=names[0])
        else:
            evidence = first.error or _("no answer")
        ctx.observe("dns.resolver_ok", first.answered, subject=subject, evidence=evidence)

        samples = report.sample_ms
        if samples:
            answered = sum(1 for s in samples if s is not None)
            latency_evidence = _("{answered} of {total} uncached names answered").format(
                answered=answered, total=len(samples)
            )
        else:
            latency_evidence = _("not measured: the resolver did not answer")
        ctx.observe("dns.latency_ms", report.latency_ms, subject=subject, evidence=latency_evidence)
        ctx.observe("dns.latency_samples_ms", samples, subject=subject)

        resolved = report.names_resolved
        missing = [name for name, r in report.names.items() if not r.addresses]
        if resolved is None:
            names_evidence = _("not asked: the resolver did not answer")
        elif missing:
            names_evidence = _("no address for {names}").format(names=", ".join(missing))
        else:
            names_evidence = _("{count} names resolved").format(count=len(report.names))
        ctx.observe("dns.names_resolved", resolved, subject=subject, evidence=names_evidence)
        ctx.observe(
            "dns.addresses",
            {name: list(r.addresses) for name, r in report.names.items()},
            subject=subject,
        )

        fake = report.fake_answer
        nx = report.nxdomain
        if nx is None or nx.rcode is None:
            fake_evidence = _("not measured: no answer for a name that cannot exist")
        elif nx.addresses:
            fake_evidence = _("a name that cannot exist resolved to {addresses}").format(
                addresses=", ".join(nx.addresses[:3])
            )
        else:
            fake_evidence = _("a name that cannot exist gave {rcode}").format(rcode=nx.rcode)
        ctx.observe("dns.fake_answer", fake, subject=subject, evidence=fake_evidence)

        tcp = report.tcp
        tcp_evidence = (
            _("answered {rcode} over TCP").format(rcode=tcp.rcode)
            if tcp.rcode
            else (tcp.error or _("no answer over TCP"))
        )
        ctx.observe("dns.tcp_ok", tcp.answered, subject=subject, evidence=tcp_evidence)

    def _observe_aggregates(self, ctx: ProbeContext, reports: list[ResolverReport]) -> None:
        ctx.observe("dns.any_ok", any(r.first.answered for r in reports))
        latencies = [r.latency_ms for r in reports if r.first.answered and r.latency_ms is not None]
        ctx.observe("dns.best_latency_ms", min(latencies) if latencies else None)
        answers = [ms for r in reports for ms in r.sample_ms if ms is not None]
        ctx.observe("dns.fastest_answer_ms", min(answers) if answers else None)

        resolved = [r.names_resolved for r in reports if r.names_resolved is not None]
        ctx.observe(
            "dns.all_names_resolved",
            any(resolved) if resolved else None,
            evidence=None if resolved else _("no resolver answered"),
        )
        agree, differing = answers_agree(list(reports))
        if agree is None:
            agree_evidence = _("fewer than two resolvers resolved every name")
        elif differing:
            agree_evidence = _("no common address for {names}").format(names=", ".join(differing))
        else:
            agree_evidence = _("the resolvers share addresses for every name")
        ctx.observe("dns.answers_agree", agree, evidence=agree_evidence)

        fakes = [(r, r.fake_answer) for r in reports if r.fake_answer is not None]
        faking = [r.server.label for r, fake in fakes if fake]
        ctx.observe(
            "dns.any_fake_answer",
            any(fake for _r, fake in fakes) if fakes else None,
            evidence=(_("invented answers: {servers}").format(servers=", ".join(faking)) if faking else None),
        )
        tcp_only = [r.server.label for r in reports if r.tcp.answered and not r.first.answered]
        ctx.observe(
            "dns.udp_fails_tcp_works",
            bool(tcp_only),
            evidence=(
                _("answered over TCP only: {servers}").format(servers=", ".join(tcp_only))
                if tcp_only
                else None
            ),
        )
