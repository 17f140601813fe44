"""Every text in code exists in German and French: in the catalogues, translated, not a copy of the English.

New texts: extract and merge with babel, then translate the empty entries
(``pybabel extract -k _ -k N_ --no-location -o /tmp/homediag.pot homediag`` and
``pybabel update -i /tmp/homediag.pot -d homediag/locale -D homediag --no-fuzzy-matching --omit-header
--ignore-obsolete``). How to translate: homediag/locale/README.md.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from homediag.core.i18n import LOCALE_DIR, gettext_for

PACKAGE = Path(__file__).resolve().parents[2] / "homediag"
INVARIANT = {
    "DNS",  # protocol names and units are the same in every language
    "MAC",
    "5 GHz",
    "Wi-Fi",
    "{source}: {key}: {message}{suffix}",
    "{dbm:.0f} dBm",  # a number and its unit, nothing to translate
}


def messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for message, where in all_messages().items():
        if isinstance(message, str):
            found[message] = where
    return found


def all_messages() -> dict[str | tuple[str, str], str]:
    """Every message of the code: texts of ``_()``/``N_()``, and (singular, plural) pairs of
    ``ngettext()`` (gettext plural forms: never "problem(s)")."""
    found: dict[str | tuple[str, str], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None, "ngettext": (1, 2)},
    ):
        key = message if isinstance(message, str) else (str(message[0]), str(message[1]))
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def _calls_in_fstrings(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in ("_", "N_"):
                    lines.append(inner.lineno)
    return lines


def test_no_translated_text_hides_inside_an_f_string() -> None:
    """babel (on Python 3.11) cannot extract ``_()`` called inside an f-string: such texts would never
    be translated. Translate into a variable first."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line in _calls_in_fstrings(ast.parse(path.read_text("utf-8"))):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{line}")
    assert found == []


MARKERS = ("_", "N_")


def _is_alias_of_a_marker(node: ast.AST) -> bool:
    """``X = N_`` or ``from homediag.core.i18n import N_ as X``."""
    if isinstance(node, ast.Assign):
        return isinstance(node.value, ast.Name) and node.value.id in MARKERS
    if isinstance(node, ast.ImportFrom) and node.module == "homediag.core.i18n":
        return any(a.name in MARKERS and a.asname not in (None, a.name) for a in node.names)
    return False


def test_no_text_is_marked_through_another_name() -> None:
    """babel extracts only calls named ``_`` and ``N_``: a text marked through an alias (``_F = N_``,
    ``import N_ as X``) never reaches the catalogues and stays English. Call the markers by name."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if _is_alias_of_a_marker(node):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}")
    assert found == []


def test_babel_finds_every_translated_text() -> None:
    """Every literal passed to _() or N_() anywhere in the package is in babel's extraction."""
    extracted = set(messages())
    literal = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                literal.add(node.args[0].value)
    assert sorted(literal - extracted) == []


def catalogue(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "homediag.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_every_message_is_translated(lang: str) -> None:
    po = catalogue(lang)
    problems = []
    for message, where in sorted(all_messages().items(), key=lambda item: str(item[0])):
        msgid = message if isinstance(message, str) else message[0]
        entry = po.get(msgid)
        forms = (entry.string,) if entry is not None and isinstance(entry.string, str) else (
            tuple(entry.string) if entry is not None else ()
        )  # fmt: skip
        english = (message,) if isinstance(message, str) else message
        if entry is None or not forms or not all(forms):
            problems.append(f"missing: {message!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {message!r} ({where})")
        elif isinstance(message, tuple) != isinstance(entry.id, tuple | list):
            problems.append(f"plural forms differ: {message!r} ({where})")
        elif any(form in english for form in forms) and message not in INVARIANT:
            problems.append(f"copy of the English: {message!r} ({where})")
        elif any(fields(str(form)) != fields(english[-1]) for form in forms):
            problems.append(f"placeholders differ: {message!r} -> {entry.string!r}")
    assert problems == []


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_catalogue_holds_only_texts_in_the_code(lang: str) -> None:
    """Texts removed from the code leave the catalogue (``pybabel update --ignore-obsolete``)."""
    po = catalogue(lang)
    in_code = set(messages()) | {m[0] for m in all_messages() if isinstance(m, tuple)}
    assert sorted(str(m.id) for m in po if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in in_code) == []
    assert sorted(str(key) for key in po.obsolete) == []


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_catalogue_compiles_and_translates(lang: str) -> None:
    assert gettext_for(lang, "No problem found.") != "No problem found."
    assert re.search(r"\{title\}", gettext_for(lang, "{title}: ruled out, because {reason}."))


def test_invariants_are_few_and_really_invariant() -> None:
    assert len(INVARIANT) <= 6
    assert all(len(m) <= 40 for m in INVARIANT)


def test_french_typography() -> None:
    # homediag/locale/README.md: straight apostrophes, no guillemets, a no-break space before : ; ? !
    # (a colon inside an address such as {ip}:{port} or a URL is no punctuation)
    problems = []
    for message in catalogue("fr"):
        if not message.id:
            continue
        text = " | ".join(message.string) if isinstance(message.string, tuple | list) else str(message.string)
        if any(c in text for c in "’‘«»"):
            problems.append(f"curly apostrophe or guillemets: {text!r}")
        if re.search(r" [:;?!]", text):
            problems.append(f"plain space before punctuation: {text!r}")
        # no space at all ("Conclusion:"): punctuation after a letter, a quote or a bracket, followed by a
        # space or the end (so not {ip}:{port}, http://, 10:30)
        if re.search(r"[\w'\")\]][:;?!](?=\s|$)", re.sub(r"\{[^}]*\}", "x", text)):
            problems.append(f"no no-break space before punctuation: {text!r}")
    assert problems == []
