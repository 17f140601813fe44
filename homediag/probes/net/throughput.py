"""``net.throughput``: download and upload speed, and how much latency rises while the line is loaded.

Active (a speed test loads the line for about 20 s) and on demand: tagged ``on-demand``, it runs only
when a playbook needs it or ``--speedtest`` is given.

1. Idle latency: 10 echo requests to an internet target (the first ping target), 0.2 s apart.
2. speedtest-cli in a worker thread (:mod:`homediag.net.speedtest`) against speedtest.net
   (``speedtest.server: auto``) or a Speedtest Mini compatible server (its URL).
3. While its download runs, and again while its upload runs (bufferbloat shows on the upload too: the
   router's own queue), the probe's own loop sends one echo request to the same target every 0.25 s
   (each waiting up to 2 s, so a slow answer never delays the next request): the loaded latency, each
   way. The increase over idle, in the worse direction, is graded as in
   docs/probes-and-playbooks.md#thresholds (A < 30, B < 60, C < 200, D < 400 ms, else F).

The speeds are the steady rates after a discarded warm-up, over several streams
(:mod:`homediag.net.speedtest`).

A speed test that fails or is refused ends the probe with outcome ``error`` and the reason (which step,
what came back) — never with zeros, and never as "internet down". The idle latency stays observed.
The public address and coordinates speedtest.net reports are facts of privacy class ``drop``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import statistics
import threading

from pydantic import Field
from typing_extensions import TypedDict

from homediag.core.errors import ProbeFailure
from homediag.core.facts import Fact, Privacy, record
from homediag.core.i18n import _
from homediag.core.io import Phases, SpeedResult, SpeedtestFailed
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArgs, ProbeSpec, Risk
from homediag.net.echo import measure

GRADES = ((30.0, "A"), (60.0, "B"), (200.0, "C"), (400.0, "D"))
LOADED_INTERVAL_S = 0.25
MAX_LOADED_SAMPLES = 120


def grade(increase_ms: float) -> str:
    """The grade (docs/probes-and-playbooks.md#thresholds) of a latency increase under load."""
    for limit, letter in GRADES:
        if increase_ms < limit:
            return letter
    return "F"


def median(samples: list[float | None]) -> float | None:
    """Median of the answered samples, or None."""
    answered = [s for s in samples if s is not None]
    return round(statistics.median(answered), 3) if answered else None


@record
class Location(TypedDict):
    """A ``speedtest.location`` value: where speedtest.net guessed the client is."""

    lat: float
    lon: float


class ThroughputArgs(ProbeArgs):
    """Arguments of ``net.throughput`` (config: ``probes.net.throughput``)."""

    latency_target: str = Field(
        "", description="Measure latency to this address (default: first ping target)"
    )
    socket_timeout_s: float = Field(10.0, description="Timeout of each socket speedtest-cli opens")


class ThroughputProbe(Probe):
    """A speed test with latency under load."""

    spec = ProbeSpec(
        id="net.throughput",
        summary="Download and upload speed, and the latency increase while the line is loaded",
        risk=Risk.ACTIVE,
        timeout_s=60.0,
        provides=(
            Fact("speedtest.download_mbps", float, "Download throughput of the speed test", unit="Mbit/s"),
            Fact("speedtest.upload_mbps", float, "Upload throughput of the speed test", unit="Mbit/s"),
            Fact(
                "speedtest.ping_ms",
                float,
                "Latency to the speed test server (HTTP)",
                unit="ms",
                not_judged="the HTTP latency to the server; latency.* under load is judged",
            ),
            Fact(
                "speedtest.server",
                str,
                "The speed test server: sponsor, name and host",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="context of the speed test",
            ),
            Fact(
                "speedtest.isp",
                str,
                "The provider speedtest.net saw",
                not_judged="context of the speed test",
            ),
            Fact(
                "speedtest.public_ip",
                str,
                "The public address speedtest.net saw",
                privacy=Privacy.DROP,
                not_judged="personal data (dropped when shared); nothing to judge",
            ),
            Fact(
                "speedtest.location",
                Location,
                "Coordinates speedtest.net guessed (lat, lon)",
                privacy=Privacy.DROP,
                not_judged="personal data (dropped when shared); nothing to judge",
            ),
            Fact(
                "latency.idle_ms",
                float,
                "Median round trip to an internet target, line idle",
                unit="ms",
                not_judged="summed up in latency.increase_ms, which is judged",
            ),
            Fact(
                "latency.loaded_ms",
                float,
                "Median round trip to the same target while the download ran",
                unit="ms",
                not_judged="summed up in latency.increase_ms, which is judged",
            ),
            Fact(
                "latency.upload_loaded_ms",
                float,
                "Median round trip to the same target while the upload ran",
                unit="ms",
                not_judged="detail of latency.increase_ms, which is judged",
            ),
            Fact(
                "latency.increase_ms",
                float,
                "Loaded minus idle round trip, in the worse direction (download or upload)",
                unit="ms",
            ),
            Fact(
                "latency.grade",
                str,
                "Grade of the latency increase: A < 30, B < 60, C < 200, D < 400 ms, else F",
                not_judged="a label of latency.increase_ms, which is judged",
            ),
            Fact(
                "latency.loaded_loss_pct",
                float,
                "Share of echo requests lost while the download or the upload ran",
                unit="%",
            ),
        ),
        privilege=Privilege.RAW_SOCKET,
        fallback="latency through the system ping, else TCP connects; the speed test needs no privilege",
        binaries=("ping",),
        args=ThroughputArgs,
        description=(
            "Measures idle latency to an internet target, runs speedtest-cli (speedtest.net, or the "
            "Speedtest Mini server of speedtest.server; both fetch www.speedtest.net/speedtest-config.php "
            "first) in a worker thread within a 60 s deadline, and pings the same target every 0.25 s "
            "while the download runs and while the upload runs to grade the latency increase. A failed "
            "speed test is reported "
            "as an error with its reason, never as zero speed."
        ),
        tags=("on-demand",),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Idle latency, then the speed test with latency under load."""
        target = self._latency_target(ctx)
        idle: float | None = None
        if target is not None:
            series = await measure(ctx, target, count=10, interval_s=0.2, timeout_s=1.0)
            ctx.using(series.method)
            idle = median(list(series.samples))
            ctx.observe(
                "latency.idle_ms",
                idle,
                evidence=_("{received} of {sent} answered ({method}) from {target}").format(
                    received=series.received, sent=series.sent, method=series.method, target=target
                ),
            )
        else:
            ctx.observe("latency.idle_ms", None, evidence=_("no IP address among the ping targets"))

        server = ctx.config.speedtest.server.strip() or "auto"
        secure = ctx.config.speedtest.secure
        if secure is None:
            secure = server == "auto" or server.lower().startswith("https:")
        shutdown = threading.Event()
        phases = Phases()
        socket_timeout = max(1.0, min(ctx.args_as(ThroughputArgs).socket_timeout_s, ctx.remaining()))
        worker = asyncio.ensure_future(
            ctx.to_thread(
                lambda: ctx.speedtest().run(
                    server,
                    secure=bool(secure),
                    socket_timeout_s=socket_timeout,
                    shutdown=shutdown,
                    phases=phases,
                )
            )
        )
        loaded: dict[str, list[asyncio.Task[float | None]]] = {"download": [], "upload": []}
        try:
            async with asyncio.timeout(max(0.5, ctx.remaining() - 1.0)):
                if target is not None:
                    await self._sample_while_loaded(ctx, target, worker, phases, loaded)
                result = await worker
        except TimeoutError:
            shutdown.set()
            raise TimeoutError(
                _("the speed test did not finish in time (step: {step})").format(step=phases.step)
            ) from None
        except SpeedtestFailed as exc:
            raise ProbeFailure(_("speed test failed: {reason}").format(reason=exc)) from None
        finally:
            shutdown.set()
            tasks = [*loaded["download"], *loaded["upload"]]
            for task in tasks:
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*tasks, return_exceptions=True)
        self._observe_speed(ctx, result, server)
        self._observe_loaded(ctx, idle, {way: _finished(ts) for way, ts in loaded.items()})

    def _latency_target(self, ctx: ProbeContext) -> str | None:
        args = ctx.args_as(ThroughputArgs)
        candidates = [args.latency_target] if args.latency_target else []
        candidates += list(ctx.config.internet.ping_targets)
        for text in candidates:
            try:
                return str(ipaddress.ip_address(text))
            except ValueError:
                continue
        return None

    async def _sample_while_loaded(
        self,
        ctx: ProbeContext,
        target: str,
        worker: asyncio.Future[SpeedResult],
        phases: Phases,
        loaded: dict[str, list[asyncio.Task[float | None]]],
    ) -> None:
        async def one() -> float | None:
            series = await measure(ctx, target, count=1, interval_s=0.2, timeout_s=2.0)
            return series.samples[0] if series.samples else None

        while not worker.done():
            way = "download" if phases.downloading() else "upload" if phases.uploading() else None
            if way is not None and len(loaded[way]) < MAX_LOADED_SAMPLES:
                loaded[way].append(asyncio.ensure_future(one()))
            elif phases.upload_ended is not None:
                break
            await asyncio.sleep(LOADED_INTERVAL_S)
        # let the last requests sent under load come back
        pending = [t for ts in loaded.values() for t in ts if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=2.5)

    def _observe_speed(self, ctx: ProbeContext, result: SpeedResult, server: str) -> None:
        down = round(result.download_bps / 1e6, 3)
        up = round(result.upload_bps / 1e6, 3)
        info = result.server
        name = f"({info['name']})" if info.get("name") else None
        parts = (info.get("sponsor"), name, info.get("host"))
        label = " ".join(str(part) for part in parts if part)[:200] or server
        ctx.observe(
            "speedtest.download_mbps",
            down,
            evidence=_("{down:.1f} Mbit/s down, {up:.1f} Mbit/s up via {server}").format(
                down=down, up=up, server=label
            ),
        )
        ctx.observe("speedtest.upload_mbps", up)
        ctx.observe("speedtest.ping_ms", None if result.ping_ms is None else round(result.ping_ms, 3))
        ctx.observe("speedtest.server", label)
        client = result.client
        ctx.observe("speedtest.isp", str(client["isp"])[:200] if client.get("isp") else None)
        ctx.observe("speedtest.public_ip", str(client["ip"])[:64] if client.get("ip") else None)
        location: Location | None = None
        with contextlib.suppress(KeyError, TypeError, ValueError):
            location = {"lat": float(client["lat"]), "lon": float(client["lon"])}
        ctx.observe("speedtest.location", location)

    def _observe_loaded(
        self, ctx: ProbeContext, idle: float | None, samples: dict[str, list[float | None]]
    ) -> None:
        both = [*samples["download"], *samples["upload"]]
        if not both:
            reason = _("no latency samples while the download or the upload ran")
            for fact in (
                "latency.loaded_ms",
                "latency.upload_loaded_ms",
                "latency.increase_ms",
                "latency.grade",
                "latency.loaded_loss_pct",
            ):
                ctx.observe(fact, None, evidence=reason)
            return
        down, up = median(samples["download"]), median(samples["upload"])
        for fact, way, value in (
            ("latency.loaded_ms", samples["download"], down),
            ("latency.upload_loaded_ms", samples["upload"], up),
        ):
            lost = sum(1 for s in way if s is None)
            ctx.observe(
                fact,
                value,
                evidence=_("{answered} of {total} answered").format(answered=len(way) - lost, total=len(way)),
            )
        lost = sum(1 for s in both if s is None)
        ctx.observe("latency.loaded_loss_pct", round(100.0 * lost / len(both), 2))
        worst = max((v for v in (down, up) if v is not None), default=None)
        if worst is None or idle is None:
            ctx.observe("latency.increase_ms", None, evidence=_("idle or loaded latency missing"))
            ctx.observe("latency.grade", None)
            return
        increase = round(max(0.0, worst - idle), 3)
        ctx.observe(
            "latency.increase_ms",
            increase,
            evidence=_("{idle:.0f} ms idle, {down} ms during the download, {up} ms during the upload").format(
                idle=idle, down=_ms(down), up=_ms(up)
            ),
        )
        ctx.observe("latency.grade", grade(increase))


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}"


def _finished(tasks: list[asyncio.Task[float | None]]) -> list[float | None]:
    return [t.result() for t in tasks if t.done() and not t.cancelled() and t.exception() is None]
