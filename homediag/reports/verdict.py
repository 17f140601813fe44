"""The verdict of a report view: one sentence, its tone, the next step, and why a report is incomplete.

The headline is the top *fault*, never an advisory (docs/probes-and-playbooks.md#faults-and-advisories): a
report with
only advisories says that no fault was found and points to them below. The next step skips remedies
that were tried and did not fix it; after one that did, it says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from homediag.core.codes import UNKNOWN
from homediag.core.i18n import N_
from homediag.core.model import Finding, FindingStatus, RemedyOutcome, Report
from homediag.reports import focus
from homediag.reports.texts import Say, TextKind, TextRef
from homediag.reports.view import Tone, Verdict
from homediag.reports.words import TITLE_CHARS, Words

ESCALATE = N_("Send this report to your support or a technician.")
_TRIED = frozenset({RemedyOutcome.NOT_FIXED, RemedyOutcome.COULD_NOT_VERIFY})


def verdict(words: Words, faults: Sequence[Finding], advisories: Sequence[Finding]) -> Verdict:
    """The verdict: the top *fault* (never an advisory), else why there is none."""
    report, say = words.report, words.say
    top = focus.top_fault(report)
    m = len(advisories)
    things_below = say.ngettext("{n} thing worth fixing, below", "{n} things worth fixing, below", m)
    worth = things_below.format(n=m) if advisories else None
    if top is not None:
        title = words.title(top)
        sentence = title if top.status is FindingStatus.CONFIRMED else say(N_("{title} (likely)")).format(
            title=title
        )
        others = sum(1 for f in faults if f.status.is_problem and f is not top)
        n = others
        problems_below = say.ngettext("and {n} more problem, below", "and {n} more problems, below", n)
        more = problems_below.format(n=n) if others else None
        if more and worth:
            problems = say.ngettext("{n} more problem", "{n} more problems", n).format(n=n)
            things = say.ngettext("{n} thing worth fixing", "{n} things worth fixing", m).format(n=m)
            more = say(N_("and {problems} and {things}, below")).format(problems=problems, things=things)
        return Verdict(sentence, Tone.PROBLEM, next_step(words, top), more or worth)
    if report.not_applicable and report.complete:
        reason = words.text(TextRef(TextKind.NOT_APPLICABLE, report.not_applicable,
                                   playbook=report.complaint), TITLE_CHARS)  # fmt: skip
        return Verdict(
            say(N_("This check does not apply here: {reason}.")).format(reason=reason.rstrip(". ")),
            Tone.OK,
            say(N_("Nothing to do for this complaint on this computer.")),
            worth,
        )
    if not report.complete:
        return Verdict(
            say(N_("No problem found, but the check is incomplete.")),
            Tone.WARNING,
            say(N_("Run the check again; if it still cannot finish, send this report to support.")),
            worth,
        )
    unknown = next((f for f in report.findings if f.code == UNKNOWN), None)
    if unknown is not None and unknown.status is FindingStatus.POSSIBLE:
        sentence = say(N_("Something is wrong that homediag cannot name."))
        return Verdict(sentence, Tone.WARNING, say(ESCALATE), worth)
    possible = [f for f in faults if f.status is FindingStatus.POSSIBLE]
    if possible:
        sentence = say.ngettext(
            "No problem confirmed; {n} possible cause remains.",
            "No problem confirmed; {n} possible causes remain.",
            len(possible),
        ).format(n=len(possible))
        return Verdict(sentence, Tone.OK, None, worth)
    if advisories:
        sentence = say(N_("No fault found: nothing here causes a problem by itself."))
        return Verdict(sentence, Tone.OK, None, worth)
    return Verdict(say(N_("No problem found.")), Tone.OK)


def next_step(words: Words, finding: Finding) -> str:
    """What to do about the top fault: the first remedy the reader can do that was not tried (a
    customer's: one safe for customers, when there is one); after a remedy that fixed it, that."""
    say = words.say
    if finding.code == UNKNOWN or not finding.remedies:
        return say(ESCALATE)
    for remedy in finding.remedies:
        if remedy.outcome is RemedyOutcome.FIXED:
            return say(N_("Done: {title} (the check afterwards passed).")).format(
                title=words.remedy_title(finding, remedy)
            )
    untried = [r for r in finding.remedies if r.outcome not in _TRIED]
    if not untried:
        return say(ESCALATE)
    remedy = untried[0]
    if not words.technician:
        remedy = next((r for r in untried if r.safe_for_customer), remedy)
    title = words.remedy_title(finding, remedy)
    if not words.technician and not remedy.safe_for_customer:
        return say(N_("Ask a technician to do this: {title}")).format(title=title)
    return title


def incomplete(report: Report, say: Say) -> str | None:
    """Why the report is incomplete, in plain words (None when it is complete)."""
    if report.complete:
        return None
    reasons = []
    if report.interrupted_by:
        reasons.append(say(N_("The check was interrupted before it finished.")))
    failed = sum(1 for run in report.probe_runs if run.outcome.failed)
    if failed:
        checks = say.ngettext("{n} check could not finish.", "{n} checks could not finish.", failed)
        reasons.append(checks.format(n=failed))
    errors = sum(1 for step in report.trace if step.get("error"))
    if errors:
        rules = say.ngettext(
            "{n} rule of the diagnosis could not be evaluated.",
            "{n} rules of the diagnosis could not be evaluated.",
            errors,
        )
        reasons.append(rules.format(n=errors))
    reasons.append(say(N_("The results may miss what these would have shown.")))
    return " ".join(reasons)
