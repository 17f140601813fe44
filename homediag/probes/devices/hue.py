"""``devices.hue``: a Philips Hue bridge's public configuration.

Safe: one GET of ``http://<ip>/api/config`` — the part of the Hue API a bridge serves without a key
(name, model, software and API version, bridge id, whether it is factory-new). 64 KiB and 4 s at most.
Never creates an API user or presses anything.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from homediag.core.devices import subject_of
from homediag.core.facts import Fact, Privacy, record
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import DeviceMatcher, ProbeSpec, Risk
from homediag.net.http import FetchFailed, fetch_json
from homediag.net.text import text


@record
class HueConfig(TypedDict):
    """A ``hue.config`` value: the public part of a Hue bridge's ``/api/config``."""

    name: str | None
    model: str | None
    software: str | None
    api: str | None
    bridge_id: str | None
    factory_new: bool | None


class HueProbe(Probe):
    """Hue bridge configuration."""

    spec = ProbeSpec(
        id="devices.hue",
        summary="A Hue bridge's public configuration: name, model, software and API version",
        risk=Risk.SAFE,
        timeout_s=6.0,
        needs=("discovery.devices",),
        provides=(
            Fact(
                "hue.config",
                HueConfig,
                "Hue bridge /api/config: name, model, software and API version, bridge id (subject: device)",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="identifies the bridge for the report; hue.answered is what is judged",
            ),
            Fact("hue.answered", bool, "The Hue bridge answered its config endpoint (subject: device)"),
        ),
        matchers=(
            DeviceMatcher(mdns_type="_hue._tcp"),
            DeviceMatcher(oui="00:17:88"),
            DeviceMatcher(oui="ec:b5:fa"),
        ),
        description=(
            "Sends one GET to http://<bridge>/api/config, the configuration a Hue bridge shows without "
            "an API key (64 KiB, 4 s at most), and records name, model, software and API version, "
            "bridge id and factory-new flag. Never registers an API user."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Ask one bridge."""
        device = ctx.target
        if device is None or not device.ip:
            return
        subject = subject_of(device)
        try:
            data = await fetch_json(ctx, f"http://{device.ip}/api/config")
        except FetchFailed as exc:
            ctx.observe(
                "hue.answered", False, subject=subject, evidence=_("/api/config: {error}").format(error=exc)
            )
            return
        factory_new = data.get("factorynew")
        config: HueConfig = {
            "name": text(data.get("name")),
            "model": text(data.get("modelid"), 32),
            "software": text(data.get("swversion"), 32),
            "api": text(data.get("apiversion"), 32),
            "bridge_id": text(data.get("bridgeid"), 32),
            "factory_new": factory_new if isinstance(factory_new, bool) else None,
        }
        ctx.observe("hue.answered", True, subject=subject, evidence=_("the bridge answered /api/config"))
        ctx.observe(
            "hue.config",
            config,
            subject=subject,
            evidence=_("model {model}, API {api}").format(model=config["model"], api=config["api"]),
        )
