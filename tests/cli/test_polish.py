"""The conventions people expect from the command line (issue 19): help, completion, paging, terminals.

Terminal behaviour is tested on a real pseudo-terminal (``pty``), where rich draws as it does for a user;
piped runs are tested as scripts see them.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.cli.conftest import HOMEDIAG, Isolated

FIXTURES = Path(__file__).resolve().parents[1] / "reports" / "fixtures"
ESCAPE = re.compile(r"\x1b[\[\]()=>]")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
BOX = set("─━│┃┌┐└┘├┤┬┴┼╭╮╯╰┏┓┗┛┡┩╇╈┣┫┳┻╋═║")


@pytest.fixture
def paused(tmp_path: Path) -> Path:
    target = tmp_path / "paused.json"
    shutil.copy(FIXTURES / "printer-paused.json", target)
    return target


def in_pty(args: list[str], env: dict[str, str], *, rows: int = 40, cols: int = 100) -> tuple[int, str]:
    """Run ``homediag ARGS`` on a pseudo-terminal of ``rows`` x ``cols``; its exit code and screen text."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    environment = {k: v for k, v in env.items() if k not in {"COLUMNS", "LINES"}}
    proc = subprocess.Popen([*HOMEDIAG, *args], stdin=slave, stdout=slave, stderr=slave, env=environment,
                            close_fds=True)  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError as exc:  # EIO: the child closed the terminal
            if exc.errno != errno.EIO:
                raise
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = proc.wait(timeout=60)
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


# --- help ------------------------------------------------------------------------------------------------

HELP_OF_EVERY_COMMAND = """
import sys
from typer.main import get_command
from homediag.cli.app import _run, app

def paths(command, path):
    yield path
    for name, child in sorted(getattr(command, "commands", {}).items()):
        yield from paths(child, [*path, name])

every = list(paths(get_command(app), []))
for path in every:
    print("=== " + " ".join(path), flush=True)
    code = _run([*path, "--help"])
    print(f"=== exit {code}", flush=True)
print(f"=== commands {len(every)}")
"""


@pytest.mark.parametrize(
    ("lang", "help_text"),
    [("en", "Show this message and exit."), ("de", "Diese Hilfe anzeigen und beenden."),
     ("fr", "Afficher cette aide et quitter.")],
)  # fmt: skip
def test_the_help_of_every_command_shows_no_type_metavars(isolated_env: dict[str, str], lang: str,
                                                          help_text: str) -> None:  # fmt: skip
    env = {**isolated_env, "LANGUAGE": lang, "COLUMNS": "250"}
    done = subprocess.run([sys.executable, "-c", HELP_OF_EVERY_COMMAND], capture_output=True, text=True,
                          env=env, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    total = int(done.stdout.rsplit("=== commands ", 1)[1])
    assert total >= 20  # the root, diagnose, scan, the groups and their commands
    sections = done.stdout.split("=== ")[1:]
    assert sections.count("exit 0\n") == total, done.stdout[-2000:]
    assert "<bool>" not in done.stdout
    options = [line for line in done.stdout.splitlines() if line.startswith("│ -")]
    assert not [line for line in options if "<list[" in line]
    assert re.search(r"--fault\s+FAULT\s", done.stdout)  # a repeatable option names one value
    assert done.stdout.count(help_text) == total  # --help of each command, in the language
    diagnose = done.stdout.split("=== diagnose\n")[1].split("=== exit")[0]
    allow = next(line for line in diagnose.splitlines() if "--allow " in line)
    assert "PROBE_ID" in allow
    flag = next(line for line in diagnose.splitlines() if "--non-interactive" in line)
    assert re.search(r"--non-interactive\s+\S", flag) and "<" not in flag.split("--non-interactive")[1][:20]
    assert "[OPTIONS] [COMPLAINT]" in diagnose
    root = done.stdout.split("=== \n")[1].split("=== exit")[0]
    assert "--install-completion" in root and "--show-completion" in root


# --- completion --------------------------------------------------------------------------------------------


def complete_bash(cli: Isolated, line: str, **env: str) -> list[str]:
    words = line.split(" ")
    cword = str(len(words) - 1)
    done = cli(env={"_HOMEDIAG_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": cword, **env})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.split()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("homediag diagnose pri", ["printer"]),
        ("homediag diagnose s", ["slow-internet", "smart-home"]),
        ("homediag diagnose --allow net.d", ["net.dhcp", "net.dns"]),
        ("homediag probes explain devices.printer", ["devices.printer_ipp", "devices.printer_summary"]),
        ("homediag diagnose --format ", ["text", "json", "markdown", "html"]),
        ("homediag report render x.json --format m", ["markdown"]),
        ("homediag diagnose --lang ", ["en", "de", "fr"]),
        ("homediag report show x.json --lang f", ["fr"]),
        ("homediag probes list --format ", ["text", "json"]),
        ("homediag di", ["diagnose"]),
    ],
)
def test_completion_of_complaints_probe_ids_formats_and_languages(cli: Isolated, line: str,
                                                                  expected: list[str]) -> None:  # fmt: skip
    assert complete_bash(cli, line) == expected


