"""The size limits of docs/architecture.md (issue 17): one room per job, each small enough to read.

No module in ``homediag/`` over 800 lines, no class over 300. The import layers are checked by
``lint-imports`` (./run-tests), not here.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "homediag"
MAX_MODULE_LINES = 800
MAX_CLASS_LINES = 300


def _modules() -> list[Path]:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 100, f"homediag's modules not found under {PACKAGE}"
    return modules


def test_no_module_over_the_limit() -> None:
    over = {
        str(path.relative_to(PACKAGE.parent)): lines
        for path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert over == {}, f"modules over {MAX_MODULE_LINES} lines: split them along their jobs"


def test_no_class_over_the_limit() -> None:
    over = {}
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno is not None
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES:
                    over[f"{path.relative_to(PACKAGE.parent)}:{node.name}"] = lines
    assert over == {}, f"classes over {MAX_CLASS_LINES} lines: give their jobs classes of their own"

