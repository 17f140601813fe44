"""Run a probe with real I/O (against servers the test started on 127.0.0.1), as the runner would."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from homediag.core.model import Device, JSONValue, Observation
from homediag.core.probe import FactView, Probe, ProbeContext
from homediag.core.runner import execute
from homediag.core.session import Session
from homediag.core.spec import Platform, Risk
from homediag.testing import ProbeOutcome


async def run_live(
    probe: type[Probe],
    *,
    facts: Mapping[str, JSONValue] | Sequence[Observation] = (),
    devices: Sequence[Device] = (),
    target: Device | None = None,
    args: Mapping[str, object] | None = None,
    timeout_s: float | None = None,
) -> ProbeOutcome:
    """Run ``probe`` once with a live context: real sockets and HTTP (tests keep them on loopback)."""
    if isinstance(facts, Mapping):
        known = [Observation(fact=name, value=value, source="test") for name, value in facts.items()]
    else:
        known = list(facts)
    ctx = ProbeContext(
        probe.spec,
        Session(platform=Platform.LINUX, max_risk=Risk.INTRUSIVE),
        known=FactView(lambda: known, lambda: list(devices)),
        args=args,
        target=target,
        deadline=time.monotonic() + (timeout_s if timeout_s is not None else probe.spec.timeout_s),
    )
    return ProbeOutcome(result=await execute(probe, ctx))
