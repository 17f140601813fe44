"""``net.internet``: is the internet reachable, over which protocols, and is web traffic intercepted?

Safe: everything goes to the configured internet targets only (``internet.*`` in the configuration),
concurrently, within one deadline:

- echo to ``ping_targets`` (through ``echo.measure_paths``: raw ICMP, else the system ping, else TCP
  connects), for loss, round trip and jitter beyond the gateway. Sampling is sequential: 20 echoes to
  every target at once, 50 ms apart; only when a sequential test (``echo.LossTest``) cannot call the
  paths clean or lossy, or the targets disagree, or the jitter is within half the threshold of it
  (``thresholds.jitter_ms``: where 20 round trips can land on the wrong side by chance), 40 more each (a
  second second, not the six seconds of 30 pings 0.2 s apart that a fixed sample took). Jitter leaves
  isolated spikes out (``echo.jitter``), and raw ICMP takes the kernel's receive time, so a loaded
  computer's slow event loop adds neither;
- a TCP connect to each of ``tcp_targets`` (``host:port``);
- the connectivity checks ``http_checks``: a TCP connect to their port 80 (HTTP firewall), then a GET
  that must answer 204 (or 200 without a body). A redirect to another host, or a page (200 with a body,
  511) instead, is what captive portals do; the portal's host is recorded and never visited;
- ``https_checks``: TCP and a verified TLS handshake with each host (HTTPS firewall), then one request
  timed from the connect to the status line, with the name resolved beforehand (HTTPS latency without
  DNS, like ChromeOS);
- a STUN Binding request to each of ``stun_servers`` over UDP (retransmitted at 0.5 s and 1 s), for
  whether UDP reaches the internet; the address the server saw is the public address (privacy: drop).

Host names that do not resolve are counted (``internet.name_failures``), so a DNS fault is not taken
for a firewall.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import Field

from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.io import EchoSeries, TlsRequest
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArgs, ProbeSpec, Risk
from homediag.net import reach
from homediag.net.echo import jitter_near, measure_paths, summarise

MAX_TARGETS = 4
"""At most this many entries of each configured list are checked."""
HTTP_BODY_CAP = 64 * 1024
PORTAL_STATUSES = (511,)


@dataclass(frozen=True)
class HttpCheck:
    """One connectivity check's outcome."""

    url: str
    resolved: bool
    connect: reach.Connect | None
    status: int | None
    ok: bool | None
    portal: bool | None
    portal_host: str | None
    evidence: str


def classify_http(
    status: int, body: bytes, redirects: tuple[str, ...], refused: bool
) -> tuple[bool, bool, str | None, str]:
    """(answered as expected, portal, portal host, evidence) for a connectivity check's answer."""
    if refused and redirects:
        host = urlsplit(redirects[-1]).hostname or redirects[-1][:100]
        return (
            False,
            True,
            host,
            _("redirected to {host} (not followed)").format(host=host),
        )
    if status == 204 or (status == 200 and not body.strip()):
        return True, False, None, _("answered {status} as expected").format(status=status)
    if status in PORTAL_STATUSES:
        return False, True, None, _("answered {status}: network login required").format(status=status)
    if status == 200:
        return (
            False,
            True,
            None,
            _("a page of {size} bytes came back where 204 was expected").format(size=len(body)),
        )
    return False, False, None, _("answered {status}, not 204").format(status=status)


class InternetArgs(ProbeArgs):
    """Arguments of ``net.internet`` (config: ``probes.net.internet``)."""

    count: int = Field(60, description="Echo requests per ping target at most")
    min_count: int = Field(
        20, description="Echo requests per ping target first; more (up to count) only when loss is ambiguous"
    )
    interval_s: float = Field(0.05, description="Pause between echo requests (0.2 s at least for ping)")
    timeout_s: float = Field(4.0, description="Seconds each TCP, HTTP, TLS or STUN check may take")
    verify_tls: bool = Field(True, description="Verify certificates of the HTTPS checks")


