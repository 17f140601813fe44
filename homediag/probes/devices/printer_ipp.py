"""``devices.printer_ipp``: a printer's own word on its state, alerts and supplies, over IPP.

Safe: one IPP Get-Printer-Attributes request (RFC 8011 §4.2.5) per printer, by HTTP POST to port 631
(``ipps`` over TLS when the printer only announces that; its certificate is not checked, only read).
The resource path comes from the printer's ``rp`` TXT key (``ipp/print`` by default). Never a print job,
never a payload to the raw print ports (9100-9107, 515, 9999), never any other operation.

The answer (at most 256 KiB, within an 8 s total deadline including the body) is decoded by the
strict decoder :mod:`homediag.net.ipp` in a killable worker (2 s), so a hostile frame can
neither hang nor crash the run. Recorded per printer (subject ``device:<id>``): whether it answered,
``printer-state``, ``printer-state-reasons``, make and model, supplies and UUID.
"""

from __future__ import annotations

from typing import Any

from homediag.core.facts import Fact, Privacy
from homediag.core.http import HttpError
from homediag.core.i18n import _
from homediag.core.model import Device
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import Supply
from homediag.core.spec import DeviceMatcher, ProbeSpec, Risk
from homediag.core.worker import WorkerError
from homediag.net.ipp import (
    MAX_BODY,
    PRINTER_STATES,
    IppResponse,
    build_get_printer_attributes,
    parse_response,
)

IPP_PORT = 631
DEFAULT_PATH = "ipp/print"
FETCH_TIMEOUT_S = 8.0
PARSE_TIMEOUT_S = 2.0
FORBIDDEN_PORTS = frozenset({515, 9999, *range(9100, 9108)})


def endpoint(device: Device) -> tuple[str, str, bool] | None:
    """(HTTP URL, printer URI, TLS) to ask ``device``, from its ``_ipp``/``_ipps`` service if any."""
    if not device.ip:
        return None
    services = {s.type.rstrip(".").removesuffix(".local"): s for s in device.services}
    service = services.get("_ipp._tcp")
    tls = False
    if service is None and "_ipps._tcp" in services:
        service, tls = services["_ipps._tcp"], True
    port = service.port if service is not None and service.port else IPP_PORT
    if port in FORBIDDEN_PORTS:
        return None
    path = (service.txt.get("rp") if service is not None else None) or DEFAULT_PATH
    path = path.strip("/")[:128]
    scheme = "https" if tls else "http"
    uri_scheme = "ipps" if tls else "ipp"
    return f"{scheme}://{device.ip}:{port}/{path}", f"{uri_scheme}://{device.ip}:{port}/{path}", tls


def supplies(response: IppResponse) -> list[Supply]:
    """Marker supplies from the marker-* attributes (levels -1/-2/-3 mean unknown: kept as None)."""
    names = response.attributes.get("marker-names", [])
    types = response.attributes.get("marker-types", [])
    colors = response.attributes.get("marker-colors", [])
    levels = response.attributes.get("marker-levels", [])
    lows = response.attributes.get("marker-low-levels", [])
    highs = response.attributes.get("marker-high-levels", [])
    out: list[Supply] = []
    for index, name in enumerate(names[:32]):

        def at(values: list[Any], default: Any = None, i: int = index) -> Any:
            return values[i] if i < len(values) else default

        level, low, high = _integer(at(levels)), _integer(at(lows)), _integer(at(highs))
        known = level is not None and 0 <= level <= 100
        out.append(
            {
                "name": str(name)[:64],
                "type": str(at(types, "") or "")[:32] or None,
                "color": str(at(colors, "") or "")[:32] or None,
                "level": level if known else None,
                "low": low if low is not None and 0 <= low <= 100 else None,
                "high": high,
                "is_low": bool(known and low is not None and level is not None and 0 <= level <= low),
            }
        )
    return out


