"""``devices.printer_summary``: what the printer probes found, in facts a playbook can judge.

Passive: reads what discovery, ``devices.printer_ipp``, ``devices.print_queues``, ``net.peers`` and
``discovery.baseline`` observed and sums it up per question a printer complaint raises: is a printer on
the network, does it announce itself, does it answer IPP, what state and alerts does it report, are
supplies low, does a printer the network is known to have stay silent, and do this computer's print
queues point at an address where a printer answers.
"""

from __future__ import annotations

import ipaddress

from homediag.core.baseline import MissingDevice, MovedDevice
from homediag.core.facts import Fact, Privacy
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.records import DeviceEntry, PrintQueue, SilentPeer, Supply, announced
from homediag.core.spec import ProbeSpec, Risk
from homediag.net.addressing import no_inventory_reason

STATE_ORDER = {"stopped": 3, "processing": 2, "idle": 1}


def _where(subject: str, by_subject: dict[str, DeviceEntry]) -> str:
    """The address of a printer's subject (the subject itself for a device discovery did not list)."""
    return str(by_subject[subject]["ip"]) if subject in by_subject else subject


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
            Fact("printer.found", bool, "A printer is on the LAN now (found by any discovery)"),
            Fact("printer.announced", bool, "A printer announces itself by multicast (mDNS or SSDP)"),
            Fact("printer.reachable", bool, "A printer answered IPP (null: no printer found)"),
            Fact(
                "printer.state",
                str,
                "State of the printers: stopped if any is, else processing, else idle (null: none answered)",
            ),
            Fact("printer.state_reasons", list[str], "printer-state-reasons of every printer that answered"),
            Fact(
                "printer.supply_low",
                bool,
                "A marker supply is at or below its low level (null: no printer reported supplies)",
            ),
            Fact(
                "printer.known_silent",
                bool,
                "A printer known from the baseline, a print queue or the local DNS does not answer",
            ),
            Fact(
                "printer.queue_address_ok",
                bool,
                "Every network print queue points at an address where a printer answers (null: none)",
            ),
            Fact(
                "printer.addresses",
                list[str],
                "Addresses of the printers: found on the LAN, printed to by a network queue, or in the "
                "baseline",
            ),
            Fact(
                "printer.macs",
                list[str],
                "MAC addresses of the printers found on the LAN",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="context for the address checks: a MAC alone shows no fault",
            ),
            Fact(
                "printer.queue_moved",
                bool,
                "A print queue's address is silent while a printer answers at another (null: no queue)",
            ),
        ),
        description=(
            "Sums up the printer observations: printers found (any discovery) and announced by "
            "multicast, IPP answers, the worst printer-state and every state reason, supplies at or "
            "below their low level, printers known from the baseline, print queues or the local DNS "
            "that stay silent, and whether each network print queue points at an address where a "
            "printer answers. Sends nothing."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable when no discovery searched the LAN."""
        return no_inventory_reason(ctx)

    async def run(self, ctx: ProbeContext) -> None:
        """Sum up."""
        devices = ctx.fact_as("discovery.devices", list[DeviceEntry]) or []
        printers = [d for d in devices if d["kind"] == "printer"]
        by_subject = {f"device:{d['id']}": d for d in printers}
        names = ", ".join(str(p["ip"]) for p in printers[:4])
        ctx.observe(
            "printer.found",
            bool(printers),
            evidence=_("printers at {where}").format(where=names)
            if printers
            else _("no printer found on the LAN"),
        )
        heard = [p for p in printers if announced(p)]
        ctx.observe(
            "printer.announced",
            bool(heard),
            evidence=(
                _("{n} printers announce themselves").format(n=len(heard))
                if heard
                else _("no printer announces itself by mDNS or SSDP")
            ),
        )
        answered = {o.subject: o for o in ctx.known.all("ipp.answered")}
        ok_subjects = [s for s, o in answered.items() if o.value is True]
        if not printers and not answered:
            ctx.observe("printer.reachable", None, evidence=_("no printer to ask"))
        else:
            why = "; ".join(
                f"{_where(s, by_subject)}: {o.evidence}" for s, o in answered.items() if o.evidence
            )
            ctx.observe("printer.reachable", bool(ok_subjects), evidence=why[:300] or None)
        self._state(ctx, ok_subjects, by_subject)
        self._addresses(ctx, printers)
        self._known_silent(ctx)
        self._queues(ctx, devices, ok_subjects, by_subject)

    @staticmethod
    def _state(ctx: ProbeContext, ok_subjects: list[str], by_subject: dict[str, DeviceEntry]) -> None:
        states = {o.subject: o.value for o in ctx.known.all("ipp.state") if o.subject in ok_subjects}
        worst = max(
            (v for v in states.values() if isinstance(v, str)),
            key=lambda v: STATE_ORDER.get(v, 0),
            default=None,
        )
        ctx.observe(
            "printer.state",
            worst,
            evidence="; ".join(f"{_where(s, by_subject)}: {v}" for s, v in states.items()) or None,
        )
        reasons: list[str] = []
        for subject, found in ctx.observed_as("ipp.state_reasons", list[str]):
            if subject in ok_subjects:
                reasons += [r for r in found if r not in reasons]
        ctx.observe(
            "printer.state_reasons",
            reasons if ok_subjects else None,
            evidence=", ".join(reasons[:8]) or (_("no alerts") if ok_subjects else _("no printer answered")),
        )
        supplies = [
            s for subject, found in ctx.observed_as("ipp.supplies", list[Supply]) if subject in ok_subjects
            for s in found
        ]  # fmt: skip
        low = [s for s in supplies if s["is_low"]]
        ctx.observe(
            "printer.supply_low",
            bool(low) if supplies else None,
            evidence=(
                ", ".join(f"{s['name']} {s['level']}%" for s in low[:4])
                if low
                else (
                    _("{n} supplies above their low level").format(n=len(supplies))
                    if supplies
                    else _("no supply levels reported")
                )
            ),
        )

    @staticmethod
    def _addresses(ctx: ProbeContext, printers: list[DeviceEntry]) -> None:
        """Where the printers are, for the playbooks' address checks (one fact whatever found them)."""
        found: dict[str, set[str]] = {}

        def add(ip: str | None, source: str) -> None:
            if not ip:
                return
            try:
                address = str(ipaddress.ip_address(ip))
            except ValueError:
                return
            found.setdefault(address, set()).add(source)

        for printer in printers:
            add(printer["ip"], "LAN")
        for queue in ctx.fact_as("printer.queues", list[PrintQueue]) or []:
            if queue["network"]:
                add(queue["host"], "print queue")
        for gone in ctx.fact_as("baseline.missing_devices", list[MissingDevice]) or []:
            if gone["kind"] == "printer":
                add(gone["ip"], "baseline")
        for moved in ctx.fact_as("baseline.moved_devices", list[MovedDevice]) or []:
            if moved["kind"] == "printer":
                add(moved["old_ip"], "baseline")
                add(moved["new_ip"], "LAN")
        ordered = sorted(found, key=ipaddress.ip_address)
        ctx.observe(
            "printer.addresses",
            ordered,
            evidence="; ".join(f"{ip} ({', '.join(sorted(found[ip]))})" for ip in ordered[:6]) or None,
        )
        macs = sorted({str(p["mac"]).lower() for p in printers if p["mac"]})
        ctx.observe("printer.macs", macs)

    @staticmethod
    def _known_silent(ctx: ProbeContext) -> None:
        peers = ctx.fact_as("lan.silent_peers", list[SilentPeer]) or []
        gone = ctx.fact_as("baseline.missing_devices", list[MissingDevice]) or []
        silent = [p for p in peers if p["kind"] == "printer"]
        missing = [m for m in gone if m["kind"] == "printer"]
        ips = {str(p["ip"]) for p in silent} | {str(m["ip"]) for m in missing}
        where = ", ".join(sorted(ips)[:4])
        ctx.observe(
            "printer.known_silent",
            bool(ips),
            evidence=_("a known printer does not answer: {where}").format(where=where) if ips else None,
        )

    @staticmethod
    def _queues(
        ctx: ProbeContext,
        devices: list[DeviceEntry],
        ok_subjects: list[str],
        by_subject: dict[str, DeviceEntry],
    ) -> None:
        queues = [q for q in ctx.fact_as("printer.queues", list[PrintQueue]) or [] if q["network"]]
        answering_ips = {str(by_subject[s]["ip"]) for s in ok_subjects if s in by_subject}
        device_ips = {str(d["ip"]) for d in devices}
        device_names = {n.lower().removesuffix(".local") for d in devices for n in d["names"] if n}
        moved = ctx.fact_as("baseline.moved_devices", list[MovedDevice]) or []
        moved_printers = [m for m in moved if m["kind"] == "printer"]
        if not queues:
            ctx.observe(
                "printer.queue_address_ok", None, evidence=_("this computer has no network print queue")
            )
            ctx.observe(
                "printer.queue_moved",
                True if moved_printers else None,
                evidence=(
                    _("the printer moved from {old} to {new} since the baseline").format(
                        old=moved_printers[0]["old_ip"], new=moved_printers[0]["new_ip"]
                    )
                    if moved_printers
                    else None
                ),
            )
            return
        silent_queues: list[str] = []
        for queue in queues:
            host = queue["host"] or ""
            try:
                ipaddress.ip_address(host)
                reachable = host in answering_ips or host in device_ips
            except ValueError:  # a name: an mDNS host or DNS-SD instance name
                label = host.lower().removesuffix(".").removesuffix(".local").split("._", 1)[0]
                reachable = label in device_names or bool(answering_ips and queue["scheme"] == "dnssd")
            if not reachable:
                silent_queues.append(f"{queue['name']} -> {host}")
        ctx.observe(
            "printer.queue_address_ok",
            not silent_queues,
            evidence=(
                _("queues print to addresses that do not answer: {q}").format(q=", ".join(silent_queues[:3]))
                if silent_queues
                else _("{n} network queues print to answering printers").format(n=len(queues))
            ),
        )
        queue_moved = bool(silent_queues and answering_ips) or bool(moved_printers)
        ctx.observe(
            "printer.queue_moved",
            queue_moved,
            evidence=(
                _("a queue prints to a silent address while a printer answers at {ips}").format(
                    ips=", ".join(sorted(answering_ips)[:3])
                )
                if queue_moved
                else None
            ),
        )