Resolve = Callable[..., Awaitable[str | None]]
"""Looks a host name up (and counts the names that did not resolve)."""

SPEC = ProbeSpec(
    id="net.internet",
    summary="Reachability of the internet: echo, TCP, HTTP(S), captive portals and UDP (STUN)",
    risk=Risk.SAFE,
    timeout_s=25.0,
    provides=(
        Fact(
            "internet.target_ok",
            bool,
            "This target answered (subject: target)",
            not_judged="per-target detail of internet.icmp_ok, which is judged",
        ),
        Fact(
            "internet.target_loss_pct",
            float,
            "Share of echo requests to this target that got no answer (subject: target)",
            unit="%",
        ),
        Fact(
            "internet.target_rtt_ms",
            float,
            "Mean round trip (subject: target)",
            unit="ms",
            not_judged="per-target detail of internet.rtt_ms",
        ),
        Fact(
            "internet.target_jitter_ms",
            float,
            "Mean difference of consecutive round trips, isolated spikes left out (subject: target)",
            unit="ms",
            not_judged="per-target detail of internet.jitter_ms, which is judged",
        ),
        Fact("internet.icmp_ok", bool, "At least one internet target answered echo"),
        Fact(
            "internet.loss_pct",
            float,
            "Loss to the internet: the lowest loss among the targets (path loss hits them all)",
            unit="%",
        ),
        Fact(
            "internet.rtt_ms",
            float,
            "Lowest mean round trip among the targets",
            unit="ms",
            not_judged="no threshold: a long path is no fault by itself (jitter and loss are judged)",
        ),
        Fact("internet.jitter_ms", float, "Median jitter of the targets that answered", unit="ms"),
        Fact(
            "internet.tcp_ok",
            bool,
            "A TCP connection to this host:port was accepted (subject: target)",
            not_judged="per-target detail of internet.tcp_any_ok, which is judged",
        ),
        Fact(
            "internet.tcp_connect_ms",
            float,
            "Time of the TCP handshake (subject: target)",
            unit="ms",
            not_judged="per-target detail; internet.https_latency_ms is judged",
        ),
        Fact("internet.tcp_any_ok", bool, "At least one TCP target accepted a connection"),
        Fact(
            "internet.http_status",
            int,
            "HTTP status of the connectivity check (subject: url)",
            not_judged="evidence detail of the connectivity check (internet.http_any_ok is judged)",
        ),
        Fact(
            "internet.http_ok",
            bool,
            "The connectivity check answered as expected: 204, or 200 without a body (subject: url)",
            not_judged="per-URL detail of internet.http_any_ok, which is judged",
        ),
        Fact("internet.http_any_ok", bool, "At least one connectivity check answered as expected"),
        Fact(
            "internet.captive_portal",
            bool,
            "A connectivity check was redirected to another host, or got a page (200 with a body, 511) "
            "where 204 was expected",
        ),
        Fact(
            "internet.portal_host",
            str,
            "The host a connectivity check was redirected to (never visited)",
            privacy=Privacy.PSEUDONYMISE,
            not_judged="evidence detail of internet.captive_portal (the portal's host, never visited)",
        ),
        Fact(
            "internet.http_connect_ok",
            bool,
            "TCP port 80 of the HTTP check's host accepted a connection (subject: url)",
            not_judged="per-URL detail of internet.http_connect_pct, which is judged",
        ),
        Fact(
            "internet.http_connect_pct",
            float,
            "Share of HTTP checks whose port 80 accepted a connection",
            unit="%",
        ),
        Fact(
            "internet.https_tls_ok",
            bool,
            "TCP and a verified TLS handshake with the HTTPS check's host succeeded (subject: url)",
            not_judged="per-URL detail of internet.https_tls_pct, which is judged",
        ),
        Fact(
            "internet.https_tls_pct",
            float,
            "Share of HTTPS checks whose TLS handshake succeeded",
            unit="%",
        ),
        Fact(
            "internet.https_url_latency_ms",
            float,
            "Time of an HTTPS request, name already resolved (subject: url)",
            unit="ms",
            not_judged="per-URL detail of internet.https_latency_ms, which is judged",
        ),
        Fact(
            "internet.https_latency_ms",
            float,
            "Median time of the HTTPS requests that succeeded",
            unit="ms",
        ),
        Fact(
            "internet.name_failures",
            int,
            "Host names of the HTTP, HTTPS and STUN checks that did not resolve",
            not_judged="evidence detail: failed names are judged through dns.* and the checks' outcomes",
        ),
        Fact(
            "internet.stun_ok",
            bool,
            "The STUN server answered over UDP (subject: server)",
            not_judged="per-server detail of internet.udp_ok, which is judged",
        ),
        Fact(
            "internet.stun_rtt_ms",
            float,
            "STUN round trip (subject: server)",
            unit="ms",
            not_judged="per-server detail; no threshold for a STUN round trip",
        ),
        Fact("internet.udp_ok", bool, "At least one STUN server answered over UDP"),
        Fact(
            "internet.stun_mapped_address",
            str,
            "The public address and port a STUN server saw (XOR-MAPPED-ADDRESS)",
            privacy=Privacy.DROP,
            not_judged="personal data (dropped when shared); NAT is judged from nat.*",
        ),
    ),
    privilege=Privilege.RAW_SOCKET,
    fallback="the system ping for echo, else TCP connects; every other check needs no privilege",
    binaries=("ping",),
    args=InternetArgs,
    description=(
        "Pings the configured internet targets (loss, round trip, jitter; 20 echoes each, up to 60 "
        "when the loss is ambiguous or the jitter near its threshold), connects to the TCP "
        "targets, fetches the connectivity-check URLs (204 expected; a redirect to another host or a "
        "page instead means a captive portal, whose address is recorded but never visited), shakes "
        "hands with the HTTPS checks and times one request each without DNS, and sends a STUN "
        f"Binding request to the STUN servers to see whether UDP gets out. At most {MAX_TARGETS} "
        "entries of each list; only configured targets are ever contacted."
    ),
)


