"""``devices.admin_page``: a router's (or NAS's) admin page: title, maker, and whether it needs TLS.

Safe: a GET of ``http://<ip>/`` without following redirects (a redirect to ``https`` is what a safe
admin page does), one more GET when it redirects to plain ``http`` on the same host, and a GET of
``https://<ip>/`` whose certificate is read, not checked (home routers use self-signed ones). Each
request is capped at 64 KiB and 5 s in total. Never logs in, never sends a form.

Recorded per device: what plain HTTP does (``page``: a page is served in the clear, ``redirect-https``,
``redirect-http``, ``none``), whether HTTPS answers, the page title and the ``Server`` header.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

from homediag.core.devices import subject_of
from homediag.core.facts import Fact, Privacy
from homediag.core.http import HttpError, HttpResponse
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import DeviceMatcher, ProbeSpec, Risk
from homediag.net.text import text

MAX_PAGE = 64 * 1024
TIMEOUT_S = 5.0
_TITLE = re.compile(rb"<title[^>]*>(.{0,512}?)</title>", re.IGNORECASE | re.DOTALL)


def page_title(body: bytes) -> str | None:
    """The text of the first ``<title>`` element (entities decoded, white space folded)."""
    match = _TITLE.search(body[:MAX_PAGE])
    if match is None:
        return None
    title = html.unescape(match.group(1).decode("utf-8", "replace"))
    return text(" ".join(title.split()), 120)


def classify_http(response: HttpResponse, host: str) -> tuple[str, str | None]:
    """What plain HTTP did: ``page``, ``redirect-https``, ``redirect-http`` (with its URL) or ``error``."""
    if response.status in (301, 302, 303, 307, 308):
        location = response.headers.get("location", "")
        target = urljoin(response.url, location)
        parts = urlsplit(target)
        if parts.scheme == "https":
            return "redirect-https", target
        if parts.scheme == "http" and parts.hostname == host:
            return "redirect-http", target
        return "redirect-other", target
    if response.status < 400 or response.status in (401, 403):
        return "page", None
    return "error", None


async def _get(ctx: ProbeContext, url: str, *, tls: bool = False) -> HttpResponse | None:
    try:
        return await ctx.http(
            url,
            timeout_s=TIMEOUT_S,
            max_bytes=MAX_PAGE,
            follow_redirects=False,
            verify_tls=not tls,
            headers={"Accept": "text/html"},
        )
    except (TimeoutError, HttpError):
        return None


class AdminPageProbe(Probe):
    """Router and NAS admin pages."""

    spec = ProbeSpec(
        id="devices.admin_page",
        summary="A router's or NAS's admin page: title, maker, and whether it is served without TLS",
        risk=Risk.SAFE,
        timeout_s=12.0,
        needs=("discovery.devices",),
        provides=(
            Fact(
                "admin.http",
                str,
                "Plain HTTP on port 80: page (served), redirect-https, redirect-http, none (subject: device)",
            ),
            Fact(
                "admin.https",
                bool,
                "An admin page is served over TLS on port 443 (subject: device)",
                not_judged="context for the technician: security.admin_http judges the plain-HTTP page alone",
            ),
            Fact(
                "admin.title",
                str,
                "Title of the admin page (subject: device)",
                privacy=Privacy.PSEUDONYMISE,
                not_judged="identifies the device's maker for the report; nothing to judge",
            ),
            Fact(
                "admin.server",
                str,
                "The Server header of the admin page (subject: device)",
                not_judged="identifies the device's software for the report; nothing to judge",
            ),
        ),
        matchers=(DeviceMatcher(kind="router"), DeviceMatcher(kind="nas")),
        description=(
            "GETs http://<device>/ without following redirects (and once more on a same-host http "
            "redirect) and https://<device>/ with its certificate read but not checked, 64 KiB and 5 s "
            "each, and records whether a page is served over plain HTTP, whether HTTPS answers, the "
            "page title and the Server header. Never logs in or submits anything."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Look at one admin page."""
        device = ctx.target
        if device is None or not device.ip:
            return
        subject = subject_of(device)
        host = device.ip
        plain = await _get(ctx, f"http://{host}/")
        title = server = None
        if plain is None:
            mode, why = "none", _("nothing answers on port 80")
        else:
            mode, target = classify_http(plain, host)
            why = _("port 80: HTTP {status}").format(status=plain.status)
            if mode == "redirect-http" and target is not None:
                follow = await _get(ctx, target)
                if follow is not None and classify_http(follow, host)[0] == "page":
                    plain, mode = follow, "page"
            if mode == "page":
                title = page_title(plain.body)
                why = _("a page is served over plain HTTP: {title}").format(title=title or plain.status)
            elif mode == "redirect-https":
                why = _("port 80 redirects to HTTPS")
            server = text(plain.headers.get("server"), 64)
        secure = await _get(ctx, f"https://{host}/", tls=True)
        https = secure is not None and secure.status < 500
        if secure is not None and title is None:
            title = page_title(secure.body)
        if secure is not None and server is None:
            server = text(secure.headers.get("server"), 64)
        ctx.observe("admin.http", mode, subject=subject, evidence=why)
        ctx.observe(
            "admin.https",
            https,
            subject=subject,
            evidence=_("HTTPS answers") if https else _("no HTTPS admin page"),
        )
        ctx.observe("admin.title", title, subject=subject)
        ctx.observe("admin.server", server, subject=subject)
