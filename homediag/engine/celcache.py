"""cel-python's parser from a cache: its LALR tables are built from the CEL grammar on the first
``celpy.Environment`` of a process (0.1-0.2 s of every start-up that loads playbooks); lark can keep
them in a file, keyed by the grammar, the parser's options and the versions of lark and Python.

The file is a pickle, so it is used only from a directory of this user's own that nobody else may
write to (``platformdirs.user_cache_dir``, made 0700); anything else, or any failure, and the parser is
built as before. ``HOMEDIAG_NO_PARSER_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

ENV_OFF = "HOMEDIAG_NO_PARSER_CACHE"
FILE = "cel-parser.lark-cache"
KNOWN_CELPY = frozenset({"0.5.0"})
"""cel-python versions whose ``CELParser`` builds its Lark parser with the options copied below."""


def install() -> bool:
    """Give cel-python a parser loaded from (or saved to) the cache; False when the cache is not used
    (cel-python then builds its parser itself, as without this module)."""
    if os.environ.get(ENV_OFF):
        return False
    from celpy import InterpretedRunner
    from celpy.celparser import CELParser

    if CELParser.CEL_PARSER is not None or not _known_version():
        return False
    where = _own_directory()
    if where is None:
        return False
    path = where / FILE
    if path.exists() and not _owned_and_private(path):
        return False
    try:
        import celpy.celparser
        from lark import Lark

        grammar = (Path(celpy.celparser.__file__).parent / "cel.lark").read_text(encoding="utf-8")
        lark_log = logging.getLogger("lark")
        level = lark_log.level
        lark_log.setLevel(logging.CRITICAL)  # a cache it cannot write is not worth a traceback on stderr
        try:
            parser = Lark(  # the options of cel-python's CELParser, and the cache
                grammar,
                parser="lalr",
                start="expr",
                debug=True,
                g_regex_flags=re.M,
                lexer_callbacks={"IDENT": CELParser.ambiguous_literals},
                propagate_positions=True,
                maybe_placeholders=False,
                priority="invert",
                tree_class=InterpretedRunner.tree_node_class,
                cache=str(path),
            )
        finally:
            lark_log.setLevel(level)
    except Exception:  # noqa: BLE001 - a cache must never stop a run: cel-python builds its own
        return False
    CELParser.CEL_PARSER = parser
    return True


def _known_version() -> bool:
    """Whether cel-python is a version whose parser options :func:`install` copies (checked: 0.5.0)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cel-python") in KNOWN_CELPY
    except PackageNotFoundError:
        return False


def _own_directory() -> Path | None:
    try:
        from platformdirs import user_cache_dir

        where = Path(user_cache_dir("homediag"))
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (OSError, ImportError):
        return None
    return where if _owned_and_private(where) else None


def _owned_and_private(path: Path) -> bool:
    """Whether ``path`` (not a link) belongs to this user and nobody else may write to it."""
    try:
        info = path.lstat()
    except OSError:
        return False
    if stat.S_ISLNK(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "geteuid") or info.st_uid == os.geteuid()