def _timeout(ctx: ProbeContext) -> float:
    return max(0.1, min(ctx.args_as(InternetArgs).timeout_s, ctx.remaining() - 0.5))


class InternetProbe(Probe):
    """Reachability of the configured internet targets, protocol by protocol."""

    spec = SPEC

    def __init__(self) -> None:
        self.name_failures = 0

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable when every list of targets is empty."""
        internet = ctx.config.internet
        if not (
            internet.ping_targets
            or internet.tcp_targets
            or internet.http_checks
            or internet.https_checks
            or internet.stun_servers
        ):
            return _("no internet targets are configured")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Run every check concurrently and observe."""
        internet = ctx.config.internet
        for name, values in (
            ("ping_targets", internet.ping_targets),
            ("tcp_targets", internet.tcp_targets),
            ("http_checks", internet.http_checks),
            ("https_checks", internet.https_checks),
            ("stun_servers", internet.stun_servers),
        ):
            if len(values) > MAX_TARGETS:
                ctx.limit(name)
        await asyncio.gather(
            self._echo(ctx, list(internet.ping_targets[:MAX_TARGETS])),
            self._tcp(ctx, list(internet.tcp_targets[:MAX_TARGETS])),
            self._http(ctx, list(internet.http_checks[:MAX_TARGETS])),
            self._https(ctx, list(internet.https_checks[:MAX_TARGETS])),
            _stun(ctx, list(internet.stun_servers[:MAX_TARGETS]), self._resolve),
        )
        ctx.observe("internet.name_failures", self.name_failures)

    async def _resolve(self, ctx: ProbeContext, host: str, *, udp: bool = False) -> str | None:
        address = await ctx.dns().resolve(host, _timeout(ctx), udp=udp)
        if address is None:
            self.name_failures += 1
        return address

    # --- echo -----------------------------------------------------------------------------------
    async def _echo(self, ctx: ProbeContext, targets: list[str]) -> None:
        args = ctx.args_as(InternetArgs)
        if not targets:
            for fact in ("internet.icmp_ok", "internet.loss_pct", "internet.rtt_ms", "internet.jitter_ms"):
                ctx.observe(fact, None, evidence=_("no ping targets are configured"))
            return
        count = max(1, min(args.count, 100))
        first = max(1, min(args.min_count, count))
        interval = max(0.01, args.interval_s)
        addresses = await asyncio.gather(*(self._resolve(ctx, t) for t in targets))
        resolved = [(t, a) for t, a in zip(targets, addresses, strict=True) if a is not None]
        threshold = ctx.config.thresholds.jitter_ms

        def jitter_undecided(series: list[EchoSeries]) -> bool:
            stats = [summarise(s.samples) for s in series if s.received > 1]
            values = [st.jitter_ms for st in stats if st.jitter_ms is not None]
            return bool(values) and jitter_near(statistics.median(values), threshold)

        sampled = await measure_paths(
            ctx,
            [a for _t, a in resolved],
            min_count=first,
            max_count=count,
            interval_s=interval,
            timeout_s=1.0,
            more_if=jitter_undecided,
        )
        by_target = {t: series for (t, _a), series in zip(resolved, sampled, strict=True)}
        results: list[tuple[str, EchoSeries | None]] = [(t, by_target.get(t)) for t in targets]
        losses: list[float] = []
        rtts: list[float] = []
        jitters: list[float] = []
        methods: set[str] = set()
        for target, series in results:
            subject = f"target:{target}"
            if series is None:
                evidence = _("{host} did not resolve").format(host=target)
                ctx.observe("internet.target_ok", None, subject=subject, evidence=evidence)
                continue
            methods.add(series.method)
            stats = summarise(series.samples)
            evidence = _("{received} of {sent} answered ({method})").format(
                received=series.received, sent=series.sent, method=series.method
            )
            if series.note:
                evidence += f"; {series.note}"
            ctx.observe("internet.target_ok", series.received > 0, subject=subject, evidence=evidence)
            ctx.observe("internet.target_loss_pct", stats.loss_pct, subject=subject)
            ctx.observe("internet.target_rtt_ms", stats.rtt_ms, subject=subject)
            ctx.observe("internet.target_jitter_ms", stats.jitter_ms, subject=subject)
            losses.append(stats.loss_pct)
            if stats.rtt_ms is not None:
                rtts.append(stats.rtt_ms)
            if stats.jitter_ms is not None:
                jitters.append(stats.jitter_ms)
        if methods:
            ctx.using(", ".join(sorted(methods)))
        measured = [s for _t, s in results if s is not None]
        answered = sum(1 for s in measured if s.received)
        summary = _("{answered} of {total} targets answered").format(answered=answered, total=len(targets))
        ctx.observe("internet.icmp_ok", bool(answered) if measured else None, evidence=summary)
        ctx.observe("internet.loss_pct", min(losses) if losses else None, evidence=summary)
        ctx.observe("internet.rtt_ms", min(rtts) if rtts else None)
        ctx.observe("internet.jitter_ms", round(statistics.median(jitters), 3) if jitters else None)

    # --- TCP ------------------------------------------------------------------------------------
    async def _tcp(self, ctx: ProbeContext, targets: list[str]) -> None:
        async def one(text: str) -> tuple[str, reach.Connect | None, str]:
            endpoint = reach.parse_endpoint(text, 443)
            if endpoint is None:
                return text, None, _("not host:port")
            address = await self._resolve(ctx, endpoint.host)
            if address is None:
                return endpoint.label, None, _("{host} did not resolve").format(host=endpoint.host)
            result = await ctx.tcp().connect(address, endpoint.port, _timeout(ctx))
            if result.ok:
                return endpoint.label, result, _("connected in {ms:.0f} ms").format(ms=result.ms or 0)
            return endpoint.label, result, result.error or _("no connection")

        results = await asyncio.gather(*(one(t) for t in targets))
        for label, result, evidence in results:
            subject = f"target:{label}"
            ctx.observe(
                "internet.tcp_ok", None if result is None else result.ok, subject=subject, evidence=evidence
            )
            ctx.observe("internet.tcp_connect_ms", None if result is None else result.ms, subject=subject)
        tried = [r for _l, r, _e in results if r is not None]
        ctx.observe(
            "internet.tcp_any_ok",
            any(r.ok for r in tried) if tried else None,
            evidence=_("{ok} of {total} TCP targets accepted").format(
                ok=sum(1 for r in tried if r.ok), total=len(targets)
            ),
        )

    # --- HTTP connectivity checks -----------------------------------------------------------------
    async def _http(self, ctx: ProbeContext, urls: list[str]) -> None:
        checks = await asyncio.gather(*(self._http_one(ctx, url) for url in urls))
        portal_host: str | None = None
        for check in checks:
            subject = f"url:{check.url}"
            if check.connect is not None:
                ctx.observe(
                    "internet.http_connect_ok",
                    check.connect.ok,
                    subject=subject,
                    evidence=check.connect.error,
                )
            else:
                ctx.observe("internet.http_connect_ok", None, subject=subject, evidence=check.evidence)
            ctx.observe("internet.http_status", check.status, subject=subject)
            ctx.observe("internet.http_ok", check.ok, subject=subject, evidence=check.evidence)
            if check.portal_host and portal_host is None:
                portal_host = check.portal_host
        connects = [c.connect for c in checks if c.connect is not None]
        ctx.observe(
            "internet.http_connect_pct",
            _pct(sum(1 for c in connects if c.ok), len(connects)),
            evidence=_("{ok} of {total} HTTP hosts accepted a connection on their port").format(
                ok=sum(1 for c in connects if c.ok), total=len(connects)
            ),
        )
        answered = [c for c in checks if c.status is not None]
        ctx.observe(
            "internet.http_any_ok",
            any(c.ok for c in checks) if checks else None,
            evidence=_("{ok} of {total} connectivity checks answered as expected").format(
                ok=sum(1 for c in checks if c.ok), total=len(checks)
            ),
        )
        portal_checks = [c for c in answered if c.portal]
        ctx.observe(
            "internet.captive_portal",
            bool(portal_checks) if answered else None,
            evidence=(
                portal_checks[0].evidence
                if portal_checks
                else (None if answered else _("no connectivity check got an HTTP answer"))
            ),
        )
        ctx.observe("internet.portal_host", portal_host)

    async def _http_one(self, ctx: ProbeContext, url: str) -> HttpCheck:
        from homediag.core.http import HttpError

        endpoint = reach.url_endpoint(url)
        if endpoint is None:
            return HttpCheck(url, False, None, None, None, None, None, _("not an http(s) URL"))
        address = await self._resolve(ctx, endpoint.host)
        if address is None:
            return HttpCheck(
                url,
                False,
                None,
                None,
                None,
                None,
                None,
                _("{host} did not resolve").format(host=endpoint.host),
            )
        connect = await ctx.tcp().connect(address, endpoint.port, _timeout(ctx))
        try:
            response = await ctx.http(
                url, timeout_s=_timeout(ctx), max_bytes=HTTP_BODY_CAP, follow_redirects=True
            )
        except (HttpError, TimeoutError) as exc:
            text = str(exc) or type(exc).__name__
            return HttpCheck(url, True, connect, None, False, None, None, text[:200])
        ok, portal, host, evidence = classify_http(
            response.status, response.body, response.redirects, response.redirect_refused
        )
        return HttpCheck(url, True, connect, response.status, ok, portal, host, evidence)

    # --- HTTPS checks -----------------------------------------------------------------------------
    async def _https(self, ctx: ProbeContext, urls: list[str]) -> None:
        async def one(url: str) -> tuple[str, TlsRequest | None, str]:
            endpoint = reach.url_endpoint(url)
            if endpoint is None:
                return url, None, _("not an http(s) URL")
            address = await self._resolve(ctx, endpoint.host)
            if address is None:
                return url, None, _("{host} did not resolve").format(host=endpoint.host)
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            result = await ctx.tcp().tls_request(
                address,
                endpoint.host,
                endpoint.port,
                path or "/",
                _timeout(ctx),
                verify=ctx.args_as(InternetArgs).verify_tls,
            )
            if result.request_ms is not None:
                evidence = _("TLS in {tls:.0f} ms, answered {status} after {ms:.0f} ms").format(
                    tls=result.handshake_ms or 0, status=result.status, ms=result.request_ms
                )
            else:
                evidence = result.error or _("no TLS connection")
            return url, result, evidence

        results = await asyncio.gather(*(one(url) for url in urls))
        latencies: list[float] = []
        for url, result, evidence in results:
            subject = f"url:{url}"
            ctx.observe(
                "internet.https_tls_ok",
                None if result is None else result.tls_ok,
                subject=subject,
                evidence=evidence,
            )
            latency = None if result is None else result.request_ms
            ctx.observe("internet.https_url_latency_ms", latency, subject=subject)
            if latency is not None:
                latencies.append(latency)
        tried = [r for _u, r, _e in results if r is not None]
        ok = sum(1 for r in tried if r.tls_ok)
        ctx.observe(
            "internet.https_tls_pct",
            _pct(ok, len(tried)),
            evidence=_("{ok} of {total} HTTPS hosts completed a TLS handshake").format(
                ok=ok, total=len(tried)
            ),
        )
        ctx.observe(
            "internet.https_latency_ms",
            round(statistics.median(latencies), 3) if latencies else None,
        )


