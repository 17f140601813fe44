"""``wifi.neighbours``: the Wi-Fi networks in range, and what they mean for this link.

Safe: reads the OS's scan results (NetworkManager, ``iw scan dump``, system_profiler, netsh) and
triggers a fresh scan only where the OS allows it (``iw scan`` as root). From the networks it derives,
with the pure functions of ``analysis.py``: the congestion of the link's channel and the best channel
on each band, and whether the link sits on 2.4 GHz while the same network offers 5 or 6 GHz with a
usable signal.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from homediag.core.facts import Fact, Privacy, record
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk
from homediag.net.os.wifi_types import Band, WifiLink, WifiNetwork
from homediag.net.wifi.analysis import best_channels, congestion_scores, stuck_on_24ghz
from homediag.net.wifi.collect import read_scan

MAX_NETWORKS = 512


def _band(value: object) -> Band | None:
    try:
        return Band(str(value)) if value is not None else None
    except ValueError:
        return None


def link_from_facts(ctx: ProbeContext) -> WifiLink | None:
    """The link as ``wifi.link`` observed it (None when not connected)."""
    if ctx.fact("wifi.connected") is not True:
        return None
    channel = ctx.fact("wifi.channel")
    signal = ctx.fact("wifi.signal_dbm")
    width = ctx.fact("wifi.width_mhz")
    return WifiLink(
        interface=str(ctx.fact("wifi.interface") or "") or None,
        ssid=str(ctx.fact("wifi.ssid")) if ctx.fact("wifi.ssid") is not None else None,
        bssid=str(ctx.fact("wifi.bssid")) if ctx.fact("wifi.bssid") is not None else None,
        band=_band(ctx.fact("wifi.band")),
        channel=int(channel) if isinstance(channel, int) else None,
        width_mhz=int(width) if isinstance(width, int) else None,
        signal_dbm=float(signal) if isinstance(signal, int | float) else None,
    )


@record
class NetworkEntry(TypedDict):
    """A ``wifi.networks`` item: one network (one BSSID) in range."""

    ssid: str | None
    bssid: str | None
    band: str | None
    channel: int | None
    width_mhz: int | None
    signal_dbm: float | None
    security: str


def _summary(network: WifiNetwork) -> NetworkEntry:
    return {
        "ssid": network.ssid,
        "bssid": network.bssid,
        "band": network.band.value if network.band else None,
        "channel": network.channel,
        "width_mhz": network.width_mhz,
        "signal_dbm": network.signal_dbm,
        "security": network.security.value,
    }


class WifiNeighboursProbe(Probe):
    """Networks in range, channel congestion, best channels, band steering."""

    spec = ProbeSpec(
        id="wifi.neighbours",
        summary="The Wi-Fi networks in range, channel congestion and the best channel per band",
        risk=Risk.SAFE,
        timeout_s=25.0,
        needs=(
            "wifi.present",
            "wifi.connected",
            "wifi.interface",
            "wifi.ssid",
            "wifi.bssid",
            "wifi.band",
            "wifi.channel",
            "wifi.width_mhz",
            "wifi.signal_dbm",
        ),
        provides=(
            Fact(
                "wifi.networks",
                list[NetworkEntry],
                "Networks in range: SSID, BSSID, band, channel, signal, security",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact(
                "wifi.network_count",
                int,
                "How many networks are in range",
                not_judged="summed up in wifi.channel_congestion, which is judged",
            ),
            Fact(
                "wifi.channel_congestion",
                float,
                "Congestion score of the link's channel (1 = one strong co-channel neighbour)",
            ),
            Fact(
                "wifi.channel_radios",
                int,
                "Other radios overlapping the link's channel",
                not_judged="detail of wifi.channel_congestion, which is judged",
            ),
            Fact(
                "wifi.best_channels",
                dict[str, int],
                "Least congested channel per band",
                not_judged="advice for the change-channel remedy; nothing to judge",
            ),
            Fact(
                "wifi.best_channel_congestion",
                float,
                "Congestion score of the best channel on the link's band",
                not_judged="advice for the change-channel remedy; nothing to judge",
            ),
            Fact(
                "wifi.other_band_available",
                bool,
                "On 2.4 GHz while the same network offers 5/6 GHz with a usable signal",
            ),
            Fact(
                "wifi.scan_limitations",
                list[str],
                "What limited the scan (root, location permission)",
                not_judged="coverage of the scan (root, location permission)",
            ),
        ),
        binaries=("nmcli", "iw", "system_profiler", "netsh"),
        description=(
            "Reads the networks in range from the OS's scan results (nmcli, iw scan dump, "
            "system_profiler, netsh wlan show networks) and scores channel congestion by neighbour "
            "signal; a fresh scan only where the OS allows it (iw scan as root). Joins nothing."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without a wireless interface."""
        if ctx.fact("wifi.present") is False:
            return _("this computer has no wireless interface")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Read the scan and analyse it against the link."""
        link = link_from_facts(ctx)
        interface = link.interface if link else str(ctx.fact("wifi.interface") or "") or None
        view = await read_scan(ctx, interface)
        ctx.observe("wifi.scan_limitations", view.limitations)
        if view.sources:
            ctx.using(", ".join(view.sources))
        if view.scan is None:
            ctx.observe("wifi.network_count", None, evidence=_("no scan results are available"))
            return
        networks = list(view.scan.networks[:MAX_NETWORKS])
        if len(view.scan.networks) > MAX_NETWORKS:
            ctx.limit("networks")
        own = [link.bssid] if link and link.bssid else []
        ctx.observe("wifi.networks", [_summary(n) for n in networks])
        ctx.observe(
            "wifi.network_count", len(networks), evidence=_("{n} networks in range").format(n=len(networks))
        )
        advice = best_channels(
            networks,
            exclude_bssids=own,
            current={link.band: link.channel} if link and link.band and link.channel else None,
        )
        ctx.observe("wifi.best_channels", {band.value: a.best.channel for band, a in advice.items()})
        if link is None or link.band is None or link.channel is None:
            return
        width = link.width_mhz or 20
        (score,) = congestion_scores(
            networks, link.band, width_mhz=width, channels=[link.channel], exclude_bssids=own
        ) or (None,)
        if score is not None:
            ctx.observe(
                "wifi.channel_congestion",
                score.score,
                evidence=_("{radios} other radios overlap channel {channel}").format(
                    radios=score.radios, channel=link.channel
                ),
            )
            ctx.observe("wifi.channel_radios", score.radios)
        band_advice = advice.get(link.band)
        if band_advice is not None:
            ctx.observe(
                "wifi.best_channel_congestion",
                band_advice.best.score,
                evidence=_("channel {channel} on {band} GHz").format(
                    channel=band_advice.best.channel, band=link.band.value
                ),
            )
        alternative = stuck_on_24ghz(link, networks)
        if link.band is Band.GHZ_2_4:
            ctx.observe(
                "wifi.other_band_available",
                alternative is not None,
                evidence=_("{band} GHz at {dbm:.0f} dBm").format(
                    band=alternative.band.value if alternative.band else "?", dbm=alternative.signal_dbm or 0
                )
                if alternative
                else None,
            )
        else:
            ctx.observe("wifi.other_band_available", False)
