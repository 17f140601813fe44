"""The network map of the HTML report: this computer, the router, the internet, the devices by kind.

The faulty hop or device is marked, from the problem codes of the confirmed and likely findings: a
link, address or Wi-Fi problem marks the hop between this computer and the router; a router or LAN
problem the router; an internet or DNS problem the hop to the internet; a device problem the device
named in the finding's subject (or every device of the kind the code is about).
"""

from __future__ import annotations

from collections.abc import Iterable

from homediag.core.i18n import _
from homediag.core.model import Device, DeviceKind, Finding, Report
from homediag.reports.sanitize import inert
from homediag.reports.summary import device_label, kind_label
from homediag.reports.svg import Figure, Shape, shape

WIDTH = 720
MAX_DEVICES = 12

_CLIENT_LINK = ("link.", "dhcp.", "ip.", "wifi.", "lan.packet-loss", "dns.no-resolver")
_ROUTER = ("gateway.", "lan.client-isolation", "lan.multicast-blocked", "lan.subnet-mismatch")
_INTERNET = ("wan.", "dns.", "ipv6.", "upnp.")
_DEVICE_KINDS = {"printer.": DeviceKind.PRINTER}


def faults(findings: Iterable[Finding]) -> tuple[set[str], set[str]]:
    """Which parts to mark: hops (``client-router``, ``router-internet``) and nodes (``router``,
    ``internet``, ``device:<id>``, ``kind:<kind>``)."""
    hops: set[str] = set()
    nodes: set[str] = set()
    for finding in findings:
        if not finding.status.is_problem:
            continue
        codes = finding.members or (finding.code,)
        for code in codes:
            if code.startswith(_CLIENT_LINK):
                hops.add("client-router")
            elif code.startswith(_ROUTER):
                nodes.add("router")
            elif code.startswith(_INTERNET):
                hops.add("router-internet")
            elif code.startswith(("printer.", "device.", "security.")):
                if finding.subject and finding.subject.startswith("device:"):
                    nodes.add(finding.subject)
                else:
                    for prefix, kind in _DEVICE_KINDS.items():
                        if code.startswith(prefix):
                            nodes.add(f"kind:{kind.value}")
    return hops, nodes


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


def network_map(report: Report) -> Figure:
    """The map of the network as the report saw it."""
    hops, nodes = faults(report.findings)
    router = next((d for d in report.devices if d.kind is DeviceKind.ROUTER), None)
    others = [d for d in report.devices if d is not router]
    others.sort(key=lambda d: (list(DeviceKind).index(d.kind), device_label(d)))
    shapes: list[Shape] = []
    y = 50.0
    client_x, router_x, internet_x = 90.0, WIDTH / 2, WIDTH - 90.0
    interface = report.context.interface or ""
    _hop(shapes, client_x + 62, router_x - 62, y, "client-router" in hops,
         _("this computer to the router"))  # fmt: skip
    _hop(shapes, router_x + 62, internet_x - 62, y, "router-internet" in hops,
         _("the router to the internet"))  # fmt: skip
    _node(shapes, client_x, y, _("this computer"), interface, False)
    router_sub = (router.ip or "") if router is not None else ""
    _node(shapes, router_x, y, _("router"), router_sub, "router" in nodes)
    _node(shapes, internet_x, y, _("internet"), "", "internet" in nodes)
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
        faulty = f"device:{device.id}" in nodes or f"kind:{device.kind.value}" in nodes
        _node(shapes, x, dy, device_label(device), kind_label(device.kind), faulty,
              tip=_device_tip(device))  # fmt: skip
    height = 150.0 + rows * 80.0 if shown else 100.0
    if len(others) > len(shown):
        more = _("and {n} more devices").format(n=len(others) - len(shown))
        shapes.append(shape("text", more, x=WIDTH / 2, y=height - 20, cls="caption", anchor="middle"))
        height += 10
    return Figure(WIDTH, int(height), _("Network map"), tuple(shapes))


def _device_tip(device: Device) -> str:
    parts = [device_label(device), kind_label(device.kind)]
    if device.ip:
        parts.append(inert(device.ip, 46))
    if device.vendor:
        parts.append(inert(device.vendor, 40))
    return " · ".join(parts)
