"""``devices.matter``: Matter devices, from their DNS-SD announcements alone.

Passive: reads the TXT records discovery heard. ``_matterc._udp`` is a device open for commissioning:
``CM`` commissioning mode (1 basic, 2 enhanced), ``D`` discriminator, ``VP`` vendor+product ids, ``DT``
device type, ``DN`` device name, ``PH`` pairing hint. ``_matter._tcp`` is an operational (commissioned)
node: ``SII``/``SAI`` session idle and active intervals (ms), ``T`` TCP support, ``ICD`` intermittently
connected. Sends nothing: Matter itself needs the fabric's credentials.
"""

from __future__ import annotations

from typing import Any, Required

from typing_extensions import TypedDict

from homediag.core.devices import service, subject_of
from homediag.core.facts import Fact, Privacy, record
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import DeviceMatcher, ProbeSpec, Risk
from homediag.net.text import text


@record
class MatterNode(TypedDict, total=False):
    """A ``matter.node`` value: what a Matter device's TXT records say (keys it did not send are left out)."""

    operational: Required[bool]
    """It announces an operational (commissioned) node, ``_matter._tcp``."""
    idle_interval_ms: int
    active_interval_ms: int
    tcp: bool
    icd: bool
    commissioning_mode: int
    discriminator: int
    vendor_product: str
    device_type: int
    device_name: str


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


class MatterProbe(Probe):
    """Matter commissioning and operational TXT."""

    spec = ProbeSpec(
        id="devices.matter",
        summary="Matter devices: commissioning mode or operational node details, from their TXT",
        risk=Risk.PASSIVE,
        timeout_s=2.0,
        needs=("discovery.devices",),
        provides=(
            Fact(
                "matter.node",
                MatterNode,
                "Matter TXT: commissioning mode, vendor/product, device type, intervals (subject: device)",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="identifies the node for the report; matter.commissionable is what is judged",
            ),
            Fact(
                "matter.commissionable",
                bool,
                "The Matter device is open for commissioning (subject: device)",
            ),
        ),
        matchers=(DeviceMatcher(mdns_type="_matter._tcp"), DeviceMatcher(mdns_type="_matterc._udp")),
        description=(
            "Reads the _matterc._udp (commissionable: CM, D, VP, DT, DN) and _matter._tcp "
            "(operational: SII, SAI, T, ICD) TXT records discovery heard. Sends nothing."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Read one device's TXT."""
        device = ctx.target
        if device is None:
            return
        commissionable = service(device, "_matterc._udp")
        operational = service(device, "_matter._tcp")
        node: dict[str, Any] = {"operational": operational is not None}
        if operational is not None:
            txt = operational.txt
            node.update(
                {
                    "idle_interval_ms": _int(txt.get("SII")),
                    "active_interval_ms": _int(txt.get("SAI")),
                    "tcp": txt.get("T") == "1" if "T" in txt else None,
                    "icd": txt.get("ICD") == "1" if "ICD" in txt else None,
                }
            )
        mode = None
        if commissionable is not None:
            txt = commissionable.txt
            mode = _int(txt.get("CM"))
            node.update(
                {
                    "commissioning_mode": mode,
                    "discriminator": _int(txt.get("D")),
                    "vendor_product": text(txt.get("VP"), 16),
                    "device_type": _int(txt.get("DT")),
                    "device_name": text(txt.get("DN"), 32),
                }
            )
        open_now = bool(mode) if commissionable is not None else False
        subject = subject_of(device)
        ctx.observe("matter.node", {k: v for k, v in node.items() if v is not None}, subject=subject)
        ctx.observe(
            "matter.commissionable",
            open_now,
            subject=subject,
            evidence=(
                _("open for commissioning (CM={mode})").format(mode=mode)
                if open_now
                else _("commissioned: announces an operational node")
                if operational is not None
                else _("not open for commissioning")
            ),
        )
