"""Every collected fact is judged by a playbook or says why not (issue 13: 141 of 217 facts were never
read, silently). A fact counts as read when a built-in playbook's test reads it (its own fact, the facts
its map names, those its evidence texts print, those its requires/valid_if name), when a playbook's
applies_if names it, or when a probe needs or follows it (a summary probe judges it into the facts it
provides).
Every other fact declares ``not_judged`` with the reason in its probe's spec."""

from __future__ import annotations

import re

from homediag.app.registry import load_registry
from homediag.core import codes
from homediag.core.facts import FactCatalogue
from homediag.engine.catalog import load_playbooks

REGISTRY = load_registry(plugins=False)


def _read_by_playbooks() -> set[str]:
    read: set[str] = set()
    for model in load_playbooks().playbooks:
        for test in model.tests:
            read.update(test.reads)
            for expression in (test.requires, test.valid_if):
                if expression is not None:
                    read |= expression.fact_refs
        if model.spec.applies_if is not None:
            read.add(model.spec.applies_if.fact)
        rule = model.applies_if
        if rule is not None and rule.expression is not None:
            read |= rule.expression.fact_refs
    return read


def _needed_by_probes() -> set[str]:
    return {fact for spec in REGISTRY.specs() for fact in (*spec.needs, *spec.follows)}


CATALOGUE: FactCatalogue = REGISTRY.catalogue()
READ = _read_by_playbooks()
NEEDED = _needed_by_probes()


def test_every_fact_is_judged_or_says_why_not() -> None:
    silent = sorted(
        f"{fact.name} ({fact.provider})"
        for fact in CATALOGUE
        if fact.name not in READ and fact.name not in NEEDED and not fact.not_judged
    )
    assert silent == [], "facts no playbook reads and whose declaration does not say why"


def test_a_judged_fact_does_not_say_it_is_not_judged() -> None:
    stale = sorted(fact.name for fact in CATALOGUE if fact.not_judged and fact.name in READ)
    assert stale == [], "these facts are read by a playbook: drop their not_judged"


def test_the_reasons_name_facts_that_exist() -> None:
    known = {fact.name for fact in CATALOGUE}
    prefixes = {name.split(".", 1)[0] for name in known}
    unknown = []
    for fact in CATALOGUE:
        for ref in re.findall(r"\b([a-z0-9]+\.[a-z0-9_]+)\b", fact.not_judged or ""):
            if ref.split(".", 1)[0] in prefixes and ref not in known and not codes.is_known(ref):
                unknown.append(f"{fact.name}: {ref}")
    assert unknown == []
