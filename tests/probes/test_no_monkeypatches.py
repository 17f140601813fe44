"""Probe tests feed probes through the context (recordings, or the fakes of homediag.testing), never by
patching probe or protocol-library internals: a patched name hides the I/O a real run would do."""

from __future__ import annotations

import ast
from pathlib import Path

HERE = Path(__file__).parent
PATCHED_PACKAGES = ("homediag.probes", "homediag.net")


def _patched_in(path: Path, root: Path = HERE) -> list[str]:
    """``monkeypatch.setattr``/``setitem``/``delattr`` calls, and ``mock.patch`` of probe or net names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PATCHED_PACKAGES):
            imported.update(alias.asname or alias.name for alias in node.names)
        if isinstance(node, ast.Import):
            imported.update(
                alias.asname or alias.name for alias in node.names if alias.name.startswith(PATCHED_PACKAGES)
            )
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in ("setattr", "delattr", "patch", "object") or not node.args:
            continue
        target = node.args[0]
        text = ast.unparse(target)
        name = text.split(".")[0].strip("'\"")
        if name in imported or text.strip("'\"").startswith(PATCHED_PACKAGES):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)[:100]}")
    return found


def test_no_probe_test_patches_probe_or_net_internals() -> None:
    patched = [line for path in sorted(HERE.rglob("*.py")) for line in _patched_in(path)]
    assert patched == [], "feed the probe a recording or io=fake_io(...) instead:\n" + "\n".join(patched)


def test_the_check_sees_a_patch(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "from homediag.net import l2\nfrom homediag.probes.discovery import arp as sweep\n"
        "def test_x(monkeypatch):\n"
        "    monkeypatch.setattr(l2, 'exchange', None)\n"
        "    monkeypatch.setattr(sweep.random, 'getrandbits', None)\n"
        "    monkeypatch.setattr('homediag.net.reach.resolve', None)\n"
        "    monkeypatch.setattr(other, 'x', None)\n",
        encoding="utf-8",
    )
    assert len(_patched_in(sample, tmp_path)) == 3
