"""Parse Linux ``ip neigh`` (iproute2) output, as text or as ``ip -j neigh`` JSON.

Sample::

    192.0.2.1 dev eth0 lladdr 02:00:5e:00:53:01 REACHABLE
    192.0.2.7 dev eth0 lladdr 02:00:5e:00:53:07 STALE
    192.0.2.9 dev eth0 FAILED
    fe80::1 dev eth0 lladdr 02:00:5e:00:53:01 router STALE

Hand-written: jc has no ``ip neigh`` parser. ``dev`` is missing when the command was
``ip neigh show dev eth0``; ``ip -s neigh`` adds ``used A/B/C probes N``, which is read and dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from homediag.net.errors import ParseError
from homediag.net.os._common import (
    IPAddress,
    check_text,
    is_blank,
    iter_lines,
    load_json_array,
    normalise_mac,
    parse_ip,
)


class NeighbourState(StrEnum):
    """Neighbour unreachability detection states of the Linux kernel."""

    PERMANENT = "permanent"
    NOARP = "noarp"
    REACHABLE = "reachable"
    STALE = "stale"
    NONE = "none"
    INCOMPLETE = "incomplete"
    """Resolution in progress: no answer yet."""
    DELAY = "delay"
    PROBE = "probe"
    FAILED = "failed"
    """Resolution failed: the neighbour did not answer."""


@dataclass(frozen=True, slots=True)
class Neighbour:
    """One entry of the neighbour (ARP / NDP) table."""

    ip: IPAddress
    dev: str | None = None
    mac: str | None = None
    states: frozenset[NeighbourState] = frozenset()
    router: bool = False
    """The neighbour announced itself as an IPv6 router."""
    flags: frozenset[str] = frozenset()
    """Other words: ``proxy``, ``extern_learn``, ``offload``..."""

    @property
    def answered(self) -> bool:
        """Whether the neighbour has a link-layer address that is not known to be dead."""
        return self.mac is not None and not self.states & {
            NeighbourState.FAILED,
            NeighbourState.INCOMPLETE,
        }


_STATES = {member.value.upper(): member for member in NeighbourState}
_ONE_ARG = frozenset({"dev", "lladdr", "used", "probes", "nud", "vlan", "vni", "port", "protocol"})


def _parse_line(tokens: list[str]) -> Neighbour | None:
    ip = parse_ip(tokens[0])
    if ip is None:
        return None
    dev: str | None = None
    mac: str | None = None
    states: set[NeighbourState] = set()
    flags: set[str] = set()
    router = False
    index = 1
    while index < len(tokens):
        word = tokens[index]
        if word in _ONE_ARG:
            if index + 1 >= len(tokens):
                return None
            value = tokens[index + 1]
            if word == "dev":
                dev = value
            elif word == "lladdr":
                # 6-byte MACs; 8-byte (FireWire) and 20-byte (InfiniBand) addresses are read but
                # kept out of ``mac``; anything else is a cut-off or garbled line.
                mac = normalise_mac(value)
                if mac is None and normalise_mac(value, octets=(8, 20)) is None:
                    return None
            elif word == "nud" and value.upper() in _STATES:
                states.add(_STATES[value.upper()])
            index += 2
            continue
        upper = word.upper()
        if upper in _STATES:
            states.add(_STATES[upper])
        elif word == "router":
            router = True
        else:
            flags.add(word)
        index += 1
    return Neighbour(ip=ip, dev=dev, mac=mac, states=frozenset(states), router=router, flags=frozenset(flags))


def _json_neighbour(entry: dict[str, Any]) -> Neighbour | None:
    dst = entry.get("dst")
    ip = parse_ip(dst) if isinstance(dst, str) else None
    if ip is None:
        return None
    dev = entry.get("dev")
    lladdr = entry.get("lladdr")
    raw_states = entry.get("state")
    states: set[NeighbourState] = set()
    if isinstance(raw_states, list):
        for item in raw_states:
            if isinstance(item, str) and item.upper() in _STATES:
                states.add(_STATES[item.upper()])
    flags = {key for key in ("proxy", "extern_learn", "offload") if key in entry}
    return Neighbour(
        ip=ip,
        dev=dev if isinstance(dev, str) else None,
        mac=normalise_mac(lladdr) if isinstance(lladdr, str) else None,
        states=frozenset(states),
        router="router" in entry,
        flags=frozenset(flags),
    )


def parse_ip_neigh(text: str) -> list[Neighbour]:
    """Parse ``ip neigh`` output (text, or ``ip -j neigh`` JSON when it starts with ``[``).

    Unreadable lines are skipped; text with no readable line at all raises :class:`ParseError`.
    """
    check_text(text, "ip neigh")
    if is_blank(text):
        return []
    if text.lstrip().startswith("["):
        entries = load_json_array(text, "ip -j neigh")
        found = [
            neighbour
            for entry in entries
            if isinstance(entry, dict) and (neighbour := _json_neighbour(entry)) is not None
        ]
        if entries and not found:
            raise ParseError("ip -j neigh: no entry could be read")
        return found
    neighbours: list[Neighbour] = []
    bad = 0
    for line in iter_lines(text):
        tokens = line.split()
        if not tokens:
            continue
        neighbour = _parse_line(tokens)
        if neighbour is None:
            bad += 1
        else:
            neighbours.append(neighbour)
    if not neighbours and bad:
        raise ParseError("ip neigh: no line could be read")
    return neighbours
