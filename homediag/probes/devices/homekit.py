"""``devices.homekit``: HomeKit accessories, from their announcement alone.

Passive: reads the ``_hap._tcp`` TXT record discovery already heard (HomeKit Accessory Protocol):
``md`` model, ``ci`` accessory category, ``sf`` status flags (bit 0 set: not paired, so it is waiting to
be added to a home), ``c#`` configuration number, ``s#`` state number, ``pv`` protocol version. Sends
nothing: pairing and every request beyond the announcement need the owner's keys.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from homediag.core.devices import service, subject_of
from homediag.core.facts import Fact, Privacy, record
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import DeviceMatcher, ProbeSpec, Risk
from homediag.net.text import text

CATEGORIES = {
    1: "other",
    2: "bridge",
    3: "fan",
    4: "garage door opener",
    5: "lightbulb",
    6: "door lock",
    7: "outlet",
    8: "switch",
    9: "thermostat",
    10: "sensor",
    11: "security system",
    12: "door",
    13: "window",
    14: "window covering",
    15: "programmable switch",
    17: "IP camera",
    18: "video doorbell",
    19: "air purifier",
    20: "heater",
    21: "air conditioner",
    22: "humidifier",
    23: "dehumidifier",
    28: "sprinkler",
    29: "faucet",
    30: "shower head",
    31: "television",
    32: "remote",
    33: "router",
}


@record
class Accessory(TypedDict):
    """A ``homekit.accessory`` value: what a HomeKit accessory's TXT record says."""

    model: str | None
    category: str | None
    status_flags: int | None
    config_number: int | None
    protocol: str | None


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


class HomekitProbe(Probe):
    """HomeKit accessory status flags."""

    spec = ProbeSpec(
        id="devices.homekit",
        summary="HomeKit accessories: model, category and whether they are paired, from their TXT",
        risk=Risk.PASSIVE,
        timeout_s=2.0,
        needs=("discovery.devices",),
        provides=(
            Fact(
                "homekit.accessory",
                Accessory,
                "HomeKit TXT: model, category, paired, configuration number (subject: device)",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="identifies the accessory for the report; homekit.paired is what is judged",
            ),
            Fact("homekit.paired", bool, "The HomeKit accessory is paired (sf=0) (subject: device)"),
        ),
        matchers=(DeviceMatcher(mdns_type="_hap._tcp"),),
        description=(
            "Reads the _hap._tcp TXT record discovery heard: model (md), category (ci), status flags "
            "(sf: bit 0 set means not paired), configuration and state numbers, protocol version. "
            "Sends nothing."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Read one accessory's TXT."""
        device = ctx.target
        if device is None:
            return
        found = service(device, "_hap._tcp")
        if found is None:
            return
        txt = found.txt
        flags = _int(txt.get("sf"))
        category = _int(txt.get("ci"))
        paired = None if flags is None else not bool(flags & 0x01)
        subject = subject_of(device)
        accessory: Accessory = {
            "model": text(txt.get("md"), 64),
            "category": CATEGORIES.get(category or 0, str(category) if category is not None else None),
            "status_flags": flags,
            "config_number": _int(txt.get("c#")),
            "protocol": text(txt.get("pv"), 8),
        }
        ctx.observe("homekit.accessory", accessory, subject=subject)
        ctx.observe(
            "homekit.paired",
            paired,
            subject=subject,
            evidence=(
                _("sf={flags}: paired") if paired else _("sf={flags}: not paired, waiting to be added")
            ).format(flags=flags)
            if flags is not None
            else _("no status flags in the announcement"),
        )
