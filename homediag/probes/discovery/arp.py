"""``discovery.arp``: every host on the local subnet, by an ARP sweep (or, without root, the OS's own ARP).

Active. With raw sockets: one broadcast ARP request per address of the interface's own subnet (never our
own address), paced at one frame per 2 ms like arp-scan, all on one socket that reads the replies in
between; 0.1 s after that burst, one retry round for the addresses that are still silent; the sweep
ends once no new reply came for 0.25 s. Every reply is kept, so two MACs answering for one address are
seen (a duplicate address). The physical limit is the send time (2 ms a frame, the retry round
included) plus the slowest responder's delay; the sweep adds the 0.1 s pause and the 0.25 s of quiet.
Each address is handed to the probes that follow ``arp.hosts`` (``discovery.unicast``) the moment
it first answers (:meth:`~homediag.core.probe.ProbeContext.publish`, the address as text), so they
need not wait for the end of the sweep. The subnet must pass
:func:`~homediag.net.addressing.check_scan_target`: private or a test range,
at most a /22 unless ``--allow-large-subnet`` (never larger than a /16).

Without raw sockets: a TCP connection attempt to port 80 of every address (at most 32 at a time and 100
per second) makes the operating system resolve each address by ARP; its neighbour table (``ip neigh``,
``arp -a``) then lists the addresses and MACs that answered. That table keeps one MAC per address, so
duplicates cannot be seen that way (``lan.duplicate_ip`` is null, with the reason).

Each host becomes a device sighting with its MAC (the vendor comes from the IEEE registry); the default
gateway and this computer are marked so the kind rules know them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from typing import NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from homediag.core.devices import ROLE_GATEWAY, ROLE_SELF, device_id, is_locally_administered, mac_vendor
from homediag.core.devices import normalise_mac as normal_mac
from homediag.core.errors import NotPermitted, ProbeFailure, ScanRefused
from homediag.core.facts import Fact, Privacy, record
from homediag.core.i18n import _
from homediag.core.model import Device, DeviceEvidence
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import Privilege, ProbeArgs, ProbeSpec, Risk
from homediag.net.addressing import check_scan_target, no_lan_reason, require_lan
from homediag.net.arp import Answer, build_arp_request, collect, duplicates, reply_sender, sweep_targets
from homediag.net.errors import ParseError
from homediag.net.l2 import BPF_ARP, sweep_in

SOURCE = "discovery.arp"
TRIES = 2
RETRY_WAIT_S = 0.1
"""Pause between the burst and the retry round for the silent addresses (hosts answer ARP within
milliseconds; the retry is for a lost frame, not a slow host)."""
CONNECT_PORT = 80
"""Port of the unprivileged fallback's connection attempts (any port makes the OS ask ARP)."""
MAX_CONCURRENT_CONNECTS = 32
MAX_CONNECTS_PER_S = 100.0
CONNECT_TIMEOUT_S = 0.5


@record
class ArpHost(TypedDict):
    """An ``arp.hosts`` item: an address that answered, its MAC and the vendor the MAC names."""

    ip: str
    mac: str
    vendor: str | None
    random_mac: bool
    other_macs: NotRequired[list[str]]
    """Further MACs that answered for the same address (a duplicate address)."""


@record
class DuplicateIp(TypedDict):
    """A ``lan.duplicate_ips`` item: an address and every MAC that answered for it."""

    ip: str
    macs: list[str]


class ArpSweepArgs(ProbeArgs):
    """Arguments of ``discovery.arp`` (config: ``probes.discovery.arp``)."""

    tries: int = Field(TRIES, description="ARP requests per address (the second only when unanswered)")
    listen_s: float = Field(0.25, description="The sweep ends once no new answer came for this long")


