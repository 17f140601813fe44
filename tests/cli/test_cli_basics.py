"""The command line contract: version, help, listing, errors and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from homediag import __version__
from homediag.reports.document import load_report, validation_errors
from tests.cli.conftest import Isolated


def test_version(cli: Isolated) -> None:
    done = cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"homediag {__version__}"


def test_help_imports_no_scapy_and_no_probe() -> None:
    code = (
        "import sys\n"
        "from homediag.cli.app import main\n"
        "sys.argv = ['homediag', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MODULES', 'scapy' in sys.modules, 'homediag.probes.net.gateway' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "MODULES False False" in done.stdout
    assert "diagnose" in done.stdout


def test_help_reads_no_playbook() -> None:
    code = (
        "import sys\n"
        "from homediag.cli.app import main\n"
        "sys.argv = ['homediag', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', 'homediag.engine.catalog' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "LOADED False" in done.stdout


def test_the_complaints_come_from_the_playbooks(cli: Isolated) -> None:
    from homediag.app.playbooks import load_playbooks

    names = ", ".join(load_playbooks().complaints())
    assert "smart-home" in names and "checkup" in names
    done = cli("diagnose", "--help", env={"COLUMNS": "400"})
    assert done.returncode == 0
    assert f"What is wrong: {names}. Default: checkup." in done.stdout
    unknown = cli("diagnose", "toaster")
    assert unknown.returncode == 4
    assert f"unknown complaint 'toaster'; choose one of: {names}" in unknown.stderr


def test_probes_list_as_json(cli: Isolated) -> None:
    done = cli("probes", "list", "--format", "json")
    assert done.returncode == 0
    ids = {p["id"] for p in json.loads(done.stdout)["probes"]}
    assert {"net.interfaces", "net.gateway", "net.dns"} <= ids


def test_probes_explain(cli: Isolated) -> None:
    done = cli("probes", "explain", "net.gateway")
    assert done.returncode == 0
    assert "raw_socket" in done.stdout and "gateway.loss_pct [%]" in done.stdout
    unknown = cli("probes", "explain", "net.nothing")
    assert unknown.returncode == 4
    assert unknown.stderr.startswith("homediag: error: unknown probe")


def test_probes_facts_come_from_the_declarations(cli: Isolated) -> None:
    done = cli("probes", "facts", "--format", "json")
    assert done.returncode == 0
    facts = {fact["name"]: fact for fact in json.loads(done.stdout)["facts"]}
    assert facts["gateway.loss_pct"]["unit"] == "%" and facts["gateway.loss_pct"]["provider"] == "net.gateway"
    assert facts["discovery.devices"]["type"].startswith("list[DeviceEntry{id: str, ip: str | null")
    assert facts["nat.public_address"]["privacy"] == "drop"
    assert "class nat.wan_class is judged" in facts["nat.wan_address"]["not_judged"]
    assert facts["dns.any_ok"]["not_judged"] is None
    table = cli("probes", "facts")
    assert table.returncode == 0 and "gateway.loss_pct" in table.stdout


def test_unknown_option_is_a_one_line_usage_error(cli: Isolated) -> None:
    done = cli("diagnose", "--frobnicate")
    assert done.returncode == 4
    assert done.stderr.splitlines()[0].startswith("homediag: error: No such option: --frobnicate")
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) <= 2


def test_unknown_complaint(cli: Isolated) -> None:
    done = cli("diagnose", "toaster")
    assert done.returncode == 4
    assert "unknown complaint" in done.stderr


def test_missing_config_file(cli: Isolated, tmp_path: Path) -> None:
    done = cli("--config", str(tmp_path / "nope.yaml"), "probes", "list")
    assert done.returncode == 4
    assert "config file not found" in done.stderr


def test_missing_and_malformed_reports(cli: Isolated, tmp_path: Path) -> None:
    missing = cli("report", "show", str(tmp_path / "nope.json"))
    assert missing.returncode == 4
    assert "report not found" in missing.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": "1.0", "complete": "yes"}')
    malformed = cli("report", "render", str(bad))
    assert malformed.returncode == 3
    assert malformed.stderr.startswith("homediag: error: invalid report")
    assert "Traceback" not in malformed.stderr
    newer = tmp_path / "newer.json"
    newer.write_text('{"schema_version": "2.1"}')
    refused = cli("report", "show", str(newer))
    assert refused.returncode == 3
    assert "2.1 is not supported" in refused.stderr


def test_no_color_is_respected(cli: Isolated) -> None:
    coloured = cli("probes", "list", env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    plain = cli("probes", "list", env={"FORCE_COLOR": "1", "NO_COLOR": "1", "TERM": "xterm-256color"})
    colour = re.compile(r"\x1b\[[0-9;]*(?:3[0-7]|9[0-7]|38;[0-9;]+)m")
    assert colour.search(coloured.stdout)
    assert not colour.search(plain.stdout)


def test_diagnose_on_loopback_writes_a_valid_report(
    run_isolated: Isolated, loopback_config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    done = run_isolated(
        "diagnose",
        "--config",
        str(loopback_config),
        "--interface",
        "lo",
        "--non-interactive",
        "--no-redact",
        "--output",
        str(out),
    )
    assert done.returncode in (0, 1, 2), done.stderr
    document = json.loads(out.read_text())
    assert validation_errors(document) == []
    # the engine picks the probes; on loopback the addressing, gateway and DNS checks always run
    assert {r["probe"] for r in document["probe_runs"]} >= {"net.interfaces", "net.gateway", "net.dns"}
    assert document["privacy_level"] == "full"
    assert (out.stat().st_mode & 0o777) == 0o600  # a full (unredacted) report is private
    text = run_isolated("report", "render", str(out), "--format", "text")
    assert text.returncode == 0 and "net.gateway" in text.stdout
    again = load_report(out)
    assert again.context.interface == "lo"


def test_diagnose_json_to_stdout_also_saves_a_copy(
    run_isolated: Isolated, loopback_config: Path, isolated_env: dict[str, str]
) -> None:
    done = run_isolated("diagnose", "--config", str(loopback_config), "--interface", "lo", "--format", "json")
    document = json.loads(done.stdout)
    assert validation_errors(document) == []
    assert document["privacy_level"] == "redacted"  # what homediag prints is redacted by default
    saved = list(Path(isolated_env["XDG_DATA_HOME"]).rglob("report-*.json"))
    assert json.loads(saved[0].read_text())["privacy_level"] == "redacted"
    assert len(saved) == 1
    assert str(saved[0]) in done.stderr


def test_help_speaks_the_users_language(cli: Isolated) -> None:
    german = cli("--help", env={"LANGUAGE": "de"})
    french = cli("lab", "--help", env={"LANGUAGE": "fr"})
    assert "Diagnose durch Ausschluss" in german.stdout
    assert "Die Geräte im lokalen Netzwerk auflisten." in german.stdout
    assert "laboratoire" in french.stdout


def test_a_missing_baseline_is_a_usage_error(cli: Isolated, tmp_path: Path) -> None:
    done = cli("diagnose", "printer", "--non-interactive", "--baseline", str(tmp_path / "old.json"))
    assert done.returncode == 4
    assert "report not found" in done.stderr and "Traceback" not in done.stderr


def test_scan_on_loopback_finds_no_lan_and_prints_json(run_isolated: Isolated, loopback_config: Path) -> None:
    done = run_isolated("scan", "--config", str(loopback_config), "--interface", "lo", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"devices": []}  # discovery does not sweep loopback
