"""``devices.printer_summary``: what the printer probes found, in facts a playbook can judge.

Passive: reads what discovery, ``devices.printer_ipp``, ``devices.print_queues``, ``net.peers`` and
``discovery.baseline`` observed and sums it up per question a printer complaint raises: is a printer on
the network, does it announce itself, does it answer IPP, what state and alerts does it report, are
supplies low, does a printer the network is known to have stay silent, and do this computer's print
queues point at an address where a printer answers.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk

STATE_ORDER = {"stopped": 3, "processing": 2, "idle": 1}


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


class PrinterSummaryProbe(Probe):
    """Printer facts for playbooks."""

    spec = ProbeSpec(
        id="devices.printer_summary",
        summary="Whether printers are found, answer, and what state, alerts and supplies they report",
        risk=Risk.PASSIVE,
        timeout_s=2.0,
        needs=(
            "discovery.devices",
            "ipp.answered",
            "ipp.state",
            "ipp.state_reasons",
            "ipp.supplies",
            "printer.queues",
            "lan.silent_peers",
            "baseline.missing_devices",
            "baseline.moved_devices",
        ),
        provides=(
            "printer.found",
            "printer.announced",
            "printer.reachable",
            "printer.state",
            "printer.state_reasons",
            "printer.supply_low",
            "printer.known_silent",
            "printer.queue_address_ok",
            "printer.queue_moved",
        ),
        description=(
            "Sums up the printer observations: printers found (any discovery) and announced by "
            "multicast, IPP answers, the worst printer-state and every state reason, supplies at or "
            "below their low level, printers known from the baseline, print queues or the local DNS "
            "that stay silent, and whether each network print queue points at an address where a "
            "printer answers. Sends nothing."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Sum up."""
        devices = _dicts(ctx.fact("discovery.devices"))
        printers = [d for d in devices if d.get("kind") == "printer"]
        by_subject = {f"device:{d.get('id')}": d for d in printers}
        names = ", ".join(str(p.get("ip")) for p in printers[:4])
        ctx.observe(
            "printer.found",
            bool(printers),
            evidence=_("printers at {where}").format(where=names)
            if printers
            else _("no printer found on the LAN"),
        )
        announced = [p for p in printers if {"mdns", "ssdp"} & set(p.get("seen_by") or [])]
        ctx.observe(
            "printer.announced",
            bool(announced),
            evidence=(
                _("{n} printers announce themselves").format(n=len(announced))
                if announced
                else _("no printer announces itself by mDNS or SSDP")
            ),
        )
        answered = {o.subject: o for o in ctx.known.all("ipp.answered")}
        ok_subjects = [s for s, o in answered.items() if o.value is True]
        if not printers and not answered:
            ctx.observe("printer.reachable", None, evidence=_("no printer to ask"))
        else:
            why = "; ".join(
                f"{by_subject.get(s, {}).get('ip', s)}: {o.evidence}"
                for s, o in answered.items()
                if o.evidence
            )
            ctx.observe("printer.reachable", bool(ok_subjects), evidence=why[:300] or None)
        self._state(ctx, ok_subjects, by_subject)
        self._known_silent(ctx)
        self._queues(ctx, devices, ok_subjects, by_subject)

    @staticmethod
    def _state(ctx: ProbeContext, ok_subjects: list[str], by_subject: dict[str, dict[str, Any]]) -> None:
        states = {o.subject: o.value for o in ctx.known.all("ipp.state") if o.subject in ok_subjects}
        worst = max(
            (v for v in states.values() if isinstance(v, str)),
            key=lambda v: STATE_ORDER.get(v, 0),
            default=None,
        )
        ctx.observe(
            "printer.state",
            worst,
            evidence="; ".join(f"{by_subject.get(s, {}).get('ip', s)}: {v}" for s, v in states.items())
            or None,
        )
        reasons: list[str] = []
        for obs in ctx.known.all("ipp.state_reasons"):
            if obs.subject in ok_subjects and isinstance(obs.value, list):
                reasons += [str(r) for r in obs.value if str(r) not in reasons]
        ctx.observe(
            "printer.state_reasons",
            reasons if ok_subjects else None,
            evidence=", ".join(reasons[:8]) or (_("no alerts") if ok_subjects else _("no printer answered")),
        )
        supplies = [
            s for o in ctx.known.all("ipp.supplies") if o.subject in ok_subjects for s in _dicts(o.value)
        ]
        low = [s for s in supplies if s.get("is_low")]
        ctx.observe(
            "printer.supply_low",
            bool(low) if supplies else None,
            evidence=(
                ", ".join(f"{s.get('name')} {s.get('level')}%" for s in low[:4])
                if low
                else (
                    _("{n} supplies above their low level").format(n=len(supplies))
                    if supplies
                    else _("no supply levels reported")
                )
            ),
        )

    @staticmethod
    def _known_silent(ctx: ProbeContext) -> None:
        silent = [p for p in _dicts(ctx.fact("lan.silent_peers")) if p.get("kind") == "printer"]
        missing = [m for m in _dicts(ctx.fact("baseline.missing_devices")) if m.get("kind") == "printer"]
        ips = {str(p.get("ip")) for p in silent} | {str(m.get("ip")) for m in missing}
        where = ", ".join(sorted(ips)[:4])
        ctx.observe(
            "printer.known_silent",
            bool(ips),
            evidence=_("a known printer does not answer: {where}").format(where=where) if ips else None,
        )

    @staticmethod
    def _queues(
        ctx: ProbeContext,
        devices: list[dict[str, Any]],
        ok_subjects: list[str],
        by_subject: dict[str, dict[str, Any]],
    ) -> None:
        queues = [q for q in _dicts(ctx.fact("printer.queues")) if q.get("network")]
        answering_ips = {str(by_subject[s].get("ip")) for s in ok_subjects if s in by_subject}
        device_ips = {str(d.get("ip")) for d in devices}
        device_names = {
            str(n).lower().removesuffix(".local") for d in devices for n in (d.get("names") or []) if n
        }
        moved_printers = [m for m in _dicts(ctx.fact("baseline.moved_devices")) if m.get("kind") == "printer"]
        if not queues:
            ctx.observe(
                "printer.queue_address_ok", None, evidence=_("this computer has no network print queue")
            )
            ctx.observe(
                "printer.queue_moved",
                True if moved_printers else None,
                evidence=(
                    _("the printer moved from {old} to {new} since the baseline").format(
                        old=moved_printers[0].get("old_ip"), new=moved_printers[0].get("new_ip")
                    )
                    if moved_printers
                    else None
                ),
            )
            return
        silent_queues: list[str] = []
        for queue in queues:
            host = str(queue.get("host") or "")
            try:
                ipaddress.ip_address(host)
                reachable = host in answering_ips or host in device_ips
            except ValueError:  # a name: an mDNS host or DNS-SD instance name
                label = host.lower().removesuffix(".").removesuffix(".local").split("._", 1)[0]
                reachable = label in device_names or bool(answering_ips and queue.get("scheme") == "dnssd")
            if not reachable:
                silent_queues.append(f"{queue.get('name')} -> {host}")
        ctx.observe(
            "printer.queue_address_ok",
            not silent_queues,
            evidence=(
                _("queues print to addresses that do not answer: {q}").format(q=", ".join(silent_queues[:3]))
                if silent_queues
                else _("{n} network queues print to answering printers").format(n=len(queues))
            ),
        )
        moved = bool(silent_queues and answering_ips) or bool(moved_printers)
        ctx.observe(
            "printer.queue_moved",
            moved,
            evidence=(
                _("a queue prints to a silent address while a printer answers at {ips}").format(
                    ips=", ".join(sorted(answering_ips)[:3])
                )
                if moved
                else None
            ),
        )
