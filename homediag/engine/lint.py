"""Checks of a playbook beyond its schema, each pointing at the file and line.

Errors: references that do not resolve (effects, remedies, interactions, verifiers, cases),
distributions (``normal``, ``effects``) that do not sum to 1 (priors are weights and need not),
outcomes that are not the test's, unknown problem codes, unknown facts, CEL that does not compile, a
cause with neither a remedy nor ``escalation_only``, a disruptive remedy for customers that does not
say what it disrupts (``disrupts``), a missing or copied translation, two causes with
different remedies that no test tells apart.

In a ``draft: true`` playbook (an outline waiting for its probes), unknown facts and
indistinguishable causes are warnings, and the draft itself is reported as a warning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from homediag.core import codes
from homediag.core.config import ExpectConfig, Thresholds
from homediag.core.facts import FactCatalogue
from homediag.engine.loader import Document, PathKey
from homediag.engine.model import HEALTHY_ID, LEAK_ID, CompileError, PlaybookModel, compile_cel
from homediag.engine.schema import LANGUAGES, BoundRef, Match, PlaybookSpec
from homediag.engine.texts import PLACEHOLDER, fact_placeholders, placeholders

SUM_TOLERANCE = 1e-6
SEPARATION = 0.2
"""Two hypotheses are told apart by a test when some outcome's likelihood differs by more than
this."""

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding of validation, with where it is."""

    severity: Severity
    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.severity}: {self.message}"


class _Collector:
    def __init__(self, doc: Document, draft: bool, catalogue: FactCatalogue | None = None) -> None:
        self.doc = doc
        self.draft = draft
        self.catalogue = catalogue
        self.problems: list[Problem] = []
        self.unknown_facts: set[str] = set()
        """Unknown facts already reported (once per file is enough)."""

    def add(self, severity: Severity, path: PathKey, message: str) -> None:
        where = ".".join(str(p) for p in path)
        text = f"{where}: {message}" if where else message
        self.problems.append(Problem(severity, self.doc.source, self.doc.line_of(path), text))

    def error(self, path: PathKey, message: str) -> None:
        self.add("error", path, message)

    def warn(self, path: PathKey, message: str) -> None:
        self.add("warning", path, message)

    def draft_error(self, path: PathKey, message: str) -> None:
        """An error in a complete playbook, a warning in a draft."""
        self.add("warning" if self.draft else "error", path, message)


def _sums_to_one(values: Iterable[float]) -> bool:
    return abs(math.fsum(values) - 1.0) <= SUM_TOLERANCE


