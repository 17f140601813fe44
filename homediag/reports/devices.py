"""The rich device table (``homediag scan`` and the terminal summary's device section)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table

from homediag.reports.view import DeviceRow, Labels


def devices_table(rows: Sequence[DeviceRow], title: str, labels: Labels) -> Table:
    """A rich table of ``rows``: address, MAC (``*``: a random one), vendor, kind, names, services."""
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
