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
    "fit": N_("fits this network"),
    "foreign": N_("from another network or gateway"),
    "none": N_("none"),
    "found": N_("found"),
    "reachable": N_("reachable"),
    "isolated": N_("cut off"),
    "gap": N_("discovery does not get through"),
    "paper": N_("out of paper"),
    "jam": N_("paper jam"),
    "supply": N_("toner or ink low"),
    "paused": N_("paused"),
    "yes": N_("yes"),
    "far": N_("far away"),
    "hides": N_("hidden network"),
    "running": N_("running"),
    "agree": N_("agree"),
    "all": N_("all"),
    "conflict": N_("conflict"),
    "differ": N_("differ"),
    "private_home": N_("a home router's address"),
    "private_isp": N_("the provider's private address"),
    "stronger": N_("a stronger access point"),
    "tcp_only": N_("TCP only"),
    "very_high": N_("very high"),
    "visible": N_("visible"),
    "wide_24": N_("40 MHz on 2.4 GHz"),
    "slow_steady": N_("slow on every answer"),
    "all_down": N_("down with everything else"),
    "unheard": N_("router silent"),
    "beyond": N_("lost beyond the router"),
    "no": N_("no"),
    "absent": N_("absent"),
    "blackhole": N_("packets vanish"),
    "bloat": N_("bufferbloat"),
    "blocked": N_("blocked"),
    "broken": N_("broken"),
    "cable": N_("cable"),
    "cgnat": N_("carrier-grade NAT"),
    "clean": N_("clean"),
    "connected": N_("connected"),
    "crowded": N_("crowded"),
    "down": N_("down"),
    "duplicate": N_("used twice"),
    "fails": N_("fails"),
    "fast": N_("fast"),
    "fine": N_("fine"),
    "good": N_("good"),
    "heavy": N_("heavy"),
    "hidden": N_("hidden"),
    "high": N_("high"),
    "invented": N_("invented"),
    "lossy": N_("losing packets"),
    "low": N_("low"),
    "missing": N_("missing"),
    "moved": N_("moved"),
    "not_connected": N_("not connected"),
    "offline": N_("offline"),
    "ok": N_("in order"),
    "one": N_("one"),
    "other": N_("other"),
    "portal": N_("login page"),
    "present": N_("present"),
    "private": N_("private"),
    "public": N_("public"),
    "ready": N_("ready"),
    "same": N_("same"),
    "several": N_("several"),
    "severe": N_("severe"),
    "slow": N_("slow"),
    "some": N_("some"),
    "stopped": N_("stopped"),
    "stuck": N_("stuck"),
    "unique": N_("unique"),
    "unreachable": N_("unreachable"),
    "unused": N_("unused"),
    "up": N_("up"),
    "very_weak": N_("very weak"),
    "weak": N_("weak"),
    "wifi": N_("Wi-Fi"),
    "with_dns": N_("with DNS"),
    "without_dns": N_("without DNS"),
    "works": N_("works"),
}
"""The outcome ids of the shipped playbooks' tests, with their words (where a test has no ``explain``
text, and in the trace)."""


TEST_OUTCOME = N_("{test}: {outcome}")
"""The evidence of a test without an ``explain`` text for its outcome: its title and the outcome's word."""


def outcome_word(outcome: str, lang: str) -> str:
    """The word for ``outcome`` in ``lang`` (the id itself when the table does not know it)."""
    message = OUTCOME_WORDS.get(outcome)
    return gettext_for(lang, message) if message is not None else outcome


def outcome_words(outcome: str) -> frozenset[str]:
    """Every way ``outcome`` is written after the title of its test in a report, in any language: its
    id, its word, and the words :data:`TEST_OUTCOME` puts around it (``Ergebnis offen``)."""
    words = {outcome}
    for lang in SUPPORTED_LANGUAGES:
        word = outcome_word(outcome, lang)
        words.add(word)
        after = gettext_for(lang, TEST_OUTCOME).split("{test}", 1)[-1]
        words.add(after.format(outcome=word).lstrip(" \u00a0:;=").strip())
    return frozenset(w for w in words if w)
