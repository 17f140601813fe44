"""Recordings of a probe's I/O: what it asked and what came back, as a JSON file a test replays.

A recording (``homediag-recording/1``) holds the facts a probe was given and, for each kind of I/O the
context offers, the exchanges in the order they happened::

    {
      "format": "homediag-recording/1",
      "probe": "net.wan_link",
      "facts": {"upnp.igd_present": true, "upnp.igd_address": "192.0.2.1"},
      "http": [
        {"method": "POST", "url": "http://192.0.2.1:5000/ctl/IPConn",
         "match": {"SOAPAction": "\\"urn:schemas-upnp-org:service:WANIPConnection:1#GetStatusInfo\\""},
         "status": 200, "headers": {"Content-Type": "text/xml"}, "body": "<?xml ...", "truncated": false}
      ],
      "commands": [{"argv": ["ip", "-j", "addr"], "returncode": 0, "stdout": "[...]", "stderr": ""}]
    }

An HTTP exchange answers a request with the same method and URL whose headers include every ``match``
header (so two SOAP actions on one control URL are told apart); a body that is not UTF-8 is stored as
``body_base64``. A command answers the longest recorded argv that prefixes the one run.

:class:`RecordingContext` records a live run (in the lab) through the real I/O; :func:`rewrite` replaces
lab addresses and MACs by documentation ones before the recording is written. Replaying is
:class:`homediag.testing.RecordedContext`'s job (``run_probe(..., recording=load(path))``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homediag.core.http import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_S, HttpError, HttpResponse
from homediag.core.model import JSONValue
from homediag.core.probe import CommandResult, ProbeContext

FORMAT = "homediag-recording/1"
MATCHED_HEADERS = ("soapaction",)
"""Request headers that tell apart requests to one URL; a recorder keeps them as ``match``."""


class RecordingError(ValueError):
    """A recording file that cannot be read: not JSON, another format, a malformed exchange."""


@dataclass(frozen=True)
class HttpExchange:
    """One recorded HTTP request and its answer (or the error it raised)."""

    method: str
    url: str
    match: Mapping[str, str] = field(default_factory=dict)
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False
    error: str | None = None
    """An :class:`HttpError` message instead of an answer."""

    def matches(self, method: str, url: str, headers: Mapping[str, str] | None) -> bool:
        """Whether this exchange answers ``method url`` sent with ``headers``."""
        if method.upper() != self.method.upper() or url != self.url:
            return False
        given = {k.lower(): v for k, v in (headers or {}).items()}
        return all(given.get(k.lower()) == v for k, v in self.match.items())

    def response(self) -> HttpResponse:
        """The recorded answer (``HttpError`` when an error was recorded)."""
        if self.error is not None:
            raise HttpError(self.error)
        return HttpResponse(
            url=self.url,
            status=self.status,
            headers=dict(self.headers),
            body=self.body,
            truncated=self.truncated,
            elapsed_ms=1.0,
        )


@dataclass
class Recording:
    """The I/O of one probe run: facts in, exchanges out."""

    probe: str
    facts: dict[str, JSONValue] = field(default_factory=dict)
    http: list[HttpExchange] = field(default_factory=list)
    commands: list[CommandResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The recording as the JSON document of its file."""
        return {
            "format": FORMAT,
            "probe": self.probe,
            "facts": self.facts,
            "http": [_http_json(x) for x in self.http],
            "commands": [
                {"argv": list(c.argv), "returncode": c.returncode, "stdout": c.stdout, "stderr": c.stderr}
                for c in self.commands
            ],
        }

    def save(self, path: Path) -> None:
        """Write the recording (UTF-8 JSON, keys in a stable order)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _http_json(exchange: HttpExchange) -> dict[str, Any]:
    data: dict[str, Any] = {"method": exchange.method, "url": exchange.url}
    if exchange.match:
        data["match"] = dict(exchange.match)
    if exchange.error is not None:
        data["error"] = exchange.error
        return data
    data.update(status=exchange.status, headers=dict(exchange.headers))
    try:
        data["body"] = exchange.body.decode("utf-8")
    except UnicodeDecodeError:
        data["body_base64"] = base64.b64encode(exchange.body).decode("ascii")
    data["truncated"] = exchange.truncated
    return data


def load(path: Path) -> Recording:
    """Read a recording file; :class:`RecordingError` naming the file and the problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return from_json(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RecordingError(f"{path}: not a readable recording: {exc}") from None


def from_json(data: Any) -> Recording:
    """A recording from its JSON document."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordingError(f"not a {FORMAT} document")
    http = []
    for item in data.get("http") or []:
        body = (
            base64.b64decode(item["body_base64"])
            if "body_base64" in item
            else str(item.get("body", "")).encode("utf-8")
        )
        http.append(
            HttpExchange(
                method=str(item["method"]),
                url=str(item["url"]),
                match={str(k): str(v) for k, v in (item.get("match") or {}).items()},
                status=int(item.get("status", 200)),
                headers={str(k): str(v) for k, v in (item.get("headers") or {}).items()},
                body=body,
                truncated=bool(item.get("truncated", False)),
                error=item.get("error"),
            )
        )
    commands = [
        CommandResult(
            argv=tuple(str(a) for a in item["argv"]),
            returncode=item.get("returncode", 0),
            stdout=str(item.get("stdout", "")),
            stderr=str(item.get("stderr", "")),
        )
        for item in data.get("commands") or []
    ]
    return Recording(
        probe=str(data["probe"]), facts=dict(data.get("facts") or {}), http=http, commands=commands
    )


def rewrite(recording: Recording, replacements: Mapping[str, str]) -> Recording:
    """``recording`` with every occurrence of each key (a lab address, a MAC) replaced by its value, in
    facts, URLs, headers, bodies and command output alike: longest keys first."""
    pairs = sorted(replacements.items(), key=lambda kv: -len(kv[0]))

    def sub(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    document = json.dumps(recording.to_json(), ensure_ascii=False)
    return from_json(json.loads(sub(document)))


class RecordingContext(ProbeContext):
    """A live probe context that records every HTTP exchange and command into :attr:`recording`."""

    def __init__(self, *args: Any, facts: Mapping[str, JSONValue] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recording = Recording(probe=self.spec.id, facts=dict(facts or {}))

    async def run_command(self, argv: Sequence[str], **kwargs: Any) -> CommandResult:
        """Run the command for real and record what it printed."""
        result = await super().run_command(argv, **kwargs)
        self.recording.commands.append(result)
        return result

    async def http(
        self,
        url: str,
        *,
        method: str = "GET",
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_bytes: int = DEFAULT_MAX_BYTES,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        follow_redirects: bool = True,
        verify_tls: bool = True,
    ) -> HttpResponse:
        """Send the request for real and record it with its answer (or its error)."""
        match = {k: v for k, v in (headers or {}).items() if k.lower() in MATCHED_HEADERS}
        try:
            response = await super().http(
                url,
                method=method,
                timeout_s=timeout_s,
                max_bytes=max_bytes,
                headers=headers,
                content=content,
                follow_redirects=follow_redirects,
                verify_tls=verify_tls,
            )
        except HttpError as exc:
            self.recording.http.append(HttpExchange(method, url, match, error=str(exc)))
            raise
        self.recording.http.append(
            HttpExchange(
                method,
                url,
                match,
                status=response.status,
                headers=response.headers,
                body=response.body,
                truncated=response.truncated,
            )
        )
        return response
