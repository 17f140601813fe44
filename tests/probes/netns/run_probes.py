"""Run homediag probes the way ``homediag diagnose`` does, inside the namespace this script runs in.

Usage (from a test, under ``ip netns exec``)::

    python run_probes.py '{"probes": ["net.dhcp"], "interface": "eth0", "privileged": true, "config": {}}'

Prints ``{probe_id: ProbeResult as JSON}`` for every probe that ran (the requested ones and their
providers, e.g. ``net.interfaces``). homediag is imported inside ``main()``: the killable parse worker
re-imports the main module in every child, and a light one keeps that cost like the CLI's.
"""

from __future__ import annotations

import asyncio
import json
import sys


def main() -> None:
    from homediag.core.config import Config
    from homediag.core.jsonio import dumps
    from homediag.core.registry import load_registry
    from homediag.core.runner import Runner
    from homediag.core.session import Platform, Session
    from homediag.core.spec import Risk

    request = json.loads(sys.argv[1])
    config = Config.model_validate(request.get("config") or {})
    session = Session(
        config=config,
        interface=request.get("interface"),
        privileged=bool(request.get("privileged")),
        platform=Platform.LINUX,
        max_risk=Risk.ACTIVE,
    )
    runner = Runner(load_registry(config, plugins=False), session)
    results = asyncio.run(runner.run(request["probes"]))
    sys.stdout.write(dumps({result.probe: result for result in results}))


if __name__ == "__main__":
    main()
