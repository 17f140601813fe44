"""``devices.mqtt``: does an MQTT broker let in a client without credentials?

Safe: one TCP connection to the broker's port (the ``_mqtt._tcp`` port, else 1883), one MQTT 3.1.1
CONNECT with a random client id and **no user name or password**, the CONNACK read (4 bytes, 3 s at
most), then DISCONNECT when it was accepted. Return code 0 means anonymous clients may read and send
every message of the home's automation. Never subscribes, publishes or tries a password.
"""

from __future__ import annotations

import contextlib
import struct

from homediag.core.devices import service, subject_of
from homediag.core.facts import Fact
from homediag.core.i18n import _
from homediag.core.probe import Probe, ProbeContext
from homediag.core.spec import DeviceMatcher, ProbeSpec, Risk

MQTT_PORT = 1883
CONNACK_CODES = {
    0: "accepted",
    1: "unacceptable protocol version",
    2: "identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorised",
}


def build_connect(client_id: str, keepalive_s: int = 10) -> bytes:
    """An MQTT 3.1.1 CONNECT without credentials (clean session)."""
    ident = client_id.encode("utf-8")
    variable = struct.pack("!H", 4) + b"MQTT" + bytes([4, 0x02]) + struct.pack("!H", keepalive_s)
    payload = struct.pack("!H", len(ident)) + ident
    remaining = len(variable) + len(payload)
    return bytes([0x10, remaining]) + variable + payload


def parse_connack(data: bytes) -> int:
    """The return code of a CONNACK; ``ValueError`` for anything else."""
    if len(data) != 4 or data[0] != 0x20 or data[1] != 0x02:
        raise ValueError("not an MQTT CONNACK")
    return data[3]


class MqttProbe(Probe):
    """Anonymous MQTT access."""

    spec = ProbeSpec(
        id="devices.mqtt",
        summary="Whether an MQTT broker accepts a client without credentials",
        risk=Risk.SAFE,
        timeout_s=6.0,
        needs=("discovery.devices",),
        provides=(
            Fact(
                "mqtt.anonymous",
                bool,
                "The MQTT broker accepted a CONNECT without credentials (subject: device)",
            ),
            Fact(
                "mqtt.connack",
                int,
                "The broker's CONNACK return code (subject: device)",
                not_judged="evidence detail of mqtt.anonymous (the return code behind the verdict)",
            ),
        ),
        matchers=(DeviceMatcher(mdns_type="_mqtt._tcp"), DeviceMatcher(port=MQTT_PORT)),
        description=(
            "Connects to the broker's MQTT port, sends one MQTT 3.1.1 CONNECT without user name or "
            "password, reads the CONNACK (3 s at most) and disconnects. Return code 0 means anonymous "
            "access. Never subscribes, publishes, or tries any credentials."
        ),
    )

    async def run(self, ctx: ProbeContext) -> None:
        """Try one anonymous CONNECT."""
        device = ctx.target
        if device is None or not device.ip:
            return
        found = service(device, "_mqtt._tcp")
        port = found.port if found is not None and found.port else MQTT_PORT
        subject = subject_of(device)
        ctx.using(_("MQTT CONNECT to {ip}:{port}").format(ip=device.ip, port=port))
        try:
            stream = await ctx.tcp().open(device.ip, port, min(4.0, ctx.remaining()))
        except (OSError, TimeoutError) as exc:
            why = _("no connection to port {port}: {error}").format(
                port=port, error=getattr(exc, "strerror", None) or exc or "timeout"
            )
            ctx.observe("mqtt.anonymous", None, subject=subject, evidence=why)
            ctx.observe("mqtt.connack", None, subject=subject)
            return
        try:
            await stream.send(build_connect(f"homediag-{ctx.random().getrandbits(32):08x}"))
            data = await stream.read_exactly(4, min(3.0, ctx.remaining()))
            code = parse_connack(data)
        except (OSError, TimeoutError, EOFError, ValueError) as exc:
            ctx.observe(
                "mqtt.anonymous",
                None,
                subject=subject,
                evidence=_("no CONNACK from port {port}: {error}").format(
                    port=port, error=type(exc).__name__
                ),
            )
            ctx.observe("mqtt.connack", None, subject=subject)
            return
        finally:
            with contextlib.suppress(OSError):
                await stream.send(b"\xe0\x00")  # DISCONNECT (harmless after a refusal)
            await stream.close()
        meaning = CONNACK_CODES.get(code, "?")
        ctx.observe(
            "mqtt.anonymous",
            code == 0,
            subject=subject,
            evidence=_("CONNECT without credentials to {ip}:{port}: {code} ({meaning})").format(
                ip=device.ip, port=port, code=code, meaning=meaning
            ),
        )
        ctx.observe("mqtt.connack", code, subject=subject)
