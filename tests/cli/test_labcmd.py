"""``homediag lab`` commands that need no lab: listing and usage errors."""

from __future__ import annotations

import json

import pytest

from homediag.cli.app import main
from homediag.lab.faults import FAULTS
from homediag.lab.scenario import list_scenarios


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_lab_list_json_names_every_scenario_and_fault(capsys):
    code, out, _err = run(capsys, "lab", "list", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [s["name"] for s in data["scenarios"]] == list_scenarios()
    assert {f["name"] for f in data["faults"]} == set(FAULTS)
    healthy = data["scenarios"][0]
    assert healthy["expect"] == {"codes": [], "top": None}
    assert ["wan-loss", "printer-paused"] in data["pairs"]
    assert {f["name"]: f["complaint"] for f in data["faults"]}["printer-paused"] == "printer"


@pytest.mark.parametrize(
    "args",
    [
        ("lab", "up", "no-such-scenario"),
        ("lab", "fault", "add", "no-such-fault"),
        ("lab", "fault", "remove", "no-such-fault"),
        ("lab", "selftest", "--fault", "nope"),
    ],
    ids=["up", "fault-add", "fault-remove", "selftest"],
)
def test_unknown_names_are_usage_errors(capsys, args):
    code, _out, err = run(capsys, *args)
    assert code == 4
    assert "unknown" in err and "Traceback" not in err


def test_bad_lab_id_is_a_one_line_error(capsys, monkeypatch):
    monkeypatch.setenv("HOMEDIAG_LAB_ID", "Bad-Id")
    code, _out, err = run(capsys, "lab", "status")
    assert code == 3
    assert err.count("\n") == 1 and "invalid lab id" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("lab", "up", "healthy", "--home", "7"), "not both"),
        (("lab", "up", "--home", "bad seed!"), "invalid seed"),
        (("lab", "bench", "--complaint", "sometimes"), "auto or checkup"),
        (("lab", "bench", "--seed", "../x"), "invalid seed"),
    ],
    ids=["scenario-and-home", "bad-home-seed", "bad-complaint-mode", "bad-bench-seed"],
)
def test_bad_home_and_bench_options_are_usage_errors(capsys, args, message):
    code, _out, err = run(capsys, *args)
    assert code == 4
    assert message in err and "Traceback" not in err
