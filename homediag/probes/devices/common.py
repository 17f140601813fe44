"""What device probes share: subjects, TXT lookups, small bounded JSON fetches, summary helpers."""

from __future__ import annotations

import json
from typing import Any

from homediag.core.http import HttpError
from homediag.core.i18n import _
from homediag.core.model import Device, Service
from homediag.core.probe import ProbeContext

MAX_JSON_BYTES = 64 * 1024
JSON_TIMEOUT_S = 4.0


def subject_of(device: Device) -> str:
    """The observation subject of a device: ``device:<id>``."""
    return f"device:{device.id}"


def service(device: Device, service_type: str) -> Service | None:
    """The device's first service of ``service_type`` (``_hap._tcp``), if any."""
    wanted = service_type.rstrip(".").removesuffix(".local")
    for item in device.services:
        if item.type.rstrip(".").removesuffix(".local") == wanted:
            return item
    return None


def dicts(value: object) -> list[dict[str, Any]]:
    """The dict items of a list fact value (anything else is skipped)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


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


def text(value: object, limit: int = 128) -> str | None:
    """A short printable string of a JSON value, or None."""
    if value is None or isinstance(value, dict | list):
        return None
    out = "".join(ch for ch in str(value) if ch.isprintable())[:limit]
    return out or None


def answered_by_unicast(entry: dict[str, Any]) -> bool:
    """Whether a ``discovery.devices`` entry answered something sent to it alone (ARP, unicast)."""
    return bool({"arp", "unicast"} & set(entry.get("seen_by") or []))


def announced(entry: dict[str, Any]) -> bool:
    """Whether a ``discovery.devices`` entry was heard by multicast (mDNS or SSDP)."""
    return bool({"mdns", "ssdp"} & set(entry.get("seen_by") or []))
