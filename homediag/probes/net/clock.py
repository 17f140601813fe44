"""``net.clock``: how far this computer's clock is off, from the ``Date`` header of an HTTP answer.

Safe: one HTTP GET of the first ``internet.http_checks`` URL (the connectivity check, which any
computer sends). A clock days or years off makes every HTTPS site fail its certificate check, which
looks exactly like "no internet" while the network is fine. The offset is the server's ``Date``
(RFC 9110, second resolution) minus this computer's time in the middle of the request, so it is
meaningful to about a second plus the request's time; homediag cares about hours.

An NTP query would be more precise, but would need a raw UDP socket to a time server that many
networks block; the connectivity check goes where the other checks go anyway.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from homediag.core.errors import NotApplicable, ProbeFailure
from homediag.core.facts import Fact
from homediag.core.http import HttpError
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import ProbeSpec, Risk


def http_date(value: str | None) -> datetime | None:
    """The time of an HTTP ``Date`` header (IMF-fixdate or the obsolete forms), or None."""
    if not value or len(value) > 64:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class ClockProbe(Probe):
    """The offset of this computer's clock."""

    spec = ProbeSpec(
        id="net.clock",
        summary="How far this computer's clock is off (from the Date of an HTTP answer)",
        risk=Risk.SAFE,
        timeout_s=6.0,
        provides=(
            Fact("clock.offset_s", float, "This computer's clock minus the server's time", unit="s"),
            Fact(
                "clock.reference",
                str,
                "Where the reference time came from (a URL)",
                not_judged="evidence detail of clock.offset_s, which is judged",
            ),
        ),
        description=(
            "Sends one HTTP GET to the connectivity check URL and compares its Date header with this "
            "computer's clock. Second resolution; meant to find clocks hours or years off."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Fetch the check URL and compare its Date with the local clock."""
        urls = list(ctx.config.internet.http_checks)
        if not urls:
            raise NotApplicable(_("no HTTP check is configured"))
        url = str(urls[0])
        before = time.time()
        try:
            response = await ctx.http(url, timeout_s=min(4.0, ctx.remaining()), max_bytes=4096)
        except HttpError as exc:
            raise ProbeFailure(_("no answer from {url}: {error}").format(url=url, error=exc)) from None
        after = time.time()
        headers = {key.casefold(): value for key, value in response.headers.items()}
        server = http_date(headers.get("date"))
        if server is None:
            raise ProbeFailure(_("the answer of {url} has no usable Date header").format(url=url))
        local = datetime.fromtimestamp((before + after) / 2, tz=UTC)
        offset = round((local - server).total_seconds(), 1)
        ctx.observe(
            "clock.offset_s",
            offset,
            evidence=_("this computer's clock is {offset:+.0f} s off the time of {url}").format(
                offset=offset, url=url
            ),
        )
        ctx.observe("clock.reference", url)