def _integer(value: object) -> int | None:
    """An IPP integer (a boolean a hostile printer sends in its place is not one)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class PrinterIppProbe(Probe):
    """Printer state over IPP."""

    spec = ProbeSpec(
        id="devices.printer_ipp",
        summary="A printer's state, alerts and supplies over IPP Get-Printer-Attributes",
        risk=Risk.SAFE,
        timeout_s=12.0,
        needs=("discovery.devices",),
        provides=(
            Fact("ipp.answered", bool, "The printer answered Get-Printer-Attributes (subject: device)"),
            Fact("ipp.state", str, "printer-state: idle, processing or stopped (subject: device)"),
            Fact("ipp.state_reasons", list[str], "printer-state-reasons keywords (subject: device)"),
            Fact(
                "ipp.make_model",
                str,
                "printer-make-and-model (subject: device)",
                not_judged="identifies the printer for the report; nothing to judge",
            ),
            Fact(
                "ipp.supplies",
                list[Supply],
                "Marker supplies: name, type, colour, level %, low and high levels (subject: device)",
            ),
            Fact(
                "ipp.uuid",
                str,
                "printer-uuid (subject: device)",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="identifies the printer across reports (baseline); nothing to judge",
            ),
        ),
        matchers=(
            DeviceMatcher(mdns_type="_ipp._tcp"),
            DeviceMatcher(mdns_type="_ipps._tcp"),
            DeviceMatcher(kind="printer"),
        ),
        description=(
            "Sends one IPP Get-Printer-Attributes request by HTTP POST to port 631 of each printer "
            "(path from its rp TXT key) and reads printer-state, printer-state-reasons, make and "
            "model, marker supplies and UUID. The answer is capped at 256 KiB within an 8 s total "
            "deadline and decoded strictly in a killable worker. Never sends a print job or any other "
            "operation, and never a payload to ports 9100-9107, 515 or 9999."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Ask one printer."""
        device = ctx.target
        if device is None:
            return
        subject = f"device:{device.id}"
        found = endpoint(device)
        if found is None:
            ctx.observe("ipp.answered", None, subject=subject, evidence=_("no IPP endpoint to ask"))
            return
        url, printer_uri, tls = found
        ctx.using(_("IPP Get-Printer-Attributes to {url}").format(url=url))
        try:
            response = await ctx.http(
                url,
                method="POST",
                content=build_get_printer_attributes(printer_uri),
                headers={"Content-Type": "application/ipp", "Accept": "application/ipp"},
                timeout_s=FETCH_TIMEOUT_S,
                max_bytes=MAX_BODY + 1,
                follow_redirects=False,
                verify_tls=not tls,
            )
        except TimeoutError:
            self._silent(ctx, subject, _("no complete answer within {s:g} s").format(s=FETCH_TIMEOUT_S))
            return
        except HttpError as exc:
            self._silent(ctx, subject, _("IPP request failed: {error}").format(error=exc))
            return
        if response.status != 200:
            self._silent(ctx, subject, _("HTTP {status} to the IPP request").format(status=response.status))
            return
        if response.truncated:
            self._silent(ctx, subject, _("the IPP answer is larger than 256 KiB"))
            return
        try:
            decoded: IppResponse = await ctx.parse_untrusted(
                parse_response, response.body, timeout_s=PARSE_TIMEOUT_S
            )
        except TimeoutError:
            self._silent(ctx, subject, _("decoding the IPP answer took too long; the worker was stopped"))
            return
        except WorkerError as exc:
            self._silent(ctx, subject, _("malformed IPP answer: {error}").format(error=str(exc)[:160]))
            return
        if not decoded.ok:
            self._silent(ctx, subject, _("IPP status 0x{status:04x}").format(status=decoded.status))
            return
        self._record(ctx, subject, decoded)

    @staticmethod
    def _silent(ctx: ProbeContext, subject: str, why: str) -> None:
        ctx.observe("ipp.answered", False, subject=subject, evidence=why)

    @staticmethod
    def _record(ctx: ProbeContext, subject: str, decoded: IppResponse) -> None:
        code = decoded.first("printer-state")
        state = PRINTER_STATES.get(code) if isinstance(code, int) else None
        reasons = [
            str(r)[:64] for r in decoded.attributes.get("printer-state-reasons", []) if r and r != "none"
        ]
        model = decoded.first("printer-make-and-model")
        message = decoded.first("printer-state-message")
        ctx.observe(
            "ipp.answered",
            True,
            subject=subject,
            evidence=_("answered: {state}").format(state=state or code),
        )
        evidence = _("printer-state {state}").format(state=state or code)
        if message:
            evidence += f" ({str(message)[:80]})"
        ctx.observe("ipp.state", state, subject=subject, evidence=evidence)
        ctx.observe(
            "ipp.state_reasons",
            reasons[:32],
            subject=subject,
            evidence=", ".join(reasons[:6]) or _("no alerts"),
        )
        ctx.observe("ipp.make_model", str(model)[:127] if model else None, subject=subject)
        found = supplies(decoded)
        ctx.observe(
            "ipp.supplies",
            found,
            subject=subject,
            evidence=", ".join(f"{s['name']} {s['level']}%" for s in found if s["level"] is not None) or None,
        )
        uuid = decoded.first("printer-uuid")
        ctx.observe("ipp.uuid", str(uuid)[:64] if uuid else None, subject=subject)