def test_completions_carry_titles_in_the_users_language(cli: Isolated) -> None:
    done = cli(env={"_HOMEDIAG_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "homediag diagnose pri",
                    "LANGUAGE": "de"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"printer":"Der Drucker druckt nicht"' in done.stdout


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o default -F _homediag_completion homediag"), ("zsh", "#compdef homediag"),
     ("fish", "complete --command homediag"), ("powershell", "Register-ArgumentCompleter")],
)  # fmt: skip
def test_completion_scripts_for_four_shells(cli: Isolated, shell: str, marker: str) -> None:
    done = cli(env={"_HOMEDIAG_COMPLETE": f"source_{shell}"})
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout and "_HOMEDIAG_COMPLETE" in done.stdout


def test_install_completion_writes_the_script_for_the_users_shell(
    cli: Isolated, isolated_env: dict[str, str]
) -> None:
    done = cli("--install-completion", env={"SHELL": "/bin/bash"})
    assert done.returncode == 0, done.stderr
    home = Path(isolated_env["HOME"])
    script = home / ".bash_completions" / "homediag.sh"
    assert "_HOMEDIAG_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (home / ".bashrc").read_text()


def test_help_loads_no_completion_data() -> None:
    code = (
        "import sys\nfrom homediag.cli.app import main\nsys.argv = ['homediag', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('homediag.app.playbooks', 'homediag.app.registry', "
        "'homediag.probes') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "LOADED []" in done.stdout, done.stdout[-500:]


# --- what the summary of a complaint shows --------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "title"),
    [((), "Devices concerned (1 of 6)"), (("checkup",), "Devices (6)"),
     (("--audience", "technician"), "Devices (6)"), (("--devices",), "Devices (6)")],
)  # fmt: skip
def test_the_device_table_is_whole_for_a_checkup_a_technician_or_devices(
    cli: Isolated, paused: Path, options: tuple[str, ...], title: str
) -> None:
    done = cli("diagnose", *options, "--non-interactive", "--from", str(paused), "--lang", "en")
    assert done.returncode in (0, 1), done.stderr
    assert title in done.stdout
    assert ("nas-" in done.stdout) is (title == "Devices (6)")


def test_scan_lists_every_device(run_isolated: Isolated, loopback_config: Path) -> None:
    done = run_isolated("scan", "--config", str(loopback_config), "--interface", "lo")
    assert done.returncode in (0, 2), done.stderr
    assert re.search(r"^Devices \(\d+\)", done.stdout, re.MULTILINE), done.stdout
    assert "concerned" not in done.stdout


def test_ruled_out_lines_name_the_deciding_evidence_once(cli: Isolated, tmp_path: Path) -> None:
    report = tmp_path / "checkup.json"
    shutil.copy(FIXTURES / "checkup-advisories.json", report)
    done = cli("report", "show", str(report), "--lang", "en")
    assert done.returncode == 0, done.stderr
    ruled_out = done.stdout.split("Ruled out")[1]
    jam = next(line for line in ruled_out.splitlines() if "Paper is jammed" in line)
    assert jam.strip() == "✓ Paper is jammed — ruled out: Printer alerts: paused."


