"""The network map of the HTML report: this computer, the router, the internet, the devices by kind.

The view builder (:mod:`homediag.reports.compose`) draws it. What is marked broken comes from
:func:`homediag.reports.focus.broken_parts`: only what a confirmed or likely *fault*, judged from
measured evidence, says is broken — the hop between this computer and the router, the router, the hop
to the internet, or a device. Advisories, double NAT and carrier-grade NAT mark nothing: the internet
works through them. The devices the findings name come first, so the cut at :data:`MAX_DEVICES` never
hides them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from homediag.core.i18n import N_
from homediag.core.model import Device, DeviceKind
from homediag.reports.focus import CLIENT_ROUTER, ROUTER_INTERNET, Broken
from homediag.reports.sanitize import inert
from homediag.reports.svg import Figure, Shape, shape
from homediag.reports.texts import Say

WIDTH = 720
MAX_DEVICES = 12

DeviceLabel = Callable[[Device], str]


def _node(shapes: list[Shape], x: float, y: float, title: str, subtitle: str, faulty: bool,
          tip: str = "") -> None:  # fmt: skip
    cls = "node fault" if faulty else "node"
    shapes.append(shape("rect", x=x - 62, y=y - 24, width=124, height=48, rx=8, cls=cls, title=tip or title))
    shapes.append(shape("text", inert(title, 22), x=x, y=y - 3, cls="node-title", anchor="middle"))
    if subtitle:
        shapes.append(shape("text", inert(subtitle, 24), x=x, y=y + 13, cls="node-sub", anchor="middle"))
    if faulty:
        shapes.append(shape("circle", cx=x + 58, cy=y - 22, r=10, cls="fault-badge"))
        shapes.append(shape("text", "!", x=x + 58, y=y - 17, cls="fault-mark", anchor="middle"))


def _hop(shapes: list[Shape], x1: float, x2: float, y: float, faulty: bool, label: str) -> None:
    shapes.append(shape("line", x1=x1, y1=y, x2=x2, y2=y, cls="hop fault" if faulty else "hop", title=label))
    if faulty:
        mid = (x1 + x2) / 2
        shapes.append(shape("text", "✕", x=mid, y=y + 7, cls="fault-mark big", anchor="middle"))


def network_map(
    devices: Sequence[Device],
    broken: Broken,
    say: Say,
    *,
    interface: str | None,
    label: DeviceLabel,
    kind_label: DeviceLabel,
    first: frozenset[str] = frozenset(),
) -> Figure:
    """The map of the network as the report saw it (``first``: ids of the devices to place first)."""
    router = next((d for d in devices if d.kind is DeviceKind.ROUTER), None)
    others = [d for d in devices if d is not router]
    others.sort(key=lambda d: (d.id not in first and d.id not in broken.devices,
                               list(DeviceKind).index(d.kind), label(d)))  # fmt: skip
    shapes: list[Shape] = []
    y = 50.0
    client_x, router_x, internet_x = 90.0, WIDTH / 2, WIDTH - 90.0
    _hop(shapes, client_x + 62, router_x - 62, y, CLIENT_ROUTER in broken.hops,
         say(N_("this computer to the router")))  # fmt: skip
    _hop(shapes, router_x + 62, internet_x - 62, y, ROUTER_INTERNET in broken.hops,
         say(N_("the router to the internet")))  # fmt: skip
    _node(shapes, client_x, y, say(N_("this computer")), inert(interface or "", 24), False)
    router_sub = inert(router.ip or "", 46) if router is not None else ""
    _node(shapes, router_x, y, say(N_("router")), router_sub, broken.router)
    _node(shapes, internet_x, y, say(N_("internet")), "", False)
    shown = others[:MAX_DEVICES]
    per_row = 4
    rows = (len(shown) + per_row - 1) // per_row
    for index, device in enumerate(shown):
        row, col = divmod(index, per_row)
        count = min(per_row, len(shown) - row * per_row)
        spacing = WIDTH / (count + 1)
        x = spacing * (col + 1)
        dy = 150.0 + row * 80.0
        shapes.append(shape("line", x1=router_x, y1=y + 24, x2=x, y2=dy - 24, cls="lan"))
        _node(shapes, x, dy, label(device), kind_label(device), device.id in broken.devices,
              tip=_device_tip(device, label, kind_label))  # fmt: skip
    height = 150.0 + rows * 80.0 if shown else 100.0
    if len(others) > len(shown):
        more = say(N_("and {n} more devices")).format(n=len(others) - len(shown))
        shapes.append(shape("text", more, x=WIDTH / 2, y=height - 20, cls="caption", anchor="middle"))
        height += 10
    return Figure(WIDTH, int(height), say(N_("Network map")), tuple(shapes))


def _device_tip(device: Device, label: DeviceLabel, kind_label: DeviceLabel) -> str:
    parts = [label(device), kind_label(device)]
    if device.ip:
        parts.append(inert(device.ip, 46))
    if device.vendor:
        parts.append(inert(device.vendor, 40))
    return " · ".join(parts)
