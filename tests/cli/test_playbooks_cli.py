"""``homediag playbooks list | validate | test`` through the real entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from homediag.cli.app import main
from homediag.engine.catalog import builtin_location

NO_INTERNET = Path(str(builtin_location())) / "no-internet.yaml"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_list_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "playbooks", "list")
    assert code == 0
    assert "no-internet" in out and "complete" in out
    assert "draft" not in out  # every built-in playbook is complete


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "playbooks", "list", "--format", "json", "--lang", "de")
    assert code == 0
    data = json.loads(out)
    by_id = {p["id"]: p for p in data["playbooks"]}
    assert by_id["no-internet"]["title"] == "Keine Internetverbindung"
    assert by_id["no-internet"]["draft"] is False and by_id["printer"]["draft"] is False
    assert all(isinstance(p["draft"], bool) for p in data["playbooks"])
    assert len(by_id["no-internet"]["sha256"]) == 64


def test_validate_builtin_is_clean_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "playbooks", "validate")
    assert code == 0
    assert "0 errors" in out
    assert "warning" not in err


def test_validate_warns_about_a_draft_and_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    draft = tmp_path / "draft.yaml"
    text = NO_INTERNET.read_text(encoding="utf-8").replace("\nversion:", "\ndraft: true\nversion:", 1)
    assert "draft: true" in text
    draft.write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, "playbooks", "validate", str(draft))
    assert code == 0
    assert "0 errors" in out
    assert "warning: draft: draft playbook" in err


def test_validate_reports_file_and_line_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    text = NO_INTERNET.read_text(encoding="utf-8").replace("prior: 0.12", "prior: 0", 1)  # weights are > 0
    broken.write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, "playbooks", "validate", str(broken))
    assert code == 1
    assert f"{broken}:" in err and "error: causes.0.prior: Input should be greater than 0" in err
    assert "1 errors" in out


def test_validate_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    broken = tmp_path / "dup.yaml"
    broken.write_text("id: a\nid: b\n", encoding="utf-8")
    code, out, _ = _run(capsys, "playbooks", "validate", "--format", "json", str(broken))
    assert code == 1
    data = json.loads(out)
    assert data["valid"] is False
    assert data["problems"][0] == {
        "severity": "error",
        "file": str(broken),
        "line": 2,
        "message": "duplicate key 'id'",
    }


def test_test_passes_on_the_builtin_playbooks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "playbooks", "test", "--playbook", "no-internet")
    assert code == 0
    assert "PASS no-internet: cable unplugged" in out
    assert "0 failed" in out


def test_test_fails_on_a_wrong_expectation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "pb"
    folder.mkdir()
    text = NO_INTERNET.read_text(encoding="utf-8").replace(
        "      diagnosis: link_down\n", "      diagnosis: wan_down\n", 1
    )
    (folder / "no-internet.yaml").write_text(text, encoding="utf-8")
    code, out, _ = _run(capsys, "playbooks", "test", "--format", "json", str(folder))
    assert code == 1
    data = json.loads(out)
    failed = [c for c in data["cases"] if not c["passed"]]
    assert [c["name"] for c in failed] == ["cable unplugged, nothing else is probed"]
    assert "diagnosis: expected wan_down, got link_down" in failed[0]["failures"]


def test_usage_errors_exit_4(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "playbooks", "validate", str(tmp_path / "missing.yaml"))
    assert code == 4
    assert "no such file or folder" in err
    shutil.copy(NO_INTERNET, tmp_path / "no-internet.yaml")
    code, _, err = _run(capsys, "playbooks", "test", "--playbook", "nope", str(tmp_path))
    assert code == 4
    assert "unknown playbook nope" in err
