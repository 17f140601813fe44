"""Run homediag probes inside the network namespace this script runs in (for ``tests/netns.py``).

Usage, under ``ip netns exec``, with one JSON argument:

- ``{"probes": [...], "interface": "eth0", "privileged": true, "config": {}}`` runs the probes and the
  probes they need, the way ``homediag diagnose`` does; prints ``{probe_id: ProbeResult}``;
- ``{"probe": "module:Class", "facts": {...}, "args": {...}, "config": {...}, "privileged": false}`` runs
  one probe with the given facts; prints its ProbeResult.
- ``{"record": "probe.id", "path": "...json", "rewrite": {"10.77.0.1": "192.0.2.1"}, "privileged": true}``
  runs the probes ``probe.id`` needs, then ``probe.id`` itself through a recording context, and writes
  its recording (facts it read, its I/O) with lab addresses rewritten; prints its ProbeResult.

homediag is imported inside ``main()``: the killable parse worker re-imports the main module in every
child, and a light one keeps that cost like the CLI's.
"""

from __future__ import annotations

import asyncio
import json
import sys


def main() -> None:
    from importlib import import_module

    from homediag.app.registry import load_registry
    from homediag.core.config import Config
    from homediag.core.jsonio import dumps
    from homediag.core.model import Observation
    from homediag.core.probe import FactView, ProbeContext
    from homediag.core.runner import Runner, execute
    from homediag.core.session import Platform, Session
    from homediag.core.spec import Risk
    from homediag.net.live import live_io

    request = json.loads(sys.argv[1])
    config = Config.model_validate(request.get("config") or {})
    if "record" in request:
        record(request, config)
        return
    if "probes" in request:
        session = Session(
            config=config,
            interface=request.get("interface"),
            privileged=bool(request.get("privileged")),
            platform=Platform.LINUX,
            max_risk=Risk.ACTIVE,
        )
        runner = Runner(load_registry(config, plugins=False), session, io=live_io())
        results = asyncio.run(runner.run(request["probes"]))
        sys.stdout.write(dumps({result.probe: result for result in results}))
        return
    module, _, name = request["probe"].partition(":")
    probe = getattr(import_module(module), name)
    session = Session(
        config=config,
        privileged=bool(request.get("privileged")),
        platform=Platform.LINUX,
        max_risk=Risk.INTRUSIVE,
    )
    known = [Observation(fact=k, value=v, source="test") for k, v in request.get("facts", {}).items()]
    ctx = ProbeContext(
        probe.spec,
        session,
        args=request.get("args") or {},
        known=FactView(lambda: known, lambda: []),
        io=live_io(),
    )
    sys.stdout.write(dumps(asyncio.run(execute(probe, ctx))))


def record(request: dict[str, object], config: object) -> None:
    """Record one live run of a probe (see the module docstring)."""
    from pathlib import Path

    from homediag.app.registry import load_registry
    from homediag.core.config import Config
    from homediag.core.jsonio import dumps
    from homediag.core.runner import Runner, execute
    from homediag.core.session import Platform, Session
    from homediag.core.spec import Risk
    from homediag.net.live import live_io
    from homediag.testing.recording import RecordingContext, rewrite

    assert isinstance(config, Config)
    registry = load_registry(config, plugins=False)
    probe_id = str(request["record"])
    probe = registry.probes[probe_id]
    session = Session(
        config=config,
        privileged=bool(request.get("privileged")),
        platform=Platform.LINUX,
        max_risk=Risk.ACTIVE,
    )
    runner = Runner(registry, session, io=live_io())
    providers = registry.providers()
    read = (*probe.spec.needs, *probe.spec.follows)  # a recording runs the followed providers first too
    asyncio.run(runner.run(sorted({providers[name] for name in read})))
    view = runner.view()
    ctx = RecordingContext(
        probe.spec,
        session,
        known=view,
        facts={name: view.value(name) for name in read},
        io=live_io(),
    )
    result = asyncio.run(execute(probe, ctx))
    replacements = request.get("rewrite") or {}
    assert isinstance(replacements, dict)
    rewrite(ctx.recording, replacements).save(Path(str(request["path"])))
    sys.stdout.write(dumps(result))


if __name__ == "__main__":
    main()
