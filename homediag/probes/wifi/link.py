"""``wifi.link``: the Wi-Fi link this computer uses — signal, channel, rate, mode and security.

Passive: reads what the operating system reports (see ``collect.py`` for the tools per platform); it
never triggers a scan. A computer without a wireless interface, or on a wired link, says so plainly
(``wifi.present`` / ``wifi.in_use``), so the Wi-Fi playbook can tell it does not apply.
"""

from __future__ import annotations

import dataclasses

from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk
from homediag.net.os.wifi_types import Limitation, WifiLink
from homediag.net.wifi.analysis import expected_rate, link_rate_ratio, security_class
from homediag.net.wifi.collect import read_link


class WifiLinkProbe(Probe):
    """The Wi-Fi link, as the OS reports it."""

    spec = ProbeSpec(
        id="wifi.link",
        summary="The Wi-Fi link: network, signal, channel, rate, mode and security",
        risk=Risk.PASSIVE,
        timeout_s=20.0,
        needs=("interface.name", "interface.all"),
        provides=(
            Fact("wifi.present", bool, "This computer has a wireless interface"),
            Fact("wifi.in_use", bool, "The default route goes over a connected Wi-Fi link"),
            Fact("wifi.connected", bool, "The wireless interface is associated to a network"),
            Fact("wifi.interface", str, "The wireless interface"),
            Fact("wifi.ssid", str, "Name of the Wi-Fi network", privacy=Privacy.PSEUDONYMISE),
            Fact("wifi.ssid_hidden", bool, "The network name is hidden or withheld by the OS"),
            Fact("wifi.bssid", str, "MAC address of the access point", privacy=Privacy.PSEUDONYMISE),
            Fact("wifi.band", str, "Frequency band: 2.4GHz, 5GHz or 6GHz"),
            Fact("wifi.channel", int, "Primary channel"),
            Fact("wifi.width_mhz", int, "Channel width", unit="MHz"),
            Fact("wifi.signal_dbm", float, "Signal strength", unit="dBm"),
            Fact(
                "wifi.signal_percent",
                int,
                "Signal quality as Windows shows it",
                unit="%",
                not_judged="Windows' view of wifi.signal_dbm, which is judged",
            ),
            Fact(
                "wifi.noise_dbm",
                float,
                "Noise floor",
                unit="dBm",
                not_judged="summed up in wifi.snr_db, which is judged",
            ),
            Fact("wifi.snr_db", float, "Signal-to-noise ratio", unit="dB"),
            Fact(
                "wifi.tx_rate_mbps",
                float,
                "Transmit rate of the link",
                unit="Mbit/s",
                not_judged="summed up in wifi.rate_ratio, which is judged",
            ),
            Fact(
                "wifi.rx_rate_mbps",
                float,
                "Receive rate of the link",
                unit="Mbit/s",
                not_judged="summed up in wifi.rate_ratio, which is judged",
            ),
            Fact("wifi.phy_mode", str, "802.11 mode: a, b, g, n, ac, ax, be"),
            Fact(
                "wifi.security",
                str,
                "open, wep, wpa-tkip, wpa2, wpa3, wpa2-wpa3, enterprise, owe",
                not_judged="summed up in wifi.insecure, which is judged",
            ),
            Fact("wifi.insecure", bool, "Open, WEP or TKIP-only protection"),
            Fact(
                "wifi.expected_rate_mbps",
                float,
                "Rate this mode, width and signal should reach",
                unit="Mbit/s",
                not_judged="summed up in wifi.rate_ratio, which is judged",
            ),
            Fact("wifi.rate_ratio", float, "Actual link rate / expected rate"),
            Fact(
                "wifi.driver",
                str,
                "Driver of the wireless interface",
                not_judged="context for the remedy (update the driver)",
            ),
            Fact("wifi.limitations", list[str], "What limited reading the link (root, location permission)"),
        ),
        binaries=("iw", "nmcli", "wdutil", "system_profiler", "netsh"),
        description=(
            "Reads the Wi-Fi link from the OS: iw and nmcli on Linux, wdutil (root), system_profiler or "
            "airport on macOS, netsh wlan on Windows (any language). Never scans, never joins a network, "
            "never reads stored passwords."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Observe the link, or that there is none."""
        view = await read_link(ctx)
        ctx.observe("wifi.limitations", view.limitations)
        if view.sources:
            ctx.using(", ".join(view.sources))
        if not view.interfaces or view.link is None:
            ctx.observe("wifi.present", False, evidence=_("this computer has no wireless interface"))
            ctx.observe("wifi.in_use", False)
            return
        link = view.link
        in_use = ctx.fact("interface.name") == link.interface
        ctx.observe(
            "wifi.present", True, evidence=_("wireless interface {name}").format(name=link.interface or "?")
        )
        ctx.observe("wifi.interface", link.interface)
        ctx.observe("wifi.connected", link.connected)
        ctx.observe(
            "wifi.in_use",
            in_use and link.connected,
            evidence=None if in_use else _("the default route does not use Wi-Fi"),
        )
        if not link.connected:
            return
        observe_link(ctx, link)


def observe_link(ctx: ProbeContext, link: WifiLink) -> None:
    """Record the facts of a connected link."""
    ctx.observe("wifi.ssid", link.ssid)
    ctx.observe(
        "wifi.ssid_hidden",
        link.ssid is None,
        evidence=link.ssid_hidden_reason.value if link.ssid_hidden_reason else None,
    )
    ctx.observe("wifi.bssid", link.bssid)
    ctx.observe("wifi.band", link.band.value if link.band else None)
    ctx.observe("wifi.channel", link.channel)
    ctx.observe("wifi.width_mhz", link.width_mhz)
    signal = link.signal_dbm
    implausible = Limitation.IMPLAUSIBLE_SIGNAL in link.limitations and signal is not None
    if implausible:
        # kept as evidence, never judged: a positive dBm says nothing about how strong the link is
        ctx.observe(
            "wifi.signal_dbm",
            None,
            evidence=_("the driver reports {dbm:+.0f} dBm, which no radio receives").format(dbm=signal),
        )
    else:
        ctx.observe(
            "wifi.signal_dbm",
            signal,
            evidence=_("{dbm:.0f} dBm").format(dbm=signal) if signal is not None else None,
        )
    ctx.observe("wifi.signal_percent", link.signal_percent)
    ctx.observe("wifi.noise_dbm", link.noise_dbm)
    ctx.observe("wifi.snr_db", None if implausible else link.snr_db)
    ctx.observe("wifi.tx_rate_mbps", link.tx_rate_mbps)
    ctx.observe("wifi.rx_rate_mbps", link.rx_rate_mbps)
    ctx.observe("wifi.phy_mode", link.phy_mode.value if link.phy_mode else None)
    known = link.security.value != "unknown"
    ctx.observe("wifi.security", link.security.value if known else None)
    klass = security_class(link.security, link.cipher)
    ctx.observe(
        "wifi.insecure",
        klass.insecure if known else None,
        evidence=_("security {kind}").format(kind=klass.value) if known else None,
    )
    judged = dataclasses.replace(link, signal_dbm=None) if implausible else link
    estimate = expected_rate(judged)
    ratio = link_rate_ratio(judged)
    ctx.observe("wifi.expected_rate_mbps", round(estimate.expected_mbps, 1) if estimate else None)
    evidence = None
    if ratio is not None and estimate is not None:
        evidence = _("{ratio:.0%} of the {expected:.0f} Mbit/s this signal and mode allow").format(
            ratio=ratio, expected=estimate.expected_mbps
        )
    ctx.observe("wifi.rate_ratio", ratio, evidence=evidence)
    ctx.observe("wifi.driver", link.driver)
