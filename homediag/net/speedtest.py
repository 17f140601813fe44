"""speedtest-cli, bounded: one blocking run in a worker thread, stopped at a deadline, errors made plain.

speedtest-cli (``import speedtest``) does the measuring; this module only drives it:

- every socket it opens gets ``socket_timeout_s`` (its own ``timeout`` argument), and its
  ``shutdown_event`` is set when the caller's deadline passes, which ends its download and upload
  loops at their next chunk;
- ``server`` is ``auto`` (speedtest.net's server list and its "best" server) or the URL of a Speedtest
  Mini compatible server. Either way speedtest-cli first fetches
  ``www.speedtest.net/speedtest-config.php``; when that fails the error says so, since a self-hosted
  Mini server does not help then;
- the moment the download starts and ends is reported through :class:`Phases`, so that the caller can
  measure latency while the line is loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from homediag.core.i18n import _
from homediag.core.io import Phases, SpeedResult, SpeedtestFailed

CONFIG_URL = "www.speedtest.net/speedtest-config.php"


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def run_speedtest(
    server: str,
    *,
    secure: bool,
    socket_timeout_s: float,
    shutdown: threading.Event,
    phases: Phases,
    factory: Callable[..., Any] | None = None,
) -> SpeedResult:
    """Run one speed test (blocking: call it in a worker thread). Raises :class:`SpeedtestFailed`."""
    import speedtest

    make = factory or speedtest.Speedtest
    try:
        tester = make(timeout=socket_timeout_s, secure=secure, shutdown_event=shutdown)
    except speedtest.ConfigRetrievalError as exc:
        raise SpeedtestFailed(
            _(
                "speedtest.net's configuration ({url}) could not be fetched: {error}; even a Speedtest "
                "Mini server needs it"
            ).format(url=CONFIG_URL, error=_describe(exc))
        ) from None
    except (speedtest.SpeedtestConfigError, KeyError, ValueError) as exc:
        raise SpeedtestFailed(
            _("speedtest.net's configuration ({url}) was refused or malformed: {error}").format(
                url=CONFIG_URL, error=_describe(exc)
            )
        ) from None
    if shutdown.is_set():
        raise SpeedtestFailed(_("stopped at the deadline"))
    phases.mark("server")
    try:
        if server == "auto":
            tester.get_servers()
            tester.get_best_server()
        else:
            tester.get_best_server(tester.set_mini_server(server))
    except speedtest.SpeedtestMiniConnectFailure:
        raise SpeedtestFailed(
            _("the Speedtest Mini server {url} did not answer, or answered with an HTTP error").format(
                url=server
            )
        ) from None
    except speedtest.InvalidSpeedtestMiniServer:
        raise SpeedtestFailed(
            _("{url} does not look like a Speedtest Mini server").format(url=server)
        ) from None
    except (speedtest.ServersRetrievalError, speedtest.NoMatchedServers) as exc:
        raise SpeedtestFailed(
            _("speedtest.net's server list could not be fetched: {error}").format(error=_describe(exc))
        ) from None
    except speedtest.SpeedtestBestServerFailure as exc:
        raise SpeedtestFailed(
            _("no speed test server answered the latency test: {error}").format(error=_describe(exc))
        ) from None
    except speedtest.SpeedtestException as exc:
        raise SpeedtestFailed(
            _("choosing a speed test server failed: {error}").format(error=_describe(exc))
        ) from None
    if shutdown.is_set():
        raise SpeedtestFailed(_("stopped at the deadline"))
    phases.mark("download")
    try:
        download = float(tester.download())
        phases.mark("upload")
        if shutdown.is_set():
            raise SpeedtestFailed(_("stopped at the deadline during the download"))
        if download <= 0:  # speedtest-cli swallows HTTP errors of its download threads
            raise SpeedtestFailed(_("no data came back from the speed test server"))
        upload = float(tester.upload(pre_allocate=False))
        if upload <= 0:
            raise SpeedtestFailed(_("the speed test server accepted no upload"))
    except speedtest.SpeedtestException as exc:
        raise SpeedtestFailed(_("the transfer failed: {error}").format(error=_describe(exc))) from None
    phases.mark("done")
    if shutdown.is_set():
        raise SpeedtestFailed(_("stopped at the deadline during the upload"))
    results = tester.results
    ping = getattr(results, "ping", None)
    return SpeedResult(
        download_bps=download,
        upload_bps=upload,
        ping_ms=float(ping) if isinstance(ping, int | float) and ping < 3_600_000 else None,
        server=dict(getattr(results, "server", {}) or {}),
        client=dict(getattr(results, "client", {}) or {}),
    )


class LiveSpeedtest:
    """The live side of ``ctx.speedtest()``: :func:`run_speedtest`."""

    def run(
        self,
        server: str,
        *,
        secure: bool,
        socket_timeout_s: float,
        shutdown: threading.Event,
        phases: Phases,
    ) -> SpeedResult:
        """See :func:`run_speedtest`."""
        return run_speedtest(
            server, secure=secure, socket_timeout_s=socket_timeout_s, shutdown=shutdown, phases=phases
        )
