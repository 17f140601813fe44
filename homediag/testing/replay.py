"""Record and replay the network I/O of :mod:`homediag.core.io`: every factory call as a JSON entry.

A recording's ``io`` list holds one entry per call, in the order the calls were made::

    {"call": "dns.query", "args": {"server": "192.0.2.1", "name": "example.com.", "rdtype": "A",
     "port": 53, "tcp": false}, "result": {"rcode": "NOERROR", "records": ["192.0.2.80"], ...}}
    {"call": "tcp.connect", "args": {"host": "192.0.2.9", "port": 23}, "result": {"ok": false, ...}}
    {"call": "udp.open", "args": {"family": 4, "bind": "0.0.0.0", ...},
     "events": [{"send": {"host": "192.0.2.20", "port": 137, "data": {"hex": "..."}}},
                {"receive": {"data": {"hex": "..."}, "host": "192.0.2.20", "port": 137}},
                {"receive": null}]}
    {"call": "l2.exchange", "args": {"iface": "eth0", "sends": 2}, "frames": [...], "result": {...}}
    {"call": "icmp.echo", "args": {...}, "raises": {"type": "PermissionError", "message": "..."}}

A call is answered by the first unused entry of the same call with equal ``args`` (timeouts and waits are
not part of ``args``: a replay need not ask with the same budget). Sockets and streams replay their
events in order: a receive gets the next recorded datagram (``null``: nothing came in time), a send is
checked against the destinations the socket sent to. Bytes are ``{"text": ...}`` when they are printable
UTF-8 (SSDP, HTTP), else ``{"hex": ...}``; :func:`homediag.testing.recording.rewrite` replaces lab
addresses and MACs in both. A probe that asks for anything not recorded gets :class:`UnrecordedIO`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import types
import typing
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from homediag.core.io import (
    MAX_KEPT,
    BpfProgram,
    Datagram,
    DfProbe,
    DnsAnswer,
    EchoSeries,
    Exchange,
    HopResult,
    MdnsBrowse,
    Phases,
    ProbeIO,
    Send,
    SpeedResult,
    SpeedtestFailed,
    TcpConnect,
    TlsRequest,
)

QUIET_S = 0.05
"""How long a replayed receive waits before "nothing came": the recording already knows the answer, and
a caller that loops until its own deadline should not spin."""


class UnrecordedIO(AssertionError):
    """A probe under test reached for I/O that the test did not record."""


# --- values <-> JSON ----------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """``value`` (a frozen dataclass of :mod:`homediag.core.io`, bytes, tuples...) as JSON data."""
    if isinstance(value, bytes | bytearray):
        return encode_bytes(bytes(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: encode(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "lock"  # Phases' lock
        }
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


def encode_bytes(data: bytes) -> dict[str, str]:
    """``{"text": ...}`` for printable UTF-8, else ``{"hex": ...}``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": data.hex()}
    if all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return {"text": text}
    return {"hex": data.hex()}


def decode_bytes(data: Any) -> bytes:
    """The bytes of an :func:`encode_bytes` value."""
    if isinstance(data, dict) and "hex" in data:
        return bytes.fromhex(str(data["hex"]))
    if isinstance(data, dict) and "text" in data:
        return str(data["text"]).encode("utf-8")
    raise UnrecordedIO(f"not recorded bytes: {data!r:.80}")


def decode(tp: Any, data: Any) -> Any:
    """JSON ``data`` as type ``tp`` (the inverse of :func:`encode`)."""
    origin = typing.get_origin(tp)
    if tp is Any or tp is object:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return decode(options[0], data)
    if tp is bytes:
        return decode_bytes(data)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], item) for item in data)
        return tuple(decode(a, item) for a, item in zip(args, data, strict=True))
    if origin in (list, Sequence):
        return [decode(typing.get_args(tp)[0], item) for item in data]
    if origin in (dict, Mapping):
        _key, value_type = typing.get_args(tp)
        return {str(k): decode(value_type, v) for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        given = {
            f.name: decode(hints[f.name], data[f.name])
            for f in dataclasses.fields(tp)
            if f.init and f.name in data
        }
        return tp(**given)
    if tp is float and isinstance(data, int):
        return float(data)
    return data


_ERRORS: dict[str, type[BaseException]] = {
    cls.__name__: cls
    for cls in (
        PermissionError,
        ConnectionRefusedError,
        ConnectionResetError,
        OSError,
        TimeoutError,
        EOFError,
        SpeedtestFailed,
    )
}


def encode_error(exc: BaseException) -> dict[str, Any]:
    """A raised error as JSON (its type's name and message; an ``OSError``'s errno and text)."""
    data: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)[:300]}
    if isinstance(exc, OSError) and exc.errno is not None:
        data.update(errno=exc.errno, strerror=exc.strerror)
    return data


