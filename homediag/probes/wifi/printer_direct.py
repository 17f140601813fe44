"""``wifi.printer_direct``: is this computer joined to a printer's own Wi-Fi (``DIRECT-xx-...``).

Passive: reads the network name ``wifi.link`` observed. Printers announce a Wi-Fi Direct network
named ``DIRECT-`` plus two characters (``DIRECT-5C-HP OfficeJet 8010``, ``DIRECT-xyBrother``); a
laptop that joined it once may prefer it later and loses the internet, or prints over it while the
printer's LAN address is unreachable.
"""

from __future__ import annotations

import re

from homediag.core.facts import Fact
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk

DIRECT_SSID_RE = re.compile(r"^DIRECT-[0-9A-Za-z]{2}")


class PrinterDirectProbe(Probe):
    """The Wi-Fi in use is a printer's Wi-Fi Direct network."""

    spec = ProbeSpec(
        id="wifi.printer_direct",
        summary="Whether this computer is joined to a printer's own Wi-Fi (DIRECT-xx)",
        risk=Risk.PASSIVE,
        timeout_s=2.0,
        needs=("wifi.ssid", "wifi.in_use"),
        provides=(Fact("wifi.printer_direct", bool, "The Wi-Fi in use is a printer's Wi-Fi Direct network"),),
        description="Looks at the name of the Wi-Fi in use: DIRECT- and two characters is Wi-Fi Direct",
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Only when a Wi-Fi link is in use."""
        return None if ctx.fact_as("wifi.in_use", bool) else _("no Wi-Fi link in use")

    async def run(self, ctx: ProbeContext) -> None:
        """Observe whether the SSID is a Wi-Fi Direct group's."""
        ssid = ctx.fact_as("wifi.ssid", str)
        if ssid is None:
            ctx.observe("wifi.printer_direct", None)
            return
        direct = bool(DIRECT_SSID_RE.match(ssid))
        ctx.observe(
            "wifi.printer_direct",
            direct,
            evidence=_("joined to a printer's own Wi-Fi network") if direct else None,
        )
