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


TITLE_PX = 8.0
"""Width of a character of a box's title (13 px, bold), generously: wide letters must fit too."""
SUB_PX = 6.5
"""Width of a character of a box's second line (11 px)."""
BOX_MIN, BOX_MAX = 124.0, 176.0
TITLE_LINES = 2
"""A title longer than its widest box wraps onto a second line (and is cut after it)."""


def _wrap(text: str, chars: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of at most ``chars`` characters, broken at spaces where it
    can be (a word longer than a line is cut), the last line ending in ``…`` when text is left over."""
    words = text.split()
    out: list[str] = []
    current = ""
    for whole in words:
        word = whole
        while len(word) > chars:
            if current:
                out.append(current)
                current = ""
            out.append(word[: chars - 1] + "-")
            word = word[chars - 1 :]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= chars:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        last = out[lines - 1]
        out = [*out[: lines - 1], (last[: chars - 1] if len(last) >= chars else last) + "…"]
    return out or [""]


def wanted_width(title: str, subtitle: str) -> float:
    """How wide a box must be for ``title`` and ``subtitle`` on one line each."""
    return max(len(title) * TITLE_PX, len(subtitle) * SUB_PX) + 20


def box_size(title: str, subtitle: str, max_width: float = BOX_MAX) -> tuple[float, list[str], list[str]]:
    """The width of a box for ``title`` and ``subtitle`` (it grows with them, up to ``max_width``) and
    the lines of each (wrapped when they are still too long)."""
    width = max(BOX_MIN, min(max_width, wanted_width(title, subtitle)))
    title_lines = _wrap(title, max(4, int((width - 16) // TITLE_PX)), TITLE_LINES)
    sub_lines = _wrap(subtitle, max(4, int((width - 12) // SUB_PX)), TITLE_LINES) if subtitle else []
    return width, title_lines, sub_lines


def _node(shapes: list[Shape], x: float, y: float, title: str, subtitle: str, faulty: bool,
          tip: str = "", max_width: float = BOX_MAX) -> None:  # fmt: skip
    cls = "node fault" if faulty else "node"
    title, subtitle = inert(title, 60), inert(subtitle, 46)
    width, lines, subs = box_size(title, subtitle, max_width)
    extra = 15.0 * (len(lines) - 1) + 13.0 * max(0, len(subs) - 1)
    top = y - 24 - extra / 2
    shapes.append(shape("rect", x=x - width / 2, y=top, width=width, height=48 + extra, rx=8, cls=cls,
                        title=tip or title))  # fmt: skip
    for index, line in enumerate(lines):
        shapes.append(shape("text", line, x=x, y=top + 21 + 15 * index, cls="node-title", anchor="middle"))
    below = top + 37 + 15.0 * (len(lines) - 1)
    for index, line in enumerate(subs):
        shapes.append(shape("text", line, x=x, y=below + 13 * index, cls="node-sub", anchor="middle"))
    if faulty:
        shapes.append(shape("circle", cx=x + width / 2 - 4, cy=top + 2, r=10, cls="fault-badge"))
        shapes.append(shape("text", "!", x=x + width / 2 - 4, y=top + 7, cls="fault-mark", anchor="middle"))


def _hop(shapes: list[Shape], x1: float, x2: float, y: float, faulty: bool, label: str) -> None:
    """The line between two boxes of the top row (drawn from centre to centre, under the boxes)."""
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
    to_router, to_internet = say(N_("this computer to the router")), say(N_("the router to the internet"))
    _hop(shapes, client_x, router_x, y, CLIENT_ROUTER in broken.hops, to_router)
    _hop(shapes, router_x, internet_x, y, ROUTER_INTERNET in broken.hops, to_internet)
    _node(shapes, client_x, y, say(N_("this computer")), interface or "", False)
    router_sub = router.ip or "" if router is not None else ""
    _node(shapes, router_x, y, say(N_("router")), router_sub, broken.router)
    _node(shapes, internet_x, y, say(N_("internet")), "", False)
    shown = others[:MAX_DEVICES]
    per_row = 4  # three when a label would not fit beside three others (German and French kinds are long)
    if any(wanted_width(label(d), kind_label(d)) > WIDTH / 5 - 10 for d in shown):
        per_row = 3
    rows = (len(shown) + per_row - 1) // per_row
    places = []
    for index, device in enumerate(shown):
        row, col = divmod(index, per_row)
        count = min(per_row, len(shown) - row * per_row)
        spacing = WIDTH / (count + 1)
        places.append((device, spacing * (col + 1), 150.0 + row * 90.0, spacing))
    boxes: list[Shape] = []
    for device, x, dy, spacing in places:  # every line first: no line crosses a box
        shapes.insert(0, shape("line", x1=router_x, y1=y + 24, x2=x, y2=dy - 24, cls="lan"))
        _node(boxes, x, dy, label(device), kind_label(device), device.id in broken.devices,
              tip=_device_tip(device, label, kind_label), max_width=min(BOX_MAX, spacing - 10))  # fmt: skip
    shapes += boxes
    height = 150.0 + rows * 90.0 if shown else 100.0
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
