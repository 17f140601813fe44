"""The rich device table (``homediag scan`` and the terminal summary's device section).

On a terminal narrower than :data:`NARROW` columns, six columns leave no room for an address: the
devices are then listed one per block instead (address, MAC and kind first, the rest below), so
nothing that identifies a device is cut off.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from homediag.reports.view import DeviceRow, Labels

NARROW = 90
"""Below this width the devices are listed, not tabled."""


class DevicesTable:
    """The devices as a table, or as a list on a narrow terminal (a rich renderable)."""

    def __init__(self, rows: Sequence[DeviceRow], title: str, labels: Labels) -> None:
        self.rows, self.title, self.labels = tuple(rows), title, labels

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The table when it fits, else one block per device."""
        if options.max_width >= NARROW:
            yield _table(self.rows, self.title, self.labels)
            return
        yield Text(self.title, style="italic")
        for row in self.rows:
            head = Text("  ")
            head.append(row.address, style="bold")
            for part in (row.mac + (" *" if row.random_mac else ""), row.kind):
                if part:
                    head.append("  " + part)
            yield head
            details = (", ".join(row.names), row.vendor, ", ".join(row.services[:5]))
            for part in filter(None, details):
                yield Text("    " + _clip(part, 200), overflow="fold")


def devices_table(rows: Sequence[DeviceRow], title: str, labels: Labels) -> DevicesTable:
    """The devices of ``rows``: address, MAC (``*``: a random one), vendor, kind, names, services."""
    return DevicesTable(rows, title, labels)


def _table(rows: Sequence[DeviceRow], title: str, labels: Labels) -> Table:
    table = Table(title=escape(title), title_justify="left")
    table.add_column(escape(labels.address))
    table.add_column(escape(labels.mac_short))
    table.add_column(escape(labels.vendor))
    table.add_column(escape(labels.kind))
    table.add_column(escape(labels.names))
    table.add_column(escape(labels.services), style="dim")
    for row in rows:
        table.add_row(
            escape(_clip(row.address, 46)),
            escape(_clip(row.mac, 17)) + (" *" if row.random_mac else ""),
            escape(_clip(row.vendor, 40)),
            escape(row.kind),
            escape(_clip(", ".join(row.names), 60)),
            escape(_clip(", ".join(row.services[:5]), 60)),
        )
    return table


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters for the terminal's columns (the other formats show it all)."""
    return text if len(text) <= width else text[: width - 1] + "…"