def _pct(ok: int, total: int) -> float | None:
    return round(100.0 * ok / total, 1) if total else None


# --- UDP via STUN -----------------------------------------------------------------------------
async def _stun(ctx: ProbeContext, servers: list[str], resolve: Resolve) -> None:
    """Whether UDP gets out: a STUN Binding request to each server."""

    async def one(text: str) -> tuple[str, reach.StunResult | None, str]:
        endpoint = reach.parse_endpoint(text, 3478)
        if endpoint is None:
            return text, None, _("not host:port")
        address = await resolve(ctx, endpoint.host, udp=True)
        if address is None:
            return endpoint.label, None, _("{host} did not resolve").format(host=endpoint.host)
        result = await reach.stun_binding(ctx, address, endpoint.port, min(3.0, _timeout(ctx)))
        if result.ok:
            evidence = _("answered after {tries} request(s) in {ms:.0f} ms").format(
                tries=result.tries, ms=result.rtt_ms or 0
            )
        else:
            evidence = _("no answer to {tries} request(s): {error}").format(
                tries=result.tries, error=result.error
            )
        return endpoint.label, result, evidence

    results = await asyncio.gather(*(one(s) for s in servers))
    mapped: str | None = None
    for label, result, evidence in results:
        subject = f"server:{label}"
        ctx.observe(
            "internet.stun_ok", None if result is None else result.ok, subject=subject, evidence=evidence
        )
        ctx.observe(
            "internet.stun_rtt_ms",
            None if result is None or not result.ok else result.rtt_ms,
            subject=subject,
        )
        if result is not None and result.mapped is not None and mapped is None:
            mapped = str(result.mapped)
    tried = [r for _l, r, _e in results if r is not None]
    ctx.observe(
        "internet.udp_ok",
        any(r.ok for r in tried) if tried else None,
        evidence=_("{ok} of {total} STUN servers answered").format(
            ok=sum(1 for r in tried if r.ok), total=len(servers)
        )
        if servers
        else _("no STUN servers are configured"),
    )
    ctx.observe("internet.stun_mapped_address", mapped)
