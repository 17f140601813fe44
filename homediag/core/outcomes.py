"""Words for the outcomes of playbook tests, in every language homediag speaks.

A playbook names a test's outcomes with ids (``open``, ``silent``, ``paused``) and may give an evidence
sentence per outcome (``explain``). Where it gives none, the evidence reads ``<test title>: <outcome>``;
this table gives the outcome its word in the reader's language, so a German report does not read
``MQTT ohne Passwort: open``. An outcome this table does not know is shown as its id (an id is the same
in every language). The engine words the evidence it stores with it, the report renderers rebuild it
with it in the reader's language, and redaction recognises these words as outcomes, never as secrets.
"""

from __future__ import annotations

from collections.abc import Mapping

from homediag.core.i18n import N_, SUPPORTED_LANGUAGES, gettext_for

OUTCOME_WORDS: Mapping[str, str] = {
    "open": N_("open"),
    "closed": N_("closed"),
    "secure": N_("encrypted"),
    "plain": N_("unencrypted"),
    "honest": N_("honest answers"),
    "hijacked": N_("invented answers"),
    "answers": N_("answers"),
    "silent": N_("does not answer"),
    "inside": N_("on this network"),
    "outside": N_("on another network"),
    "none": N_("none"),
    "found": N_("found"),
    "reachable": N_("reachable"),
    "isolated": N_("cut off"),
    "gap": N_("discovery does not get through"),
    "paper": N_("out of paper"),
    "jam": N_("paper jam"),
    "supply": N_("toner or ink low"),
    "paused": N_("paused"),
}
"""The outcome ids of the shipped playbooks' tests that have no ``explain`` text, with their words."""


def outcome_word(outcome: str, lang: str) -> str:
    """The word for ``outcome`` in ``lang`` (the id itself when the table does not know it)."""
    message = OUTCOME_WORDS.get(outcome)
    return gettext_for(lang, message) if message is not None else outcome


def outcome_words(outcome: str) -> frozenset[str]:
    """Every way ``outcome`` is written in a report, in any language (its id included)."""
    return frozenset({outcome, *(outcome_word(outcome, lang) for lang in SUPPORTED_LANGUAGES)})
