"""The device table (``homediag scan`` and the reports' device sections)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table

from homediag.core.i18n import _
from homediag.core.model import Device
from homediag.reports.sanitize import inert
from homediag.reports.summary import kind_label


def devices_table(devices: Sequence[Device]) -> Table:
    """A rich table: address, MAC, vendor, kind, names, services."""
    table = Table(title=_("Devices ({n})").format(n=len(devices)), title_justify="left")
    table.add_column(_("Address"))
    table.add_column(_("MAC"))
    table.add_column(_("Vendor"))
    table.add_column(_("Kind"))
    table.add_column(_("Names"))
    table.add_column(_("Services"), style="dim")
    for device in devices:
        table.add_row(
            escape(inert(device.ip or "", 46)),
            escape(inert(device.mac or "", 17)) + (" *" if device.random_mac else ""),
            escape(inert(device.vendor or "", 40)),
            escape(kind_label(device.kind)),
            escape(inert(", ".join(device.names[:3]), 60)),
            escape(inert(", ".join(sorted({s.type for s in device.services})[:5]), 60)),
        )
    return table
