"""The HTML report: one self-contained file that opens offline in any browser and prints well.

It formats a :class:`~homediag.reports.view.ReportView` with jinja2 and autoescaping, and nothing else.
It has no script and loads nothing: styles are inline, the network map and charts are the inline SVG
figures of the view, and a Content-Security-Policy forbids everything else. Every string of the view is
inert already; the template escapes it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from homediag.reports.view import ReportView

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("homediag.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def render_html(view: ReportView) -> str:
    """The HTML report of ``view``."""
    return str(_environment().get_template("report.html.j2").render(v=view, L=view.labels, csp=CSP))
