"""SSDP search and UPnP descriptions: the protocol, shared by every probe that looks for UPnP devices.

A search sends ``M-SEARCH`` to 239.255.255.250:1900 from the session's interface address (multicast TTL 2,
``MX: 1``, again 0.25 s later) and listens until ``MX`` seconds and a margin after the last search for
the unicast answers:

```
HTTP/1.1 200 OK
CACHE-CONTROL: max-age=120
ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1
USN: uuid:00000000-0000-0000-0000-000000000001::urn:schemas-upnp-org:device:InternetGatewayDevice:1
LOCATION: http://192.0.2.1:5000/rootDesc.xml
SERVER: Linux/5.10 UPnP/1.1 MiniUPnPd/2.3.1
EXT:
```

Every datagram is hostile (docs/hostile-input.md#where-a-devices-answer-may-lead-us): answers over 8 KiB,
with too many header lines or without
the ``HTTP/1.1 200 OK`` status line are counted and dropped; at most 256 distinct LOCATIONs are kept. A
LOCATION is fetched only when its host is an IPv4 literal equal to the datagram's sender and inside the
local subnet, with scheme http or https (no names: DNS rebinding; no loopback; no other host: SSRF).
Descriptions are fetched with ``ctx.http`` (1 MiB cap, per-fetch and total deadlines, at most 4 at a time)
and parsed in ``ctx.parse_untrusted`` (:mod:`homediag.net.upnp.description`).

Public surface, for discovery and device probes:

- :func:`search` -> :class:`SearchResult` (responses: USN, ST, LOCATION, SERVER, sender);
- :func:`describe` -> :class:`Described` per LOCATION (the parsed :class:`DeviceDescription` or why not);
- :func:`parse_response`, :func:`check_location`, :func:`build_msearch`: the pure parts.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from homediag.core.http import HttpError
from homediag.core.probe import ProbeContext
from homediag.core.worker import WorkerError
from homediag.net.asking import Asking, Targets
from homediag.net.errors import ParseError
from homediag.net.upnp.description import DeviceDescription, parse_description

SSDP_GROUP = "239.255.255.250"
SSDP_PORT = 1900
DEFAULT_MX = 1
"""Devices answer within MX seconds (a random delay up to it); 1 is the least UDA allows, and homes
have few enough UPnP devices that the answers do not need spreading over longer."""
RESEND_AFTER_S = 0.25
"""The searches go out again this long after the first (multicast is lossy)."""
LATE_MARGIN_S = 0.4
"""Listening goes on this long after the last search's MX (the answers' way back, a busy device)."""
MULTICAST_TTL = 2
MAX_RESPONSE_BYTES = 8 * 1024
MAX_HEADER_LINES = 32
MAX_HEADER_VALUE = 1024
MAX_DATAGRAMS = 4096
"""Datagrams considered in one search; later ones are not read."""
MAX_RESPONSES = 2048
"""Distinct (sender, ST, USN, LOCATION) answers kept."""
MAX_LOCATIONS = 256
MAX_FETCHES = 4
"""Descriptions fetched at the same time."""
FETCH_TIMEOUT_S = 5.0
"""Total deadline of one description fetch, body included."""
DESCRIBE_BUDGET_S = 10.0
"""Total deadline of all description fetches of one search."""
MAX_DESCRIPTION_BYTES = 1024 * 1024
PARSE_TIMEOUT_S = 2.0

ST_ALL = "ssdp:all"
ST_IGD = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"


class SsdpParseError(ParseError):
    """A datagram is not an SSDP search answer (or breaks a cap)."""


class LocationRefused(ValueError):
    """A LOCATION that homediag will not fetch; the message says why."""


@dataclass(frozen=True)
class SsdpResponse:
    """One answer to an M-SEARCH."""

    sender: ipaddress.IPv4Address
    st: str | None
    usn: str | None
    location: str | None
    server: str | None


@dataclass(frozen=True)
class LocationAnomaly:
    """A LOCATION that was refused, with the reason."""

    sender: ipaddress.IPv4Address
    location: str
    reason: str


@dataclass(frozen=True)
class SearchResult:
    """What one search heard, with counts of what it dropped."""

    responses: tuple[SsdpResponse, ...]
    datagrams: int = 0
    malformed: int = 0
    """Datagrams that were not valid answers (bad status line, too many headers...)."""
    oversized: int = 0
    outside_subnet: int = 0
    """Answers from senders outside the local subnet (ignored)."""
    truncated: bool = False
    """A cap was hit (datagrams, answers or LOCATIONs)."""

    @property
    def senders(self) -> tuple[ipaddress.IPv4Address, ...]:
        """Distinct senders, in order of first answer."""
        return tuple(dict.fromkeys(r.sender for r in self.responses))

    def by_location(self) -> dict[str, tuple[SsdpResponse, ...]]:
        """Answers grouped by LOCATION (answers without one are left out).

        When the LOCATION's own host answered with it, answers from other senders that claim the same
        LOCATION are left out (see :meth:`foreign_claims`): a device on the LAN must not be able to
        have another device's description refused by announcing its LOCATION first.
        """
        grouped: dict[str, list[SsdpResponse]] = {}
        for response in self.responses:
            if response.location is not None:
                grouped.setdefault(response.location, []).append(response)
        out: dict[str, tuple[SsdpResponse, ...]] = {}
        for location, found in grouped.items():
            own = [r for r in found if _location_host(location) == str(r.sender)]
            out[location] = tuple(own or found)
        return out

    def foreign_claims(self) -> list[LocationAnomaly]:
        """Answers that gave the LOCATION of another device which answered with it too."""
        anomalies: list[LocationAnomaly] = []
        kept = self.by_location()
        for response in self.responses:
            location = response.location
            if location is None or response in kept.get(location, ()):
                continue
            anomalies.append(
                LocationAnomaly(response.sender, location[:200], "another device's LOCATION (not fetched)")
            )
        return anomalies


def _location_host(location: str) -> str | None:
    try:
        return urlsplit(location).hostname
    except ValueError:
        return None


@dataclass(frozen=True)
class Described:
    """One LOCATION: the answers that named it, and its description or why there is none."""

    location: str
    sender: ipaddress.IPv4Address
    responses: tuple[SsdpResponse, ...]
    description: DeviceDescription | None = None
    error: str | None = None
    """Why there is no description: refused LOCATION, HTTP error, timeout, refused XML."""
    refused: bool = False
    """The LOCATION itself was refused (never fetched)."""
    fetch_ms: float | None = None


@dataclass
class _Collector:
    subnet: ipaddress.IPv4Network
    responses: dict[tuple[object, ...], SsdpResponse] = field(default_factory=dict)
    locations: set[str] = field(default_factory=set)
    datagrams: int = 0
    malformed: int = 0
    oversized: int = 0
    outside: int = 0
    truncated: bool = False

    def add(self, data: bytes, sender: str) -> None:
        self.datagrams += 1
        try:
            address = ipaddress.IPv4Address(sender)
        except ValueError:
            self.malformed += 1
            return
        if address not in self.subnet:
            self.outside += 1
            return
        if len(data) > MAX_RESPONSE_BYTES:
            self.oversized += 1
            return
        try:
            response = parse_response(data, address)
        except SsdpParseError:
            self.malformed += 1
            return
        key = (response.sender, response.st, response.usn, response.location)
        if key in self.responses:
            return
        if len(self.responses) >= MAX_RESPONSES:
            self.truncated = True
            return
        if response.location is not None and response.location not in self.locations:
            if len(self.locations) >= MAX_LOCATIONS:
                self.truncated = True
                return
            self.locations.add(response.location)
        self.responses[key] = response

    def result(self) -> SearchResult:
        return SearchResult(
            responses=tuple(self.responses.values()),
            datagrams=self.datagrams,
            malformed=self.malformed,
            oversized=self.oversized,
            outside_subnet=self.outside,
            truncated=self.truncated,
        )


def build_msearch(st: str = ST_ALL, mx: int = DEFAULT_MX) -> bytes:
    """The M-SEARCH request for search target ``st``."""
    lines = [
        "M-SEARCH * HTTP/1.1",
        f"HOST: {SSDP_GROUP}:{SSDP_PORT}",
        'MAN: "ssdp:discover"',
        f"MX: {int(mx)}",
        f"ST: {st}",
        "USER-AGENT: homediag UPnP/1.1 homediag/1",
        "",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")


def parse_response(data: bytes, sender: ipaddress.IPv4Address) -> SsdpResponse:
    """Parse one answer to an M-SEARCH; raise ``SsdpParseError`` for anything else."""
    if len(data) > MAX_RESPONSE_BYTES:
        raise SsdpParseError("datagram larger than 8 KiB")
    text = data.decode("utf-8", "replace")
    lines = text.replace("\r\n", "\n").split("\n")
    status = lines[0].strip().upper().split()
    if len(status) < 2 or status[0] not in ("HTTP/1.1", "HTTP/1.0") or status[1] != "200":
        raise SsdpParseError("not an HTTP 200 answer")
    headers: dict[str, str] = {}
    count = 0
    for line in lines[1:]:
        if not line.strip():
            continue
        count += 1
        if count > MAX_HEADER_LINES:
            raise SsdpParseError(f"more than {MAX_HEADER_LINES} header lines")
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key = name.strip().upper()
        if key and key not in headers:
            headers[key] = _clean(value)
    st, usn = headers.get("ST") or None, headers.get("USN") or None
    if st is None and usn is None:
        raise SsdpParseError("neither ST nor USN")
    return SsdpResponse(
        sender=sender,
        st=st,
        usn=usn,
        location=headers.get("LOCATION") or None,
        server=headers.get("SERVER") or None,
    )


def _clean(value: str) -> str:
    return "".join(ch for ch in value.strip() if ch.isprintable())[:MAX_HEADER_VALUE]


def check_location(location: str, sender: ipaddress.IPv4Address, subnet: ipaddress.IPv4Network) -> str:
    """Return ``location`` when it may be fetched; raise ``LocationRefused`` with the reason otherwise.

    Allowed only: http(s), no credentials, the host an IPv4 literal in dotted-quad form (no names, no
    ``127.1``/``2130706433``/``0x7f.1`` forms, no IPv6), equal to ``sender`` and inside ``subnet``,
    never loopback, unspecified, multicast or link-local.
    """
    if len(location) > MAX_HEADER_VALUE:
        raise LocationRefused("LOCATION too long")
    try:
        parts = urlsplit(location)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise LocationRefused("malformed URL") from None
    if parts.scheme not in ("http", "https"):
        raise LocationRefused(f"scheme {parts.scheme or 'none'!r} is not http")
    if "@" in parts.netloc:
        raise LocationRefused("credentials in the URL")
    if not host:
        raise LocationRefused("no host")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise LocationRefused("host is a name, not an IP address (names are never fetched)") from None
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped
        if mapped is not None and (mapped.is_loopback or mapped.is_unspecified):
            raise LocationRefused("loopback address")
        raise LocationRefused("IPv6 host: not in the local IPv4 subnet")
    if address.is_loopback:
        raise LocationRefused("loopback address")
    if address.is_unspecified or address.is_multicast:
        raise LocationRefused("not a unicast address")
    if address.is_link_local and not subnet.is_link_local:
        raise LocationRefused("link-local address (cloud metadata range)")
    if address != sender:
        raise LocationRefused("host is not the address that answered")
    if address not in subnet:
        raise LocationRefused("host outside the local subnet")
    return location


async def search(
    ctx: ProbeContext,
    interface_ip: ipaddress.IPv4Address,
    subnet: ipaddress.IPv4Network,
    *,
    targets: Sequence[str] = (ST_ALL,),
    mx: int = DEFAULT_MX,
    listen_s: float | None = None,
    repeat: bool = True,
) -> SearchResult:
    """Search from ``interface_ip`` and listen for answers: until MX seconds (plus a margin) after the
    last search, or ``listen_s``. A device may wait any time up to MX before it answers, so no quiet
    spell can end the listening earlier.

    Each target is sent once, and again 0.25 s later when ``repeat`` (multicast is lossy). Raises
    ``OSError`` when the socket cannot be opened on that address or no search could be sent.
    """
    mx = max(1, min(int(mx), 5))
    last_search = RESEND_AFTER_S if repeat else 0.0
    window = last_search + mx + LATE_MARGIN_S if listen_s is None else max(0.1, listen_s)
    collector = _Collector(subnet)
    sock = ctx.udp().open(bind=str(interface_ip), multicast_if=str(interface_ip), multicast_ttl=MULTICAST_TTL)
    started = time.monotonic()
    try:
        requests = [build_msearch(st, mx) for st in targets]
        failure: OSError | None = None
        sent = 0
        for request in requests:
            try:
                await sock.send(request, SSDP_GROUP, SSDP_PORT)
                sent += 1
            except OSError as exc:  # e.g. no route for multicast on this interface
                failure = exc
        if sent == 0 and failure is not None:
            raise failure  # nothing went out: "nobody answered" would be a lie
        resend_at = started + RESEND_AFTER_S if repeat else None
        while True:
            now = time.monotonic()
            remaining = started + window - now
            if remaining <= 0:
                break
            if collector.datagrams >= MAX_DATAGRAMS:
                collector.truncated = True
                break
            wait = remaining if resend_at is None else max(0.0, min(remaining, resend_at - now))
            try:
                datagram = await sock.receive(wait, MAX_RESPONSE_BYTES + 1)
            except OSError:
                continue
            if datagram is None:
                if resend_at is not None and time.monotonic() >= resend_at:
                    resend_at = None
                    for request in requests:
                        with contextlib.suppress(OSError):
                            await sock.send(request, SSDP_GROUP, SSDP_PORT)
                continue
            collector.add(datagram.data, datagram.host)
    finally:
        sock.close()
    return collector.result()


async def search_unicast(
    ctx: ProbeContext,
    targets: Targets,
    subnet: ipaddress.IPv4Network,
    *,
    st: str = ST_ALL,
    listen_s: float = 1.5,
) -> SearchResult:
    """Send one M-SEARCH to port 1900 of each target (UDA 1.1 unicast search) and listen ``listen_s``
    after the last one (``targets`` may come as they are found: an async iterable, each asked at once).

    Devices answer a unicast search directly, so this tells a device that does SSDP from a network that
    lets no multicast through. Answers are checked as in :func:`search` (only from the targets).
    """
    collector = _Collector(subnet)
    sock = ctx.udp().open(bind="0.0.0.0")  # noqa: S104 - an ephemeral port for the unicast answers
    asking = Asking(targets, listen_s, limit=MAX_LOCATIONS)

    async def ask(target: ipaddress.IPv4Address) -> None:
        request = build_msearch(st, 1).replace(
            f"HOST: {SSDP_GROUP}:{SSDP_PORT}".encode(), f"HOST: {target}:{SSDP_PORT}".encode()
        )
        await sock.send(request, str(target), SSDP_PORT)

    try:
        asking.start(ask, 0.002)
        while collector.datagrams < MAX_DATAGRAMS and not asking.over:
            last_wait = asking.sent_all
            try:
                datagram = await sock.receive(max(0.001, asking.wait_s()), MAX_RESPONSE_BYTES + 1)
            except OSError:
                continue
            if datagram is None:
                if last_wait:  # nothing came in what was left of the listening
                    break
                continue
            if asking.was_asked(datagram.host):
                collector.add(datagram.data, datagram.host)
    finally:
        asking.stop()
        sock.close()
    return collector.result()


def location_anomalies(result: SearchResult, subnet: ipaddress.IPv4Network) -> list[LocationAnomaly]:
    """Every LOCATION of ``result`` that would be refused, with the reason (one per LOCATION)."""
    anomalies: list[LocationAnomaly] = []
    for location, responses in result.by_location().items():
        try:
            check_location(location, responses[0].sender, subnet)
        except LocationRefused as exc:
            anomalies.append(LocationAnomaly(responses[0].sender, location[:200], str(exc)))
    return anomalies


async def fetch_description(ctx: ProbeContext, location: str, sender: ipaddress.IPv4Address) -> Described:
    """Fetch and parse the description at ``location``, announced by ``sender``.

    The caller must have checked the LOCATION with :func:`check_location` first.
    """
    started = time.monotonic()
    try:
        response = await ctx.http(
            location,
            timeout_s=FETCH_TIMEOUT_S,
            max_bytes=MAX_DESCRIPTION_BYTES,
            follow_redirects=False,
            headers={"Accept": "text/xml, application/xml"},
        )
    except TimeoutError:
        return Described(location, sender, (), error="description fetch timed out")
    except HttpError as exc:
        return Described(location, sender, (), error=f"description fetch failed: {exc}"[:200])
    elapsed = round((time.monotonic() - started) * 1000.0, 1)
    if response.status != 200:
        return Described(
            location, sender, (), error=f"HTTP {response.status} for the description", fetch_ms=elapsed
        )
    if response.truncated:
        return Described(
            location, sender, (), error="description larger than 1 MiB (refused)", fetch_ms=elapsed
        )
    try:
        description = await ctx.parse_untrusted(
            parse_description, response.body, location, timeout_s=PARSE_TIMEOUT_S
        )
    except TimeoutError:
        return Described(location, sender, (), error="description parse timed out", fetch_ms=elapsed)
    except WorkerError as exc:
        return Described(location, sender, (), error=f"description refused: {exc}"[:200], fetch_ms=elapsed)
    return Described(location, sender, (), description=description, fetch_ms=elapsed)


async def describe(
    ctx: ProbeContext,
    result: SearchResult,
    subnet: ipaddress.IPv4Network,
    *,
    budget_s: float = DESCRIBE_BUDGET_S,
    only: Iterable[str] | None = None,
) -> list[Described]:
    """Fetch and parse the description at each LOCATION of ``result`` (or only those in ``only``).

    Refused LOCATIONs are returned with ``refused=True`` and never fetched. At most ``MAX_FETCHES``
    fetches run at once; all of them together end within ``budget_s`` (and the probe's deadline).
    """
    grouped = result.by_location()
    wanted = set(only) if only is not None else None
    semaphore = asyncio.Semaphore(MAX_FETCHES)
    done: dict[str, Described] = {}
    jobs: dict[str, asyncio.Task[Described]] = {}

    async def one(location: str, sender: ipaddress.IPv4Address) -> Described:
        async with semaphore:
            return await fetch_description(ctx, location, sender)

    for location, responses in grouped.items():
        if wanted is not None and location not in wanted:
            continue
        sender = responses[0].sender
        try:
            check_location(location, sender, subnet)
        except LocationRefused as exc:
            done[location] = Described(location, sender, responses, error=str(exc), refused=True)
            continue
        jobs[location] = asyncio.ensure_future(one(location, sender))
    if jobs:
        budget = max(0.0, min(budget_s, ctx.remaining() - 0.2))
        finished, pending = await asyncio.wait(jobs.values(), timeout=budget)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=1.0)
            ctx.limit("ssdp description budget")
        for location, task in jobs.items():
            responses = grouped[location]
            if task in finished and not task.cancelled() and task.exception() is None:
                fetched = task.result()
                done[location] = Described(
                    location,
                    responses[0].sender,
                    responses,
                    description=fetched.description,
                    error=fetched.error,
                    fetch_ms=fetched.fetch_ms,
                )
            else:
                reason = "not fetched within the time budget"
                if task in finished and not task.cancelled() and task.exception() is not None:
                    reason = f"fetch failed: {type(task.exception()).__name__}"
                done[location] = Described(location, responses[0].sender, responses, error=reason)
    return [done[location] for location in grouped if location in done]
