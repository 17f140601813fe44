"""Small bounded JSON fetches from LAN devices (a Hue bridge's config, a cast device's info).

One GET through ``ctx.http`` (total deadline, byte cap), no redirects, decoded as a JSON object; every
way it can fail becomes :class:`FetchFailed` with a one-line reason for the evidence.
"""

from __future__ import annotations

import json
from typing import Any

from homediag.core.http import HttpError
from homediag.core.i18n import _
from homediag.core.probe import ProbeContext

MAX_JSON_BYTES = 64 * 1024
JSON_TIMEOUT_S = 4.0


class FetchFailed(Exception):
    """A JSON endpoint gave no usable answer; the message says why (for the evidence line)."""


async def fetch_json(ctx: ProbeContext, url: str, *, timeout_s: float = JSON_TIMEOUT_S) -> dict[str, Any]:
    """GET ``url`` (no redirects, 64 KiB, total deadline) and decode a JSON object."""
    try:
        response = await ctx.http(
            url,
            timeout_s=timeout_s,
            max_bytes=MAX_JSON_BYTES,
            follow_redirects=False,
            headers={"Accept": "application/json"},
        )
    except TimeoutError:
        raise FetchFailed(_("no complete answer within {s:g} s").format(s=timeout_s)) from None
    except HttpError as exc:
        raise FetchFailed(str(exc)[:160]) from None
    if response.status != 200:
        raise FetchFailed(_("HTTP {status}").format(status=response.status))
    if response.truncated:
        raise FetchFailed(_("the answer is larger than 64 KiB"))
    try:
        data = json.loads(response.body.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        raise FetchFailed(_("the answer is not JSON")) from None
    if not isinstance(data, dict):
        raise FetchFailed(_("the answer is not a JSON object"))
    return data