def _texts(data: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, Mapping[str, Any]]]:
    if isinstance(data, Mapping):
        if set(data) == set(LANGUAGES):
            yield path, data
            return
        for key, value in data.items():
            yield from _texts(value, (*path, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _texts(item, (*path, i))


def check_translations(spec: PlaybookSpec, doc: Document, out: _Collector) -> None:
    """A translation identical to the English is an error, unless whitelisted."""
    keep = set(spec.keep_untranslated)
    for path, text in _texts(doc.data):
        english = text.get("en")
        if not isinstance(english, str) or english in keep:
            continue
        for lang in LANGUAGES:
            if lang != "en" and text.get(lang) == english:
                out.error((*path, lang), f"the {lang} text is a copy of the English one")


_SETTINGS = {"thresholds": set(Thresholds.model_fields), "expect": set(ExpectConfig.model_fields)}
_BARE_SETTING = re.compile(
    r"(?<![{.\w])(?:expect\.)?(" + "|".join(sorted(_SETTINGS["thresholds"] | _SETTINGS["expect"])) + r")\b"
)


def check_placeholders(doc: Document, out: _Collector) -> None:
    """Numbers in texts come from placeholders that name a setting, the same in every language; a
    setting's bare key name in a text is an error (the reader wants the number)."""
    for path, text in _texts(doc.data):
        english = text.get("en")
        wanted = sorted(placeholders(english)) if isinstance(english, str) else []
        for lang in LANGUAGES:
            value = text.get(lang)
            if not isinstance(value, str):
                continue
            found = sorted(placeholders(value))
            for section, name in found:
                if name not in _SETTINGS[section]:
                    out.error((*path, lang), f"{{{section}.{name}}} names no setting")
            measured = sorted(fact_placeholders(value))
            for name in measured:
                _check_fact(name, (*path, lang), out)
            if lang != "en" and (
                found != wanted
                or measured != sorted(fact_placeholders(english) if isinstance(english, str) else [])
            ):
                out.error((*path, lang), "its placeholders differ from the English text's")
            bare = _BARE_SETTING.search(PLACEHOLDER.sub("", value))
            if bare is not None:
                out.error(
                    (*path, lang),
                    f"the setting's key name {bare.group(0)!r} in a text: write its placeholder "
                    f"({{thresholds.{bare.group(1)}}} or {{expect.{bare.group(1)}}}) to print the number",
                )


def _bound_names(match: Match) -> Iterator[BoundRef]:
    for bound in (match.lt, match.le, match.gt, match.ge):
        if isinstance(bound, BoundRef):
            yield bound
    for inner in (match.any, match.all):
        if inner is not None:
            yield from _bound_names(inner)


def _check_match(match: Match, path: PathKey, out: _Collector) -> None:
    for bound in _bound_names(match):
        if bound.threshold is not None and bound.threshold not in Thresholds.model_fields:
            out.error(path, f"unknown threshold {bound.threshold!r}")
        if bound.expect is not None and bound.expect not in ExpectConfig.model_fields:
            out.error(path, f"unknown expectation {bound.expect!r}")


def _check_fact(name: str, path: PathKey, out: _Collector) -> None:
    if out.catalogue is None:
        return
    if name not in out.catalogue and name not in out.unknown_facts:
        out.unknown_facts.add(name)
        out.draft_error(path, f"unknown fact {name!r} (not in the fact catalogue)")


def check_static(spec: PlaybookSpec, doc: Document, catalogue: FactCatalogue | None = None) -> list[Problem]:
    """Every check that needs no compiled model; facts are checked against ``catalogue`` when given
    (the application layer always gives the registry's: :func:`homediag.app.playbooks.load_playbooks`)."""
    out = _Collector(doc, spec.draft, catalogue)
    if spec.draft:
        out.warn(("draft",), "draft playbook: an outline until the probes it needs exist")

    causes = {c.id for c in spec.causes}
    advisory = {c.id for c in spec.causes if codes.is_advisory(c.code)}
    conditions = {c.id for c in spec.conditions}
    interactions = {i.id for i in spec.interactions}
    questions = {t.id for t in spec.tests if t.asks_user}
    tests_by_id = {t.id: t for t in spec.tests}

    seen: dict[str, str] = {}
    named: list[tuple[str, list[str]]] = [
        ("conditions", [c.id for c in spec.conditions]),
        ("causes", [c.id for c in spec.causes]),
        ("interactions", [i.id for i in spec.interactions]),
    ]
    for section, item_ids in named:
        for i, item_id in enumerate(item_ids):
            if item_id in (LEAK_ID, HEALTHY_ID):
                out.error((section, i, "id"), f"{item_id!r} is reserved")
            if item_id in seen:
                out.error((section, i, "id"), f"duplicate id {item_id!r} (also in {seen[item_id]})")
            seen[item_id] = section
    for section, ids in (
        ("tests", [t.id for t in spec.tests]),
        ("remedies", [r.id for r in spec.remedies]),
    ):
        found: set[str] = set()
        for i, item_id in enumerate(ids):
            if item_id in found:
                out.error((section, i, "id"), f"duplicate id {item_id!r}")
            found.add(item_id)

    coded: list[tuple[str, list[str]]] = [
        ("causes", [c.code for c in spec.causes]),
        ("interactions", [i.code for i in spec.interactions]),
    ]
    for section, item_codes in coded:
        for i, code in enumerate(item_codes):
            if not codes.is_known(code):
                out.error(
                    (section, i, "code"),
                    f"unknown problem code {code!r} (add it to homediag/core/codes.yaml)",
                )

    weights = [c.prior for c in spec.causes] + [i.prior for i in spec.interactions] + [spec.leak.prior]
    if not math.isfinite(math.fsum(weights)):
        out.error(("leak", "prior"), "the prior weights are too large to add up")

    for i, interaction in enumerate(spec.interactions):
        for key in ("all_of", "none_of"):
            for j, member in enumerate(getattr(interaction, key)):
                if member not in causes | conditions:
                    out.error(("interactions", i, key, j), f"{member!r} is not a cause or condition")
        overlap = set(interaction.all_of) & set(interaction.none_of)
        if overlap:
            out.error(("interactions", i), f"{sorted(overlap)[0]!r} is in both all_of and none_of")

    known_effects = causes | conditions | interactions
    for t_index, test in enumerate(spec.tests):
        base: PathKey = ("tests", t_index)
        outcomes = set(test.outcomes)
        if set(test.normal) != outcomes:
            out.error((*base, "normal"), "normal must give every outcome, and only those")
        elif not _sums_to_one(test.normal.values()):
            out.error((*base, "normal"), f"sums to {math.fsum(test.normal.values()):.6f}, not 1")
        for key, dist in test.effects.items():
            if key not in known_effects:
                out.error((*base, "effects", key), f"{key!r} is not a cause, condition or interaction")
            if set(dist) != outcomes:
                out.error((*base, "effects", key), "must give every outcome, and only those")
            elif not _sums_to_one(dist.values()):
                out.error((*base, "effects", key), f"sums to {math.fsum(dist.values()):.6f}, not 1")
        sugar_ids: dict[str, float] = {}
        for key, strength in (
            ("rules_out", 1.0 - spec.defaults.strong),
            ("suggests", spec.defaults.moderate),
        ):
            for outcome, ids in getattr(test, key).items():
                if outcome not in outcomes:
                    out.error((*base, key, outcome), f"{outcome!r} is not an outcome of this test")
                for cid in ids:
                    if cid not in known_effects:
                        out.error(
                            (*base, key, outcome),
                            f"{cid!r} is not a cause, condition or interaction",
                        )
                    if cid in test.effects:
                        out.error(
                            (*base, key, outcome),
                            f"{cid!r} has explicit effects too; use one or the other",
                        )
                    sugar_ids[cid] = sugar_ids.get(cid, 0.0) + strength
        for cid, pinned in sugar_ids.items():
            if pinned > 1.0 + SUM_TOLERANCE:
                out.error(base, f"shorthand for {cid!r} pins more than all of the probability")
        affected_conditions = [c for c in conditions if c in test.effects or c in sugar_ids]
        if len(affected_conditions) > 6:
            out.error(base, "at most 6 conditions may affect one test")
        for outcome in test.explain:
            if outcome not in outcomes:
                out.error((*base, "explain", outcome), f"{outcome!r} is not an outcome of this test")
        if test.fact is not None:
            _check_fact(test.fact, (*base, "fact"), out)
        if isinstance(test.map, list):
            produced = set()
            for r_index, rule in enumerate(test.map):
                produced.add(rule.outcome)
                if rule.outcome not in outcomes:
                    out.error(
                        (*base, "map", r_index, "outcome"),
                        f"{rule.outcome!r} is not an outcome of this test",
                    )
                if isinstance(rule.when, Match):
                    _check_match(rule.when, (*base, "map", r_index, "when"), out)
            for outcome in test.outcomes:
                if outcome not in produced:
                    out.warn((*base, "map"), f"no rule gives the outcome {outcome!r}")
        for key in ("map", "requires", "valid_if"):
            source = getattr(test, key)
            if isinstance(source, str):
                _check_cel(source, (*base, key), questions, out)
        if isinstance(test.map, list):
            for r_index, rule in enumerate(test.map):
                if isinstance(rule.when, str):
                    _check_cel(rule.when, (*base, "map", r_index, "when"), questions, out)
        if test.asks_user and test.ask_first and test.kind != "question":
            out.error((*base, "ask_first"), "only questions can be asked first")
        for outcome, ids in test.measures.items():
            if outcome not in outcomes:
                out.error((*base, "measures", outcome), f"{outcome!r} is not an outcome of this test")
            if test.asks_user:
                out.error((*base, "measures"), "only a probe measures: a question is no direct measurement")
            for cid in ids:
                if cid not in causes or cid in advisory:
                    out.error(
                        (*base, "measures", outcome),
                        f"{cid!r} is not a fault cause (advisories are judged from their tests anyway)",
                    )

    fixed_by_remedy: set[str] = set()
    for r_index, remedy in enumerate(spec.remedies):
        base = ("remedies", r_index)
        for key in remedy.fixes:
            if key not in causes | interactions:
                out.error((*base, "fixes", key), f"{key!r} is not a cause or interaction")
            fixed_by_remedy.add(key)
        if remedy.disruptive and remedy.safe_for_customer and remedy.disrupts is None:
            out.error(base, f"{remedy.id!r} is disruptive and safe for customers: say what it disrupts")
        if remedy.verify is not None:
            verifier = tests_by_id.get(remedy.verify.test)
            if verifier is None:
                out.error((*base, "verify", "test"), f"no test {remedy.verify.test!r}")
            elif remedy.verify.expect not in verifier.outcomes:
                out.error(
                    (*base, "verify", "expect"),
                    f"{remedy.verify.expect!r} is not an outcome of {verifier.id}",
                )

    for c_index, cause in enumerate(spec.causes):
        if cause.id not in fixed_by_remedy and not cause.escalation_only:
            out.error(("causes", c_index), f"{cause.id!r} has no remedy and is not escalation_only")
        if cause.id in advisory:
            if cause.prevalence is None:
                out.warn(
                    ("causes", c_index),
                    f"{cause.id!r} is an advisory ({cause.code}): give its prevalence, the prior it is "
                    "judged with on its own",
                )
            observed = any(
                cause.id in t.effects
                or any(cause.id in ids for ids in (*t.rules_out.values(), *t.suggests.values()))
                for t in spec.tests
                if not t.asks_user and t.fact is not None
            )
            if not observed:
                out.error(
                    ("causes", c_index),
                    f"{cause.id!r} is an advisory ({cause.code}): no probe test observes it, and an "
                    "advisory is judged from direct observation only",
                )
    for i_index, interaction in enumerate(spec.interactions):
        members = set(interaction.all_of) | {interaction.id}
        if not members & fixed_by_remedy:
            out.error(("interactions", i_index), f"no remedy fixes {interaction.id!r} or a member")

    if spec.applies_if is not None:
        _check_fact(spec.applies_if.fact, ("applies_if", "fact"), out)
        if isinstance(spec.applies_if.when, str):
            _check_cel(spec.applies_if.when, ("applies_if", "when"), questions, out)
        else:
            _check_match(spec.applies_if.when, ("applies_if", "when"), out)
    if spec.includes and spec.healthy_prior is None:
        out.error(("healthy_prior",), "a playbook with includes needs healthy_prior")

    hypotheses = (causes - advisory) | interactions | {LEAK_ID}
    for k_index, case in enumerate(spec.cases):
        base = ("cases", k_index)
        for o_index, obs in enumerate(case.observations):
            _check_fact(obs.fact, (*base, "observations", o_index, "fact"), out)
        for qid, answer in case.answers.items():
            asked = tests_by_id.get(qid)
            if asked is None or not asked.asks_user:
                out.error((*base, "answers", qid), f"{qid!r} is not a question")
            elif answer not in asked.outcomes:
                out.error((*base, "answers", qid), f"{answer!r} is not an answer of {qid}")
        expect = case.expect
        diagnosis = expect.diagnosis
        for hid in [diagnosis] if isinstance(diagnosis, str) else diagnosis or []:
            if hid not in hypotheses:
                out.error(
                    (*base, "expect", "diagnosis"),
                    f"{hid!r} is not a cause or interaction of the complaint (an advisory is judged on "
                    "its own: expect its code in codes)",
                )
        for key in ("ruled_out", "not_ruled_out"):
            for hid in getattr(expect, key):
                if hid not in hypotheses | advisory:
                    out.error((*base, "expect", key), f"{hid!r} is not a cause or interaction")
        for key in ("never_runs", "deferred"):
            for tid in getattr(expect, key):
                if tid not in tests_by_id:
                    out.error((*base, "expect", key), f"no test {tid!r}")
        if expect.first_question is not None and expect.first_question not in questions:
            out.error((*base, "expect", "first_question"), f"{expect.first_question!r} is not a question")
        for key in ("codes", "no_codes"):
            for code in getattr(expect, key):
                if not codes.is_known(code):
                    out.error((*base, "expect", key), f"unknown problem code {code!r}")

    check_translations(spec, doc, out)
    check_placeholders(doc, out)
    return out.problems


def _check_cel(source: str, path: PathKey, questions: set[str], out: _Collector) -> None:
    try:
        expression = compile_cel(source, path)
    except CompileError as exc:
        out.error(exc.path, str(exc))
        return
    for fact in sorted(expression.fact_refs):
        _check_fact(fact, path, out)
    for answer in sorted(expression.answer_refs):
        if answer not in questions:
            out.error(path, f"answers.{answer}: no question {answer!r} in this playbook")


def check_model(model: PlaybookModel, doc: Document) -> list[Problem]:
    """Checks on the compiled numbers: causes with different remedies must be told apart."""
    out = _Collector(doc, model.draft)
    remedy_sets: dict[str, frozenset[str]] = {}
    candidates = [h for h in model.hypotheses if h.kind in ("cause", "interaction")]
    for hypothesis in candidates:
        remedy_sets[hypothesis.id] = frozenset(r.id for r in model.remedies if model.fix(r, hypothesis) > 0)
    index = {h.id: i for i, h in enumerate(model.spec.causes)}
    for i, first in enumerate(candidates):
        for second in candidates[i + 1 :]:
            if remedy_sets[first.id] == remedy_sets[second.id]:
                continue
            if any(_separates(model, test, first.id, second.id) for test in model.tests):
                continue
            path: PathKey = ("causes", index[first.id]) if first.id in index else ("interactions",)
            out.draft_error(
                path,
                f"no test tells {first.id!r} from {second.id!r}, yet their remedies differ",
            )
    return out.problems


def _separates(model: PlaybookModel, test: Any, first: str, second: str) -> bool:
    hyps = {h.id: h for h in model.hypotheses}
    a = model.likelihood(test, hyps[first])
    b = model.likelihood(test, hyps[second])
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) > SEPARATION