def raise_recorded(data: Mapping[str, Any]) -> typing.NoReturn:
    """Raise the error an entry recorded."""
    cls = _ERRORS.get(str(data.get("type")))
    message = str(data.get("message", ""))
    if cls is None:
        raise UnrecordedIO(f"a recorded error of a type replay does not know: {data.get('type')}: {message}")
    if issubclass(cls, OSError) and data.get("errno") is not None:
        raise cls(int(data["errno"]), str(data.get("strerror") or message))
    raise cls(message)


# --- recording --------------------------------------------------------------------------------------


class CallLog:
    """The ``io`` entries of a recording being made."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries

    def add(self, call: str, args: Mapping[str, Any], **data: Any) -> dict[str, Any]:
        """Append an entry (returned, so that a socket can add its events)."""
        entry: dict[str, Any] = {"call": call, "args": encode(args), **data}
        self.entries.append(entry)
        return entry

    async def call(self, call: str, args: Mapping[str, Any], run: Callable[[], Any]) -> Any:
        """Await ``run()`` and record its result or its error."""
        try:
            result = await run()
        except Exception as exc:
            self.add(call, args, raises=encode_error(exc))
            raise
        self.add(call, args, result=encode(result))
        return result

    def call_sync(self, call: str, args: Mapping[str, Any], run: Callable[[], Any], **data: Any) -> Any:
        """Call ``run()`` and record its result or its error."""
        try:
            result = run()
        except Exception as exc:
            self.add(call, args, raises=encode_error(exc), **data)
            raise
        self.add(call, args, result=encode(result), **data)
        return result


def _l2_args(iface: str, sends: Sequence[Send]) -> dict[str, Any]:
    return {"iface": iface, "sends": len(sends)}


def _udp_args(family: int, bind: str | None, multicast_if: str | None, ttl: int | None) -> dict[str, Any]:
    return {"family": family, "bind": bind, "multicast_if": multicast_if, "multicast_ttl": ttl}


class _RecordingL2:
    def __init__(self, live: Any, log: CallLog) -> None:
        self.live, self.log = live, log

    def exchange(
        self,
        iface: str,
        sends: Sequence[Send],
        listen_s: float,
        keep: Callable[[bytes], bool],
        *,
        kernel_filter: BpfProgram | None = None,
        max_kept: int = MAX_KEPT,
        quiet_s: float | None = None,
        novelty: Callable[[bytes], Hashable] | None = None,
        settles: Callable[[bytes], bool] | None = None,
    ) -> Exchange:
        return typing.cast(
            Exchange,
            self.log.call_sync(
                "l2.exchange",
                _l2_args(iface, sends),
                lambda: self.live.exchange(
                    iface,
                    sends,
                    listen_s,
                    keep,
                    kernel_filter=kernel_filter,
                    max_kept=max_kept,
                    quiet_s=quiet_s,
                    novelty=novelty,
                    settles=settles,
                ),
                frames=encode(list(sends)),
            ),
        )

    def sweep(
        self,
        iface: str,
        requests: Sequence[tuple[Hashable, bytes]],
        answer_of: Callable[[bytes], Hashable | None],
        *,
        tries: int = 2,
        retry_wait_s: float = 0.1,
        quiet_s: float = 0.25,
        deadline_s: float = 10.0,
        kernel_filter: BpfProgram | None = None,
        max_kept: int = MAX_KEPT,
    ) -> Exchange:
        return typing.cast(
            Exchange,
            self.log.call_sync(
                "l2.sweep",
                {"iface": iface, "requests": len(requests)},
                lambda: self.live.sweep(
                    iface,
                    requests,
                    answer_of,
                    tries=tries,
                    retry_wait_s=retry_wait_s,
                    quiet_s=quiet_s,
                    deadline_s=deadline_s,
                    kernel_filter=kernel_filter,
                    max_kept=max_kept,
                ),
                frames=encode([frame for _key, frame in requests]),
            ),
        )


class _RecordingSocket:
    def __init__(self, live: Any, events: list[dict[str, Any]]) -> None:
        self.live, self.events = live, events

    async def send(self, data: bytes, host: str, port: int) -> None:
        event: dict[str, Any] = {"send": {"host": host, "port": port, "data": encode_bytes(data)}}
        self.events.append(event)
        try:
            await self.live.send(data, host, port)
        except OSError as exc:
            event["raises"] = encode_error(exc)
            raise

    async def receive(self, timeout_s: float, max_bytes: int = 65535) -> Datagram | None:
        try:
            datagram: Datagram | None = await self.live.receive(timeout_s, max_bytes)
        except OSError as exc:
            self.events.append({"receive_error": encode_error(exc)})
            raise
        self.events.append({"receive": encode(datagram)})
        return datagram

    def close(self) -> None:
        self.live.close()


class _RecordingUdp:
    def __init__(self, live: Any, log: CallLog) -> None:
        self.live, self.log = live, log

    def open(
        self,
        *,
        family: int = 4,
        bind: str | None = None,
        multicast_if: str | None = None,
        multicast_ttl: int | None = None,
    ) -> _RecordingSocket:
        args = _udp_args(family, bind, multicast_if, multicast_ttl)
        try:
            sock = self.live.open(
                family=family, bind=bind, multicast_if=multicast_if, multicast_ttl=multicast_ttl
            )
        except OSError as exc:
            self.log.add("udp.open", args, raises=encode_error(exc))
            raise
        return _RecordingSocket(sock, self.log.add("udp.open", args, events=[])["events"])


class _RecordingDns:
    def __init__(self, live: Any, log: CallLog) -> None:
        self.live, self.log = live, log

    async def query(
        self, server: str, name: str, rdtype: str, *, port: int = 53, tcp: bool = False, timeout_s: float
    ) -> DnsAnswer:
        args = {"server": server, "name": name, "rdtype": rdtype, "port": port, "tcp": tcp}
        return typing.cast(
            DnsAnswer,
            await self.log.call(
                "dns.query",
                args,
                lambda: self.live.query(server, name, rdtype, port=port, tcp=tcp, timeout_s=timeout_s),
            ),
        )

    async def resolve(self, host: str, timeout_s: float, *, udp: bool = False) -> str | None:
        args = {"host": host, "udp": udp}
        return typing.cast(
            "str | None",
            await self.log.call("dns.resolve", args, lambda: self.live.resolve(host, timeout_s, udp=udp)),
        )


class _RecordingMdns:
    def __init__(self, live: Any, log: CallLog) -> None:
        self.live, self.log = live, log

    async def browse(
        self, own: str, browse_s: float, resolve_s: float, *, quiet_s: float | None = None
    ) -> MdnsBrowse:
        return typing.cast(
            MdnsBrowse,
            await self.log.call(
                "mdns.browse",
                {"own": own},
                lambda: self.live.browse(own, browse_s, resolve_s, quiet_s=quiet_s),
            ),
        )


class _RecordingStream:
    def __init__(self, live: Any, events: list[dict[str, Any]]) -> None:
        self.live, self.events = live, events

    async def send(self, data: bytes) -> None:
        self.events.append({"send": encode_bytes(data)})
        await self.live.send(data)

    async def read_exactly(self, count: int, timeout_s: float) -> bytes:
        try:
            data: bytes = await self.live.read_exactly(count, timeout_s)
        except (OSError, TimeoutError, EOFError) as exc:
            self.events.append({"read_error": encode_error(exc)})
            raise
        self.events.append({"read": encode_bytes(data)})
        return data

    async def close(self) -> None:
        await self.live.close()


class _RecordingTcp:
    def __init__(self, live: Any, log: CallLog) -> None:
        self.live, self.log = live, log

    async def connect(self, host: str, port: int, timeout_s: float) -> TcpConnect:
        return typing.cast(
            TcpConnect,
            await self.log.call(
                "tcp.connect", {"host": host, "port": port}, lambda: self.live.connect(host, port, timeout_s)
            ),
        )

    async def open(self, host: str, port: int, timeout_s: float) -> _RecordingStream:
        args = {"host": host, "port": port}
        try:
            stream = await self.live.open(host, port, timeout_s)
        except (OSError, TimeoutError) as exc:
            self.log.add("tcp.open", args, raises=encode_error(exc))
            raise
        return _RecordingStream(stream, self.log.add("tcp.open", args, events=[])["events"])

    async def tls_request(
        self, address: str, host: str, port: int, path: str, timeout_s: float, *, verify: bool = True
    ) -> TlsRequest:
        args = {"address": address, "host": host, "port": port, "path": path, "verify": verify}
        return typing.cast(
            TlsRequest,
            await self.log.call(
                "tcp.tls_request",
                args,
                lambda: self.live.tls_request(address, host, port, path, timeout_s, verify=verify),
            ),
        )


class _RecordingDfSocket:
    def __init__(self, live: Any, events: list[dict[str, Any]]) -> None:
        self.live, self.events = live, events

    async def send(self, size: int, wait_s: float) -> DfProbe:
        probe: DfProbe = await self.live.send(size, wait_s)
        self.events.append({"send": size, "result": encode(probe)})
        return probe

    def close(self) -> None:
        self.live.close()


class _RecordingIcmp:
    def __init__(self, live: Any, log: CallLog) -> None:
        self.live, self.log = live, log

    async def echo(self, target: str, count: int, interval_s: float, timeout_s: float) -> EchoSeries:
        return typing.cast(
            EchoSeries,
            await self.log.call(
                "icmp.echo",
                {"target": target, "count": count},
                lambda: self.live.echo(target, count, interval_s, timeout_s),
            ),
        )

    async def hop(self, target: str, ttl: int, tries: int, wait_s: float, *, raw: bool) -> HopResult:
        return typing.cast(
            HopResult,
            await self.log.call(
                "icmp.hop",
                {"target": target, "ttl": ttl, "raw": raw},
                lambda: self.live.hop(target, ttl, tries, wait_s, raw=raw),
            ),
        )

    def df_socket(self, target: str) -> _RecordingDfSocket:
        args = {"target": target}
        try:
            sock = self.live.df_socket(target)
        except OSError as exc:
            self.log.add("icmp.df_socket", args, raises=encode_error(exc))
            raise
        return _RecordingDfSocket(sock, self.log.add("icmp.df_socket", args, events=[])["events"])


class _RecordingSpeedtest:
    def __init__(self, live: Any, log: CallLog) -> None:
        self.live, self.log = live, log

    def run(
        self, server: str, *, secure: bool, socket_timeout_s: float, shutdown: Any, phases: Phases
    ) -> SpeedResult:
        return typing.cast(
            SpeedResult,
            self.log.call_sync(
                "speedtest.run",
                {"server": server, "secure": secure},
                lambda: self.live.run(
                    server, secure=secure, socket_timeout_s=socket_timeout_s, shutdown=shutdown, phases=phases
                ),
            ),
        )


def recording_io(live: ProbeIO, entries: list[dict[str, Any]]) -> ProbeIO:
    """``live`` with every call appended to ``entries``."""
    log = CallLog(entries)
    return ProbeIO(
        l2=_RecordingL2(live.l2, log),
        udp=_RecordingUdp(live.udp, log),
        dns=_RecordingDns(live.dns, log),
        mdns=_RecordingMdns(live.mdns, log),
        tcp=_RecordingTcp(live.tcp, log),
        icmp=_RecordingIcmp(live.icmp, log),
        speedtest=_RecordingSpeedtest(live.speedtest, log),
    )


# --- replay -----------------------------------------------------------------------------------------


class Replay:
    """The ``io`` entries of a recording, handed out call by call."""

    def __init__(self, entries: Sequence[Mapping[str, Any]]) -> None:
        self.entries = list(entries)
        self.used: set[int] = set()

    def take(self, call: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
        """The first unused entry of ``call`` with ``args``; :class:`UnrecordedIO` when none."""
        wanted = encode(args)
        for index, entry in enumerate(self.entries):
            if index not in self.used and entry.get("call") == call and entry.get("args") == wanted:
                self.used.add(index)
                return entry
        raise UnrecordedIO(f"{call} not recorded (or replayed more often than recorded): {wanted}")

    def answer(self, call: str, args: Mapping[str, Any], tp: Any) -> Any:
        """The recorded result of ``call`` as ``tp``, or the recorded error raised."""
        entry = self.take(call, args)
        if "raises" in entry:
            raise_recorded(entry["raises"])
        return decode(tp, entry["result"])

    def unused(self) -> list[str]:
        """Calls recorded but never asked for (a test may check that a replay used everything)."""
        return [f"{e.get('call')} {e.get('args')}" for i, e in enumerate(self.entries) if i not in self.used]


class _ReplayL2:
    def __init__(self, replay: Replay) -> None:
        self.replay = replay

    def exchange(
        self,
        iface: str,
        sends: Sequence[Send],
        listen_s: float,
        keep: Callable[[bytes], bool],
        *,
        kernel_filter: BpfProgram | None = None,
        max_kept: int = MAX_KEPT,
        quiet_s: float | None = None,
        novelty: Callable[[bytes], Hashable] | None = None,
        settles: Callable[[bytes], bool] | None = None,
    ) -> Exchange:
        del listen_s, kernel_filter, quiet_s, novelty, settles  # the recording ended when the run did
        recorded: Exchange = self.replay.answer("l2.exchange", _l2_args(iface, sends), Exchange)
        heard = tuple(h for h in recorded.heard if keep(h.frame))[:max_kept]
        return dataclasses.replace(recorded, heard=heard)

    def sweep(
        self,
        iface: str,
        requests: Sequence[tuple[Hashable, bytes]],
        answer_of: Callable[[bytes], Hashable | None],
        *,
        tries: int = 2,
        retry_wait_s: float = 0.1,
        quiet_s: float = 0.25,
        deadline_s: float = 10.0,
        kernel_filter: BpfProgram | None = None,
        max_kept: int = MAX_KEPT,
    ) -> Exchange:
        del tries, retry_wait_s, quiet_s, deadline_s, kernel_filter
        args = {"iface": iface, "requests": len(requests)}
        recorded: Exchange = self.replay.answer("l2.sweep", args, Exchange)
        heard = tuple(h for h in recorded.heard if answer_of(h.frame) is not None)[:max_kept]
        return dataclasses.replace(recorded, heard=heard)


class _ReplaySocket:
    def __init__(self, events: Sequence[Mapping[str, Any]]) -> None:
        self.receives = [e for e in events if "receive" in e or "receive_error" in e]
        sends = [e for e in events if "send" in e]
        self.destinations = {(e["send"]["host"], e["send"]["port"]) for e in sends}
        self.send_errors = {
            (e["send"]["host"], e["send"]["port"]): e["raises"] for e in sends if "raises" in e
        }
        self.sent: list[tuple[bytes, str, int]] = []

    async def send(self, data: bytes, host: str, port: int) -> None:
        if (host, port) not in self.destinations:
            raise UnrecordedIO(f"UDP to {host}:{port} not recorded (recorded: {sorted(self.destinations)})")
        self.sent.append((data, host, port))
        if (host, port) in self.send_errors:
            raise_recorded(self.send_errors[(host, port)])

    async def receive(self, timeout_s: float, max_bytes: int = 65535) -> Datagram | None:
        if self.receives:
            event = self.receives.pop(0)
            if "receive_error" in event:
                raise_recorded(event["receive_error"])
            if event["receive"] is not None:
                datagram: Datagram = decode(Datagram, event["receive"])
                return dataclasses.replace(datagram, data=datagram.data[:max_bytes])
        await asyncio.sleep(min(timeout_s, QUIET_S))
        return None

    def close(self) -> None:
        """Nothing to release."""


class _ReplayUdp:
    def __init__(self, replay: Replay) -> None:
        self.replay = replay

    def open(
        self,
        *,
        family: int = 4,
        bind: str | None = None,
        multicast_if: str | None = None,
        multicast_ttl: int | None = None,
    ) -> _ReplaySocket:
        entry = self.replay.take("udp.open", _udp_args(family, bind, multicast_if, multicast_ttl))
        if "raises" in entry:
            raise_recorded(entry["raises"])
        return _ReplaySocket(entry.get("events") or [])


class _ReplayDns:
    def __init__(self, replay: Replay) -> None:
        self.replay = replay

    async def query(
        self, server: str, name: str, rdtype: str, *, port: int = 53, tcp: bool = False, timeout_s: float
    ) -> DnsAnswer:
        del timeout_s
        args = {"server": server, "name": name, "rdtype": rdtype, "port": port, "tcp": tcp}
        answer: DnsAnswer = self.replay.answer("dns.query", args, DnsAnswer)
        return answer

    async def resolve(self, host: str, timeout_s: float, *, udp: bool = False) -> str | None:
        del timeout_s
        address: str | None = self.replay.answer("dns.resolve", {"host": host, "udp": udp}, str | None)
        return address


class _ReplayMdns:
    def __init__(self, replay: Replay) -> None:
        self.replay = replay

    async def browse(
        self, own: str, browse_s: float, resolve_s: float, *, quiet_s: float | None = None
    ) -> MdnsBrowse:
        del browse_s, resolve_s, quiet_s
        found: MdnsBrowse = self.replay.answer("mdns.browse", {"own": own}, MdnsBrowse)
        return found


class _ReplayStream:
    def __init__(self, events: Sequence[Mapping[str, Any]]) -> None:
        self.reads = [e for e in events if "read" in e or "read_error" in e]
        self.sent: list[bytes] = []

    async def send(self, data: bytes) -> None:
        self.sent.append(data)

    async def read_exactly(self, count: int, timeout_s: float) -> bytes:
        del timeout_s
        if not self.reads:
            raise UnrecordedIO(f"a read of {count} bytes not recorded")
        event = self.reads.pop(0)
        if "read_error" in event:
            raise_recorded(event["read_error"])
        return decode_bytes(event["read"])

    async def close(self) -> None:
        """Nothing to release."""


class _ReplayTcp:
    def __init__(self, replay: Replay) -> None:
        self.replay = replay

    async def connect(self, host: str, port: int, timeout_s: float) -> TcpConnect:
        del timeout_s
        result: TcpConnect = self.replay.answer("tcp.connect", {"host": host, "port": port}, TcpConnect)
        return result

    async def open(self, host: str, port: int, timeout_s: float) -> _ReplayStream:
        del timeout_s
        entry = self.replay.take("tcp.open", {"host": host, "port": port})
        if "raises" in entry:
            raise_recorded(entry["raises"])
        return _ReplayStream(entry.get("events") or [])

    async def tls_request(
        self, address: str, host: str, port: int, path: str, timeout_s: float, *, verify: bool = True
    ) -> TlsRequest:
        del timeout_s
        args = {"address": address, "host": host, "port": port, "path": path, "verify": verify}
        result: TlsRequest = self.replay.answer("tcp.tls_request", args, TlsRequest)
        return result


class _ReplayDfSocket:
    def __init__(self, events: Sequence[Mapping[str, Any]]) -> None:
        self.events = list(events)

    async def send(self, size: int, wait_s: float) -> DfProbe:
        del wait_s
        for index, event in enumerate(self.events):
            if event.get("send") == size:
                del self.events[index]
                probe: DfProbe = decode(DfProbe, event["result"])
                return probe
        raise UnrecordedIO(f"a DF echo of {size} bytes not recorded")

    def close(self) -> None:
        """Nothing to release."""


class _ReplayIcmp:
    def __init__(self, replay: Replay) -> None:
        self.replay = replay

    async def echo(self, target: str, count: int, interval_s: float, timeout_s: float) -> EchoSeries:
        del interval_s, timeout_s
        series: EchoSeries = self.replay.answer("icmp.echo", {"target": target, "count": count}, EchoSeries)
        return series

    async def hop(self, target: str, ttl: int, tries: int, wait_s: float, *, raw: bool) -> HopResult:
        del tries, wait_s
        args = {"target": target, "ttl": ttl, "raw": raw}
        result: HopResult = self.replay.answer("icmp.hop", args, HopResult)
        return result

    def df_socket(self, target: str) -> _ReplayDfSocket:
        entry = self.replay.take("icmp.df_socket", {"target": target})
        if "raises" in entry:
            raise_recorded(entry["raises"])
        return _ReplayDfSocket(entry.get("events") or [])


class _ReplaySpeedtest:
    def __init__(self, replay: Replay) -> None:
        self.replay = replay

    def run(
        self, server: str, *, secure: bool, socket_timeout_s: float, shutdown: Any, phases: Phases
    ) -> SpeedResult:
        del socket_timeout_s, shutdown
        phases.mark("download")
        phases.mark("upload")
        result: SpeedResult = self.replay.answer(
            "speedtest.run", {"server": server, "secure": secure}, SpeedResult
        )
        return result


def replay_io(replay: Replay) -> ProbeIO:
    """Every protocol answered from ``replay``."""
    return ProbeIO(
        l2=_ReplayL2(replay),
        udp=_ReplayUdp(replay),
        dns=_ReplayDns(replay),
        mdns=_ReplayMdns(replay),
        tcp=_ReplayTcp(replay),
        icmp=_ReplayIcmp(replay),
        speedtest=_ReplaySpeedtest(replay),
    )
