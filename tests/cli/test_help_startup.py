"""``homediag --help`` without the parts of rich it does not use (homediag/cli/lazyrich.py, issue 16).

Each check runs in a fresh interpreter: in this one typer's rich help may be imported already.
"""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_help_imports_neither_markdown_nor_tracebacks() -> None:
    out = _run(
        "import sys\n"
        "from homediag.cli.app import main\n"
        "sys.argv = ['homediag', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('rich.markdown', 'rich.traceback', 'markdown_it', 'rich.pretty',"
        " 'typer.rich_utils') if m in sys.modules))\n"
    )
    assert "LOADED ['typer.rich_utils']" in out, out[-500:]
    assert "Commands" in out and "diagnose" in out  # the rich help, panels and all


def test_the_deferred_classes_are_the_real_ones_when_used() -> None:
    out = _run(
        "import sys\n"
        "import homediag.cli.app\n"
        "from typer import rich_utils\n"
        "assert 'rich.markdown' not in sys.modules and 'rich.traceback' not in sys.modules\n"
        "import rich.markdown, rich.traceback\n"
        "print('REAL', type(rich_utils.Markdown('**x**')) is rich.markdown.Markdown,\n"
        "      rich.markdown.Markdown.__module__, type(sys.modules['rich.traceback']).__name__)\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError as exc:\n"
        "    tb = rich_utils.Traceback.from_exception(type(exc), exc, exc.__traceback__)\n"
        "print('TRACEBACK', type(tb) is rich.traceback.Traceback)\n"
    )
    assert "REAL True rich.markdown module" in out, out
    assert "TRACEBACK True" in out, out


def test_markdown_help_still_renders_markdown() -> None:
    # homediag's help is in rich markup; a typer app in markdown mode in the same process still gets
    # Markdown (made by the stand-in, imported on first use).
    out = _run(
        "import homediag.cli.app\n"
        "import typer\n"
        "from typer.testing import CliRunner\n"
        "app = typer.Typer(rich_markup_mode='markdown')\n"
        "@app.command()\n"
        "def hello() -> None:\n"
        "    '''Say **hello** in a [link](https://example.invalid).'''\n"
        "result = CliRunner().invoke(app, ['--help'], env={'COLUMNS': '100'})\n"
        "print(result.output)\n"
    )
    assert "Say hello in a link" in out, out
    assert "**hello**" not in out
