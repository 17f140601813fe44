"""What reading a report in another language costs (issue 20): the playbooks' specs read, then the view
of a checkup report made in German built for a French reader (its texts rebuilt from the playbooks and
the catalogues), against the same view with the stored texts. Also ``homediag report show`` end to end.

Run: ``.venv/bin/python benchmarks/report_languages.py``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 9
FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "reports" / "fixtures" / "checkup-advisories.json"


def main() -> None:
    started = time.perf_counter()
    from homediag.engine.catalog import load_specs

    specs = load_specs()
    print(f"playbook specs read (imports included)   {(time.perf_counter() - started) * 1000:7.0f} ms")

    from homediag.app.diagnose import replay
    from homediag.app.playbooks import load_playbooks
    from homediag.app.texts import PlaybookTexts
    from homediag.core.config import Config
    from homediag.reports.compose import build_view
    from homediag.reports.document import dump_report, load_report
    from homediag.reports.texts import StoredTexts

    report = asyncio.run(
        replay(load_report(FIXTURE), complaint=None, questioner=None, audience="technician", lang="de",
               config=Config(), playbooks=load_playbooks())
    )  # fmt: skip
    first = time.perf_counter()
    build_view(report, texts=PlaybookTexts(report, specs, "fr"))
    print(f"first view de -> fr (catalogues compiled) {(time.perf_counter() - first) * 1000:7.0f} ms")
    for name, make in (("rebuilt de -> fr", lambda: PlaybookTexts(report, specs, "fr")),
                       ("stored (as before)", lambda: StoredTexts("fr"))):  # fmt: skip
        samples = []
        for _ in range(RUNS):
            began = time.perf_counter()
            build_view(report, texts=make())
            samples.append(time.perf_counter() - began)
        print(f"view, texts {name:<22}    median {statistics.median(samples) * 1000:7.1f} ms ({RUNS} runs)")

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "de.json"
        path.write_text(dump_report(report), "utf-8")
        env = {**os.environ, "HOMEDIAG_CONFIG_DIR": directory}
        samples = []
        for _ in range(5):
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "homediag", "report", "show", str(path), "--lang", "fr"],
                           capture_output=True, check=False, env=env)  # fmt: skip
            samples.append(time.perf_counter() - began)
        median = statistics.median(samples) * 1000
        print(f"homediag report show --lang fr           median {median:7.0f} ms (5 runs)")


if __name__ == "__main__":
    main()
