"""Default routes from ``ip -6 route show`` (Linux iproute2), read with jc's ``ip_route`` parser.

::

    2001:db8:1::/64 dev eth0 proto kernel metric 256 expires 3599sec pref medium
    default via fe80::200:5eff:fe00:5301 dev eth0 proto ra metric 1024 expires 599sec hoplimit 64 pref medium
    default proto static metric 1024 pref medium
            nexthop via fe80::200:5eff:fe00:5301 dev eth0 weight 1

jc reads the plain lines correctly; a multipath route comes back as a ``default`` entry followed by
``nexthop`` entries, which are folded back into their route here. Route types other than unicast
(``unreachable default dev lo ...``) are not usable routes and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultRoute:
    """One usable default route (one per next hop)."""

    via: str | None
    dev: str | None
    proto: str | None
    metric: int | None


def parse_default_routes(text: str) -> list[DefaultRoute]:
    """The unicast default routes in ``ip route`` output, each next hop on its own."""
    import jc

    entries = jc.parse("ip_route", text[:256 * 1024], quiet=True)
    routes: list[DefaultRoute] = []
    current: dict[str, object] | None = None
    for entry in entries if isinstance(entries, list) else []:
        kind = entry.get("ip")
        if kind == "default":
            current = entry
            if entry.get("via") or entry.get("dev"):
                routes.append(_route(entry, entry))
        elif kind == "nexthop" and current is not None:
            routes.append(_route(entry, current))
        else:
            current = None
    return routes


def _route(hop: dict[str, object], route: dict[str, object]) -> DefaultRoute:
    via = hop.get("via")
    dev = hop.get("dev")
    proto = route.get("proto")
    metric = route.get("metric")
    return DefaultRoute(
        via=str(via).split("%", 1)[0] if via else None,
        dev=str(dev) if dev else None,
        proto=str(proto) if proto else None,
        metric=metric if isinstance(metric, int) else None,
    )
