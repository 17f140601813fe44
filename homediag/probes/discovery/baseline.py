"""``discovery.baseline``: devices that vanished or changed address since an earlier report (``--baseline``).

Passive: compares the devices discovery found now with those of the report given with ``--baseline``
(:mod:`homediag.core.baseline`: by id, then MAC; tokens of this installation when the baseline is
redacted). A device of the baseline that no current device matches has vanished: it is off, unplugged,
asleep, or cannot be reached from here. A matched device at another address has moved (a new DHCP
lease): what still points at its old address (a print queue) no longer reaches it.
"""

from __future__ import annotations

from homediag.core.baseline import MissingDevice, MovedDevice, compare
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk


class BaselineProbe(Probe):
    """Devices missing or moved since the baseline."""

    spec = ProbeSpec(
        id="discovery.baseline",
        summary="Devices of an earlier report that vanished or changed address (--baseline)",
        risk=Risk.PASSIVE,
        timeout_s=5.0,
        needs=("discovery.devices",),
        provides=(
            Fact(
                "baseline.missing_devices",
                list[MissingDevice],
                "Devices of the baseline report that no longer answer: id, address, kind, name",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact(
                "baseline.moved_devices",
                list[MovedDevice],
                "Devices of the baseline report now at another address: id, kind, old and new address",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact(
                "baseline.missing_kinds",
                list[str],
                "Kinds of the devices that vanished since the baseline",
                not_judged="summary of baseline.missing_devices, which the summaries judge",
            ),
            Fact(
                "baseline.moved_kinds",
                list[str],
                "Kinds of the devices that changed address",
                not_judged="summary of baseline.moved_devices, which the summaries judge",
            ),
            Fact(
                "baseline.device_count",
                int,
                "Devices in the baseline report",
                not_judged="context: the size of the earlier report",
            ),
        ),
        description=(
            "Compares the devices found now with the devices of the report given with --baseline: "
            "matched by device id, then MAC (this installation's redaction tokens for a redacted "
            "baseline); lists the devices that no longer answer and those at a new address. Sends "
            "nothing."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Only with ``--baseline``."""
        if ctx.session.baseline is None:
            return _("no baseline report was given (--baseline OLD.json)")
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Compare and record."""
        baseline = ctx.session.baseline
        if baseline is None:
            return
        comparison = await ctx.to_thread(compare, baseline, ctx.known.devices())
        missing, moved = list(comparison.missing), list(comparison.moved)
        when = comparison.baseline_time[:19] or comparison.baseline_run
        ctx.observe(
            "baseline.missing_devices",
            missing,
            evidence=(
                _("{n} of {total} devices of the baseline ({when}) no longer answer: {names}").format(
                    n=len(missing),
                    total=comparison.device_count,
                    when=when,
                    names=", ".join(f"{m['kind']} {m['ip']}" for m in missing[:5]),
                )
                if missing
                else _("every device of the baseline ({when}) answers").format(when=when)
            ),
        )
        ctx.observe(
            "baseline.moved_devices",
            moved,
            evidence=(
                "; ".join(
                    _("{kind} moved from {old} to {new}").format(
                        kind=m["kind"], old=m["old_ip"], new=m["new_ip"]
                    )
                    for m in moved[:5]
                )
                or None
            ),
        )
        ctx.observe("baseline.missing_kinds", sorted({m["kind"] for m in missing}))
        ctx.observe("baseline.moved_kinds", sorted({m["kind"] for m in moved}))
        ctx.observe(
            "baseline.device_count",
            comparison.device_count,
            evidence="; ".join(comparison.notes) or None,
        )