class ArpSweepProbe(Probe):
    """Hosts of the local subnet, by ARP."""

    spec = ProbeSpec(
        id="discovery.arp",
        summary="Every host of the local subnet, by an ARP sweep or the OS neighbour table",
        risk=Risk.ACTIVE,
        timeout_s=14.0,
        needs=("interface.name", "interface.mac", "interface.ipv4", "interface.subnet", "gateway.ipv4"),
        provides=(
            Fact(
                "arp.hosts",
                list[ArpHost],
                "Hosts that answered ARP (or that the OS neighbour table lists): address, MAC, vendor",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact("arp.host_count", int, "How many addresses of the subnet answered"),
            Fact(
                "arp.targets",
                int,
                "Addresses of the subnet that were asked",
                not_judged="coverage of the sweep (what was asked); a count of hosts shows no fault",
            ),
            Fact(
                "lan.duplicate_ips",
                list[DuplicateIp],
                "Addresses for which more than one MAC answered ARP, with the MACs",
                privacy=Privacy.PSEUDONYMISE,
            ),
            Fact(
                "lan.duplicate_ip",
                bool,
                "Two or more MACs answered ARP for one address of the LAN (null: needs raw sockets)",
            ),
        ),
        privilege=Privilege.RAW_SOCKET,
        fallback=(
            "a TCP connection attempt to port 80 of every address makes the OS ask ARP; its neighbour "
            "table (ip neigh, arp -a) then lists who answered, one MAC per address (no duplicates seen)"
        ),
        binaries=("ip", "arp"),
        args=ArpSweepArgs,
        tags=("discovery",),
        description=(
            "Sends one broadcast ARP request to every address of the interface's own subnet (never our "
            "own), one frame per 2 ms on one socket, and a second round to the addresses that stayed "
            "silent; ends 0.25 s after the last new reply; keeps "
            "every reply, so two MACs answering for one address show a duplicate address. Refuses "
            "public ranges, carrier NAT and subnets larger than a /22 unless --allow-large-subnet "
            "(never larger than a /16). Without root it makes the OS resolve each address with a TCP "
            "connection attempt to port 80 (32 at a time, 100 per second) and reads its neighbour "
            "table. Sends nothing to any other port and nothing beyond the local subnet."
        ),
    )

    def applicable(self, ctx: ProbeContext) -> str | None:
        """Not applicable without an IPv4 subnet, on loopback, or on a subnet that may not be scanned."""
        reason = no_lan_reason(ctx)
        if reason is not None:
            return reason
        found = require_lan(ctx)
        try:
            check_scan_target(
                found[1],
                allow_large=ctx.session.allow_large_subnet,
                max_prefix=ctx.config.limits.max_subnet_prefix,
            )
        except ScanRefused as exc:
            return str(exc)
        return None

    async def run(self, ctx: ProbeContext) -> None:
        """Sweep, then record hosts, duplicates and device sightings."""
        own, subnet = require_lan(ctx)
        targets = sweep_targets(subnet, own)
        iface = str(ctx.fact("interface.name") or "")
        mac = normal_mac(str(ctx.fact("interface.mac") or ""))
        ctx.observe("arp.targets", len(targets))
        raw: tuple[list[Answer], int] | None = None
        if ctx.session.privileged and mac is not None and iface:
            try:
                raw = await self._raw_sweep(ctx, iface, mac, own, subnet, targets)
            except NotPermitted:  # root without CAP_NET_RAW, a sandbox: use the fallback
                raw = None
        if raw is not None:
            answers, malformed = raw
            dups = duplicates(answers)
            evidence = _("{n} of {total} addresses answered ARP").format(n=len(answers), total=len(targets))
            if malformed:
                evidence += _("; {n} malformed ARP frames").format(n=malformed)
            ctx.observe(
                "lan.duplicate_ips",
                [DuplicateIp(ip=str(a.ip), macs=list(a.macs)) for a in dups],
                evidence=_("{n} addresses answered by more than one MAC").format(n=len(dups))
                if dups
                else None,
            )
            ctx.observe(
                "lan.duplicate_ip",
                bool(dups),
                evidence=(
                    _("{ip} is answered by {macs}").format(ip=dups[0].ip, macs=", ".join(dups[0].macs))
                    if dups
                    else _("every address that answered ARP did so with one MAC")
                ),
            )
        else:
            answers = await self._unprivileged(ctx, iface, subnet, targets)
            evidence = _(
                "{n} of {total} addresses are in the OS neighbour table after connection attempts"
            ).format(n=len(answers), total=len(targets))
            ctx.observe("lan.duplicate_ips", None, evidence=_("needs raw sockets (run as root)"))
            ctx.observe(
                "lan.duplicate_ip",
                None,
                evidence=_("not measured: the OS neighbour table keeps one MAC per address"),
            )
        hosts: list[ArpHost] = []
        for answer in answers:
            host: ArpHost = {
                "ip": str(answer.ip),
                "mac": answer.macs[0],
                "vendor": mac_vendor(answer.macs[0]),
                "random_mac": is_locally_administered(answer.macs[0]),
            }
            if len(answer.macs) > 1:
                host["other_macs"] = list(answer.macs[1:])
            hosts.append(host)
        ctx.observe("arp.hosts", hosts, evidence=evidence)
        ctx.observe("arp.host_count", len(answers), evidence=evidence)
        self._devices(ctx, answers, own, mac)

    @staticmethod
    def _devices(
        ctx: ProbeContext, answers: list[Answer], own: ipaddress.IPv4Address, own_mac: str | None
    ) -> None:
        gateway = str(ctx.fact("gateway.ipv4") or "")
        for answer in answers:
            for mac in answer.macs:
                evidence = [DeviceEvidence(SOURCE, "answered ARP", f"{answer.ip} is at {mac}")]
                if str(answer.ip) == gateway:
                    evidence.append(DeviceEvidence(SOURCE, ROLE_GATEWAY, str(answer.ip)))
                ctx.add_device(
                    Device(
                        id=device_id(mac, str(answer.ip)),
                        ip=str(answer.ip),
                        addresses=(str(answer.ip),),
                        mac=mac,
                        evidence=tuple(evidence),
                        sources=(SOURCE,),
                    )
                )
        hostname = socket.gethostname()[:63]
        ctx.add_device(
            Device(
                id=device_id(own_mac, str(own)),
                ip=str(own),
                addresses=(str(own),),
                mac=own_mac,
                names=(hostname,) if hostname else (),
                evidence=(DeviceEvidence(SOURCE, ROLE_SELF, hostname),),
                sources=(SOURCE,),
            )
        )

    async def _raw_sweep(
        self,
        ctx: ProbeContext,
        iface: str,
        mac: str,
        own: ipaddress.IPv4Address,
        subnet: ipaddress.IPv4Network,
        targets: list[ipaddress.IPv4Address],
    ) -> tuple[list[Answer], int]:
        args = ctx.args_as(ArpSweepArgs)
        ctx.using(_("ARP sweep on {iface}").format(iface=iface))
        tries = max(1, min(args.tries, 3))
        listen = max(0.1, min(args.listen_s, 2.0))
        requests = [(target, build_arp_request(mac, own, target)) for target in targets]
        wanted = set(targets)
        published: set[ipaddress.IPv4Address] = set()

        def sender(frame: bytes) -> ipaddress.IPv4Address | None:
            """The address a reply answers for; a new one asked by us goes to the followers at once."""
            key = reply_sender(frame, subnet=subnet)
            if key is not None and key in wanted and key not in published:
                published.add(key)
                ctx.publish("arp.hosts", str(key))
            return key

        heard = await sweep_in(  # NotPermitted goes up: the caller falls back
            ctx,
            iface,
            requests,
            sender,
            tries=tries,
            retry_wait_s=RETRY_WAIT_S,
            quiet_s=listen,
            deadline_s=max(0.1, ctx.remaining() - 0.5),
            kernel_filter=BPF_ARP,
            max_kept=2 * len(targets) + 64,
        )
        if heard.truncated:
            ctx.limit("arp frames")
        return collect([heard], set(targets))

    async def _unprivileged(
        self,
        ctx: ProbeContext,
        iface: str,
        subnet: ipaddress.IPv4Network,
        targets: list[ipaddress.IPv4Address],
    ) -> list[Answer]:
        ctx.using(_("TCP connection attempts and the OS neighbour table"))
        budget = max(0.5, ctx.remaining() - 2.0)
        await nudge(ctx, targets, budget_s=budget)
        table = await self._neighbours(ctx, iface)
        wanted = set(targets)
        return [Answer(ip, (mac,)) for ip, mac in sorted(table.items()) if ip in wanted and ip in subnet]

    @staticmethod
    async def _neighbours(ctx: ProbeContext, iface: str) -> dict[ipaddress.IPv4Address, str]:
        from homediag.net.os.arp_a import parse_arp_a
        from homediag.net.os.ip_neigh import parse_ip_neigh
        from homediag.net.os.proc_net_arp import parse_proc_net_arp

        found: dict[ipaddress.IPv4Address, str] = {}
        if ctx.which("ip") is not None:
            argv = ["ip", "-4", "neigh", "show"] + (["dev", iface] if iface else [])
            result = await ctx.run_command(argv, timeout_s=3.0)
            if result.ok:
                try:
                    for entry in parse_ip_neigh(result.stdout):
                        if isinstance(entry.ip, ipaddress.IPv4Address) and entry.answered and entry.mac:
                            found[entry.ip] = entry.mac
                    return found
                except ParseError:
                    pass
        if ctx.which("arp") is not None:
            result = await ctx.run_command(["arp", "-a"], timeout_s=3.0)
            try:
                entries = parse_arp_a(result.stdout)
            except ParseError as exc:
                raise ProbeFailure(_("cannot read the neighbour table: {error}").format(error=exc)) from None
            for item in entries:
                if item.mac is not None and (item.interface in (None, iface)):
                    found[item.ip] = item.mac
            return found
        # Neither 'ip' nor 'arp' (a minimal container, a router's BusyBox without them): the kernel's
        # own table is a file on Linux.
        text = ctx.system.read_text("/proc/net/arp")
        if text is None:
            raise ProbeFailure(
                _("no neighbour table to read: neither 'ip' nor 'arp' is available, nor /proc/net/arp")
            )
        try:
            rows = parse_proc_net_arp(text)
        except ParseError as exc:
            raise ProbeFailure(_("cannot read the neighbour table: {error}").format(error=exc)) from None
        for row in rows:
            if row.complete and row.mac is not None and (not iface or row.device == iface):
                found[row.ip] = row.mac
        return found


async def nudge(ctx: ProbeContext, targets: list[ipaddress.IPv4Address], *, budget_s: float) -> None:
    """Attempt a TCP connection (``ctx.tcp()``) to port 80 of each target, paced, so the OS resolves it
    by ARP."""
    semaphore = asyncio.Semaphore(MAX_CONCURRENT_CONNECTS)
    started = time.monotonic()
    # The OS asks ARP as soon as a connection is attempted and keeps the answer in its table: there is
    # no need to wait for the connection itself, so each attempt is abandoned after half a second.
    timeout = min(CONNECT_TIMEOUT_S, budget_s)

    async def one(target: ipaddress.IPv4Address) -> None:
        async with semaphore:
            await ctx.tcp().connect(str(target), CONNECT_PORT, timeout)

    tasks: list[asyncio.Task[None]] = []
    try:
        for index, target in enumerate(targets):
            due = started + index / MAX_CONNECTS_PER_S
            delay = due - time.monotonic()
            if due - started > budget_s:
                break
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(target)))
        if tasks:
            await asyncio.wait(tasks, timeout=max(0.1, budget_s - (time.monotonic() - started)))
    finally:
        for task in tasks:
            task.cancel()
