"""cel-python's parser comes from a private cache file, parses as the one it builds, and a cache
directory others may write to is never read (the file is a pickle)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import json, sys
from homediag.engine import celcache
used = celcache.install()
import celpy
from celpy.celparser import CELParser
celpy.Environment()
from lark import Token, Tree
from homediag.engine.expressions import Budget, compile_expression
def plain(node):
    if isinstance(node, Tree):
        return [str(node.data), [plain(c) for c in node.children]]
    return [node.type, str(node)] if isinstance(node, Token) else repr(node)
text = "facts['a'] > 2 && 'x' in answers ? [1, 2.5] : {'k': true}"
value = compile_expression(text).evaluate({"facts": {"a": 3}, "answers": {"x": "yes"}}, Budget())
print(json.dumps({"used": used, "tree": plain(CELParser.CEL_PARSER.parse(text)), "value": repr(value)}))
"""


def parse_in(cache_home: Path, *, off: bool = False) -> dict[str, object]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    env.pop("HOMEDIAG_NO_PARSER_CACHE", None)
    if off:
        env["HOMEDIAG_NO_PARSER_CACHE"] = "1"
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="owner checks are POSIX")
def test_the_cached_parser_is_saved_privately_and_parses_as_cel_pythons_own(tmp_path: Path) -> None:
    built = parse_in(tmp_path / "off", off=True)
    first = parse_in(tmp_path)
    again = parse_in(tmp_path)
    assert built["used"] is False and first["used"] is True and again["used"] is True
    assert first["tree"] == again["tree"] == built["tree"]  # rule names are lark Tokens (str) from a cache
    assert first["value"] == again["value"] == built["value"] == "[1, 2.5]"
    cache = tmp_path / "homediag"
    assert (cache / "cel-parser.lark-cache").is_file()
    assert cache.stat().st_mode & 0o077 == 0  # nobody else may put a pickle there


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="owner checks are POSIX")
def test_a_cache_directory_others_may_write_to_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "homediag"
    cache.mkdir()
    cache.chmod(0o777)
    result = parse_in(tmp_path)
    assert result["used"] is False
    assert not (cache / "cel-parser.lark-cache").exists()
