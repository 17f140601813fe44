"""Run an interactive diagnosis in the lab client whose user is the test process.

Started by a lab test under ``ip netns exec`` (``Lab.client_argv``) with one JSON argument
``{"complaint": "printer", "audience": "customer", "report": "/tmp/.../report.json"}``. It runs the
diagnosis the way ``homediag diagnose`` does (the lab's configuration from ``HOMEDIAG_CONFIG``, the
real runner and probes), with a questioner that hands every question to the test: one line
``QUESTION {"id": ..., "kind": ..., "answers": [...]}`` on stdout, then it reads the answer as one JSON
line on stdin (a key, or null for no answer). The report is written as JSON to ``report``; the last
line on stdout is ``DONE``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homediag.engine.questions import QuestionSpec


class PipedUser:
    """A questioner whose answers come from the test process, one JSON line per question."""

    interactive = True
    source = "interactive"

    async def ask(self, question: QuestionSpec, lang: str) -> str | None:
        del lang
        line = json.dumps({"id": question.id, "kind": question.kind.value, "answers": list(question.keys)})
        sys.stdout.write(f"QUESTION {line}\n")
        sys.stdout.flush()
        reply = await asyncio.to_thread(sys.stdin.readline)
        answer = json.loads(reply) if reply.strip() else None
        return answer if isinstance(answer, str) else None


def main() -> None:
    from homediag.app.diagnose import DiagnosisRun
    from homediag.app.registry import load_registry
    from homediag.core.config import load_config
    from homediag.core.session import Audience, Session
    from homediag.reports.document import dump_report

    request = json.loads(sys.argv[1])
    config = load_config()
    session = Session.detect(
        config=config, audience=Audience(request.get("audience", "customer")), lang="en", interactive=True
    )
    run = DiagnosisRun(session, load_registry(config), complaint=request["complaint"], questioner=PipedUser())
    asyncio.run(run.execute())
    Path(request["report"]).write_text(dump_report(run.report()), encoding="utf-8")
    sys.stdout.write("DONE\n")


if __name__ == "__main__":
    main()