# --- paging -------------------------------------------------------------------------------------------------


def test_report_show_pages_a_long_report_on_a_terminal(paused: Path, isolated_env: dict[str, str],
                                                       tmp_path: Path) -> None:  # fmt: skip
    paged = tmp_path / "paged.txt"
    env = {**isolated_env, "PAGER": f"cat > {paged}", "TERM": "xterm-256color", "LESS": ""}
    code, screen = in_pty(["report", "show", str(paused), "--lang", "en"], env, rows=20)
    assert code == 0, screen
    assert "Resume the printer" in paged.read_text()
    assert "Resume the printer" not in screen  # the pager had it, not the terminal


def test_report_show_prints_a_short_report_without_pager(paused: Path, isolated_env: dict[str, str],
                                                          tmp_path: Path) -> None:  # fmt: skip
    paged = tmp_path / "paged.txt"
    env = {**isolated_env, "PAGER": f"cat > {paged}", "TERM": "xterm-256color"}
    code, screen = in_pty(["report", "show", str(paused), "--lang", "en"], env, rows=200)
    assert code == 0, screen
    assert "Resume the printer" in screen and not paged.exists()


def test_report_show_never_pages_when_piped(paused: Path, cli: Isolated, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    done = cli("report", "show", str(paused), "--lang", "en", env={"PAGER": f"cat > {paged}", "LINES": "10"})
    assert done.returncode == 0, done.stderr
    assert "Resume the printer" in done.stdout and not paged.exists()


# --- NO_COLOR, TERM=dumb, 60 columns ---------------------------------------------------------------------


def boxes_are_whole(text: str) -> None:
    """Every line of a box is as wide as the box's top line, and no line has a stray box piece."""
    width = None
    for line in text.splitlines():
        stripped = line.rstrip()
        if stripped[:1] in {"╭", "┏", "┌"}:
            width = cell_len(stripped)
        elif stripped[:1] in BOX and width is not None:
            assert cell_len(stripped) == width, line
            if stripped[:1] in {"╰", "└"}:
                width = None


@pytest.mark.parametrize(
    ("env", "cols"),
    [({"NO_COLOR": "1", "TERM": "xterm-256color"}, 100), ({"TERM": "dumb"}, 100),
     ({"TERM": "xterm-256color"}, 60), ({"NO_COLOR": "1", "TERM": "dumb"}, 60)],
    ids=["no-color", "dumb", "60-columns", "all-three"],
)  # fmt: skip
def test_the_summary_is_readable_in_plain_and_narrow_terminals(
    paused: Path, isolated_env: dict[str, str], env: dict[str, str], cols: int
) -> None:
    command = ["report", "show", str(paused), "--lang", "en", "--devices"]
    code, screen = in_pty(command, {**isolated_env, **env}, rows=500, cols=cols)
    assert code == 0, screen
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    if env.get("NO_COLOR"):
        assert not COLOUR.search(screen), repr(screen[:300])  # bold and dim may stay: they are no colour
    if env["TERM"] == "dumb":
        assert not ESCAPE.search(screen), repr(screen[:300])
    assert all(cell_len(line) <= cols for line in plain.splitlines()), plain
    boxes_are_whole(plain)
    for whole in ("10.77.0.20", "Brother", "Resume the printer", "The printer is paused"):
        assert whole in plain, whole
    assert re.search(r"3c:2a:f4:…mac-\d+", plain)  # the MAC is whole too
    if cols == 60:  # wrapped lines keep their indent
        wrapped = plain.split("but it has", 1)[1].splitlines()[1]
        assert wrapped.startswith("  ") and wrapped.strip().startswith("been paused")


def test_help_on_a_60_column_dumb_terminal(isolated_env: dict[str, str]) -> None:
    code, screen = in_pty(["diagnose", "--help"], {**isolated_env, "TERM": "dumb", "NO_COLOR": "1"}, cols=60)
    assert code == 0, screen
    assert not ESCAPE.search(screen)
    assert "Usage:" in screen and "--allow" in screen
    assert all(cell_len(line) <= 60 for line in screen.splitlines()), screen
    boxes_are_whole(screen)
