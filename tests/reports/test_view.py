"""The report view: faults lead, advisories follow, only what matters, one seam for every text.

Most tests build the view of a fixture (``checkup-advisories`` reproduces a lab checkup with a paused
printer, double NAT and two advisories the engine paired) and check it, then check that every format
shows it the same way.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from homediag.core.model import (
    EvidenceItem,
    Finding,
    FindingStatus,
    PlaybookRef,
    RemedyOutcome,
    Report,
)
from homediag.reports import focus
from homediag.reports.compose import ViewOptions, build_view
from homediag.reports.redact import redact
from homediag.reports.render import Format, format_view
from homediag.reports.texts import StoredTexts, TextKind, TextRef
from homediag.reports.tokens import TokenStore
from homediag.reports.view import ReportView, TimelineEntry, Tone
from tests.reports.conftest import FIXED_KEY, fixture, render_html

HUMAN = (Format.TEXT, Format.MARKDOWN, Format.HTML)


def shared(name: str) -> Report:
    return redact(fixture(name), TokenStore(FIXED_KEY))


def outputs(view: ReportView) -> dict[Format, str]:
    return {fmt: format_view(view, fmt) for fmt in HUMAN}


def without(report: Report, *codes: str) -> Report:
    return dataclasses.replace(report, findings=tuple(f for f in report.findings if f.code not in codes))


def finding(report: Report, code: str) -> Finding:
    return next(f for f in report.findings if f.code == code)


def replace_finding(report: Report, code: str, **changes: object) -> Report:
    return dataclasses.replace(report, findings=tuple(
        dataclasses.replace(f, **changes) if f.code == code else f for f in report.findings))  # type: ignore[arg-type]  # fmt: skip


# --- faults lead, advisories follow -------------------------------------------------------------------


def test_the_headline_is_the_top_fault_even_when_an_advisory_is_more_probable() -> None:
    report = shared("checkup-advisories")
    assert finding(report, "security.admin-http").probability > finding(report, "printer.stopped").probability
    view = build_view(report, lang="en")
    assert (view.verdict.sentence, view.verdict.tone) == ("The printer is paused", Tone.PROBLEM)
    assert view.verdict.next_step == "Resume the printer"
    assert view.verdict.more == "and 1 more problem and 2 things worth fixing, below"
    assert [f.code for f in view.faults] == ["printer.stopped", "wan.double-nat", "wan.cgnat"]
    assert [f.code for f in view.advisories] == ["security.admin-http", "security.mqtt-anonymous"]
    for fmt, text in outputs(view).items():
        head = text[: text.index("Worth fixing")]
        assert "The printer is paused" in head and "without encryption" not in head, fmt


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
def test_advisories_have_their_own_section_after_the_faults_in_every_format(lang: str) -> None:
    view = build_view(shared("checkup-advisories"), lang=lang)
    labels = view.labels
    for fmt, text in outputs(view).items():
        order = [text.index(labels.faults), text.index(labels.advisories), text.index(labels.ruled_out)]
        assert order == sorted(order), fmt
        assert text.index("The printer is paused", text.index(labels.faults)) < text.index(labels.advisories)
        assert text.index("An MQTT broker accepts anyone") > text.index(labels.advisories), fmt


def test_a_report_with_only_advisories_says_no_fault_was_found_and_lists_them() -> None:
    report = without(shared("checkup-advisories"), "printer.stopped", "wan.double-nat", "wan.cgnat")
    view = build_view(report, lang="en")
    assert view.verdict.sentence == "No fault found: nothing here causes a problem by itself."
    assert view.verdict.tone is Tone.OK and view.verdict.next_step is None
    assert view.verdict.more == "2 things worth fixing, below"
    assert view.faults == () and len(view.advisories) == 2
    for fmt, text in outputs(view).items():
        assert "What is wrong" not in text, fmt
        order = [text.index(t) for t in ("No fault found", "Worth fixing", "An admin page is served")]
        assert order == sorted(order), fmt


def test_advisories_are_never_a_together_pair_nor_evidence_against_each_other() -> None:
    report = shared("checkup-advisories")
    assert finding(report, "security.admin-http").members  # the engine paired them
    view = build_view(report, lang="en")
    admin, mqtt = view.advisories
    assert admin.together == () and mqtt.together == ()
    assert admin.evidence_against == () and mqtt.evidence_against == ()
    assert [e.text for e in mqtt.evidence] == [
        "MQTT without a password: open (CONNECT without credentials to 10.77.0.50:1883 accepted)"
    ]
    for fmt, text in outputs(view).items():
        assert "together" not in text, fmt


def test_a_fault_keeps_its_fault_partners_but_loses_advisory_ones() -> None:
    report = replace_finding(shared("checkup-advisories"), "wan.double-nat",
                             members=("wan.double-nat", "security.admin-http", "wan.cgnat"))  # fmt: skip
    view = build_view(report, lang="en")
    assert view.faults[1].together == ("wan.double-nat", "wan.cgnat")
    alone = replace_finding(report, "wan.double-nat", members=("wan.double-nat", "security.admin-http"))
    assert build_view(alone, lang="en").faults[1].together == ()


def test_an_advisory_test_is_not_shown_against_other_findings() -> None:
    view = build_view(shared("checkup-advisories"), lang="en")
    reasons = {r.code: (r.reason, r.decided_by) for r in view.ruled_out}
    assert reasons["security.telnet-open"] == (
        "Telnet offered: closed (none of 6 devices accepts Telnet)", "telnet_check")
    assert reasons["wifi.weak-signal"] == ("The evidence speaks against it.", None)
    # (the engine named mqtt_check, an advisory's test: it decides nothing about Wi-Fi)


# --- the network map -------------------------------------------------------------------------------


def test_the_map_marks_only_what_a_fault_measured_as_broken() -> None:
    report = shared("checkup-advisories")
    broken = focus.broken_parts(report, focus.advisory_tests(report))
    printer = next(d.id for d in report.devices if d.kind.value == "printer")
    assert broken == focus.Broken(devices=frozenset({printer}))  # double NAT breaks no link
    page = render_html(report, "en")
    assert 'class="hop fault"' not in page and page.count('class="node fault"') == 1


def test_a_measured_internet_fault_marks_the_hop_and_an_unmeasured_one_does_not() -> None:
    measured = EvidenceItem("8 % lost", test="internet_loss", fact="internet.loss_pct", likelihood_ratio=9.0)
    loss = Finding("wan.packet-loss", FindingStatus.LIKELY, 0.8, "Data is lost beyond the router",
                   evidence=(measured,))
    report = dataclasses.replace(shared("checkup-advisories"), findings=(loss,))
    assert focus.broken_parts(report, {}).hops == {focus.ROUTER_INTERNET}
    answered = dataclasses.replace(loss, evidence=(EvidenceItem("the calls break up", test="ask_calls"),))
    assert focus.broken_parts(dataclasses.replace(report, findings=(answered,)), {}) == focus.Broken()
    advisory = Finding("security.admin-http", FindingStatus.CONFIRMED, 0.99, "Admin page over HTTP",
                       evidence=loss.evidence)  # fmt: skip
    assert focus.broken_parts(dataclasses.replace(report, findings=(advisory,)), {}) == focus.Broken()


def test_the_devices_a_finding_names_are_never_cut_from_the_map() -> None:
    base = shared("printer-paused")
    router, tv, phone = base.devices[0], base.devices[2], base.devices[5]
    tvs = tuple(dataclasses.replace(tv, id=f"tv-{i}", names=(f"tv-{i}",)) for i in range(14))
    silent = Finding("device.unreachable", FindingStatus.LIKELY, 0.8, "phone-1 no longer answers",
                     subject=f"device:{phone.id}",
                     evidence=(EvidenceItem("0 of 3 pings answered", test="ping", fact="device.reachable",
                                            likelihood_ratio=8.0),))  # fmt: skip
    report = dataclasses.replace(base, devices=(router, *tvs, phone), findings=(silent,))
    shapes = build_view(report, lang="en").network_map.shapes
    rects = [s for s in shapes if s.tag == "rect"]
    assert len(rects) == 3 + 12  # this computer, router, internet, then 12 devices: the rest are cut
    assert rects[3].title.startswith("phone-1") and ("class", "node fault") in rects[3].attrs


# --- only what matters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("complaint", "audience", "all_devices", "expected"),
    [
        ("printer", "customer", False, 1),
        ("printer", "customer", True, 6),
        ("printer", "technician", False, 6),
        ("checkup", "customer", False, 6),
    ],
)
def test_the_device_table_lists_every_device_only_when_asked(complaint: str, audience: str, all_devices: bool,
                                                             expected: int) -> None:  # fmt: skip
    base = shared("printer-paused")
    report = dataclasses.replace(base, complaint=complaint,
                                 context=dataclasses.replace(base.context, audience=audience))  # fmt: skip
    view = build_view(report, lang="en", options=ViewOptions(all_devices=all_devices))
    assert len(view.devices.rows) == expected and view.devices.total == 6
    if expected == 1:
        assert view.devices.rows[0].kind == "printer"
        assert view.devices.title == "Devices concerned (1 of 6)"
        assert view.devices.hidden_note == "5 other devices on the network are not shown."


def test_devices_named_by_address_in_the_evidence_are_listed() -> None:
    report = dataclasses.replace(shared("checkup-advisories"), complaint="smart-home")
    view = build_view(report, lang="en")
    assert {row.address for row in view.devices.rows} == {"10.77.0.20", "10.77.0.50"}


def test_a_customer_summary_of_a_printer_complaint_shows_only_the_printer() -> None:
    text = format_view(build_view(shared("printer-paused"), lang="en"), Format.TEXT)
    table = text[text.index("Devices concerned") : text.index("other devices")]
    assert "printer-1" in table
    assert not any(name in table for name in ("router-1", "nas-1", "hub-1", "media-1"))


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("Printer alerts: paused (paused)", "Printer alerts: paused"),
        ("Printer alerts: paused (Paused)", "Printer alerts: paused"),
        ("Printer alerts: paused (paused, toner-low)", "Printer alerts: paused (paused, toner-low)"),
        ("The printer reports itself stopped. (10.77.0.20: stopped)",
         "The printer reports itself stopped. (10.77.0.20: stopped)"),
        ("Loss (2 of 30 lost)", "Loss (2 of 30 lost)"),
        ("paused (pause)", "paused (pause)"),
    ],
)  # fmt: skip
def test_a_detail_that_repeats_the_evidence_is_dropped(raw: str, tidy: str) -> None:
    assert focus.tidy(raw) == tidy


def test_ruled_out_lines_give_the_deciding_evidence_once() -> None:
    view = build_view(shared("checkup-advisories"), lang="en")
    jam = next(r for r in view.ruled_out if r.code == "printer.media-jam")
    assert jam.sentence == "Paper is jammed — ruled out: Printer alerts: paused."
    for fmt, text in outputs(view).items():
        line = next(line for line in text.splitlines() if "Paper is jammed" in line)
        assert line.count("paused") == 1, (fmt, line)
    many = replace_finding(shared("checkup-advisories"), "printer.media-jam", evidence_against=(
        EvidenceItem("Printer alerts: paused (paused)", test="printer_reasons", likelihood_ratio=0.06),
        EvidenceItem("Printer alerts: paused (paused)", test="printer_alerts", likelihood_ratio=0.1),
        EvidenceItem("Tray reports paper", test="printer_media", likelihood_ratio=0.3)))  # fmt: skip
    again = next(r for r in build_view(many, lang="en").ruled_out if r.code == "printer.media-jam")
    assert again.reason == "Printer alerts: paused."


# --- remedies, errors, completeness ----------------------------------------------------------------------


def with_resume_outcome(outcome: RemedyOutcome) -> Report:
    base = shared("printer-paused")
    paused = finding(base, "printer.stopped")
    resume, restart = paused.remedies
    tried = dataclasses.replace(resume, outcome=outcome)
    return replace_finding(base, "printer.stopped", remedies=(tried, restart))


def test_a_remedy_that_did_not_fix_it_is_shown_and_the_next_step_moves_on() -> None:
    view = build_view(with_resume_outcome(RemedyOutcome.NOT_FIXED), lang="en")
    assert view.verdict.next_step == "Switch the printer off and on again"
    resume = view.faults[0].remedies[0]
    assert resume.outcome == "done, but the check afterwards still failed"
    assert resume.outcome_key == "not_fixed"
    for fmt, text in outputs(view).items():
        assert "done, but the check afterwards still failed" in text, fmt


def test_a_remedy_that_fixed_it_is_the_next_step_no_more() -> None:
    view = build_view(with_resume_outcome(RemedyOutcome.FIXED), lang="de")
    assert view.verdict.next_step == "Erledigt: Resume the printer (die Prüfung danach war erfolgreich)."
    assert view.faults[0].remedies[0].outcome == "erledigt: die Prüfung danach war erfolgreich"


def test_a_step_that_costs_money_says_so_in_every_language() -> None:
    base = shared("printer-paused")
    paused = finding(base, "printer.stopped")
    resume, restart = paused.remedies
    dear = dataclasses.replace(restart, costs_money=True)
    report = replace_finding(base, "printer.stopped", remedies=(resume, dear))
    for lang, word in (("en", "costs money"), ("de", "kostet Geld"), ("fr", "payant")):
        flags = [r.flags for r in build_view(report, lang=lang).faults[0].remedies]
        assert word not in flags[0] and word in flags[1], lang


def failing(audience: str) -> Report:
    base = shared("printer-paused")
    error = "found no matching overload for _?_:_ applied to (NoneType, BoolType, StringType)"
    step = {"n": 4, "playbook": "printer", "action": "probe", "test": "queue_moved", "outcome": None,
            "error": error}
    return dataclasses.replace(base, complete=False, trace=(*base.trace, step),
                               context=dataclasses.replace(base.context, audience=audience))  # fmt: skip


def test_an_incomplete_report_says_why_in_plain_words_and_technicians_see_the_error() -> None:
    customer = build_view(failing("customer"), lang="en")
    assert customer.incomplete == (
        "1 rule of the diagnosis could not be evaluated. The results may miss what these would have shown."
    )
    assert customer.errors == ()
    technician = build_view(failing("technician"), lang="en")
    assert [e.sentence for e in technician.errors] == [
        "Step 4 (printer, test queue_moved): found no matching overload for _?_:_ applied to "
        "(NoneType, BoolType, StringType)"
    ]
    for fmt, text in outputs(technician).items():
        assert "Rules that could not be evaluated" in text and "queue" in text, fmt
    for fmt, text in outputs(customer).items():
        assert "1 rule of the diagnosis could not be evaluated." in text.replace("\n", " "), fmt
        assert "Rules that could not be evaluated" not in text, fmt


def test_a_complete_report_without_a_fault_says_so() -> None:
    view = build_view(without(shared("printer-resumed"), "printer.supply-low"), lang="en")
    assert (view.verdict.sentence, view.incomplete) == ("No problem found.", None)


# --- the complaint, the timeline, the baseline --------------------------------------------------------


TITLES = [("en", "Checkup of the home network"), ("de", "Durchsicht des Heimnetzes"),
          ("fr", "Bilan du réseau domestique")]  # fmt: skip


@pytest.mark.parametrize(("lang", "name"), TITLES)
def test_the_complaint_is_named_by_the_playbook_title_the_report_records(lang: str, name: str) -> None:
    view = build_view(shared("checkup-advisories"), lang=lang)
    assert view.complaint == name
    assert name in format_view(view, Format.MARKDOWN).splitlines()[0]


def test_without_a_recorded_title_the_complaint_falls_back_to_the_table() -> None:
    report = shared("printer-paused")
    assert report.playbooks and not report.playbooks[0].title
    assert build_view(report, lang="de").complaint == "Drucker"
    unknown = dataclasses.replace(report, complaint="sprinkler", playbooks=(PlaybookRef("x", 1, "00"),))
    assert build_view(unknown, lang="en").complaint == "sprinkler"


def test_a_timeline_shows_in_every_format_when_filled() -> None:
    view = build_view(shared("printer-paused"), lang="en")
    assert view.timeline == ()
    timeline = (TimelineEntry("09:31", "The printer answered again", Tone.OK),
                TimelineEntry("09:40", "The printer went silent", Tone.PROBLEM))
    watched = dataclasses.replace(view, timeline=timeline)
    for fmt, text in outputs(watched).items():
        order = [text.index("Timeline"), text.index("The printer answered again"), text.index("went silent")]
        assert order == sorted(order), fmt


def test_the_baseline_comparison_is_shown() -> None:
    baseline = {"baseline_run": "r0", "baseline_time": "2026-03-01T09:00:00.000Z", "redacted": True,
                "device_count": 7, "missing_devices": [{"id": "nas-1", "ip": "10.77.0.40", "kind": "nas",
                                                        "name": "nas-1"}],
                "moved_devices": [{"id": "printer-1", "kind": "printer", "old_ip": "10.77.0.21",
                                   "new_ip": "10.77.0.20"}]}  # fmt: skip
    view = build_view(dataclasses.replace(shared("printer-paused"), baseline=baseline), lang="en")
    assert view.baseline is not None
    assert view.baseline.summary == "Compared with the report of 2026-03-01 09:00 (7 devices then)."
    assert view.baseline.lines == ("network storage nas-1 (10.77.0.40) no longer answers",
                                   "printer moved from 10.77.0.21 to 10.77.0.20")  # fmt: skip
    for fmt, text in outputs(view).items():
        assert "Since the earlier report" in text and "no longer answers" in text, fmt


def test_a_hostile_baseline_gives_no_error() -> None:
    hostile = ({"missing_devices": "x", "moved_devices": [1, None, {"kind": 3}]}, {"device_count": True})
    for baseline in hostile:
        view = build_view(dataclasses.replace(shared("printer-paused"), baseline=baseline), lang="en")
        assert view.baseline is not None
        assert all(format_view(view, fmt) for fmt in HUMAN)


# --- one seam for every text ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Marking:
    """Answers every text with a marker of its kind: what a translating seam would control."""

    lang: str = "en"

    def text(self, ref: TextRef) -> str:
        return "SEAM" + ref.kind.name.replace("_", "")

    def notes(self) -> tuple[str, ...]:
        return ("SEAMNOTE",)


STORED = re.compile(r"[A-Za-z]{4,}")


def test_every_human_text_passes_the_seam() -> None:
    report = shared("checkup-advisories")
    view = build_view(report, texts=Marking())
    assert view.complaint == "SEAMCOMPLAINT" and view.heading == "SEAMLABEL"
    for fmt, output in outputs(view).items():
        text = re.sub(r"<[^>]*>", " ", re.sub(r"(?s)<style>.*</style>", "", output))  # HTML: its text only
        for kind in ("FINDINGTITLE", "FINDINGEXPLANATION", "EVIDENCE", "REMEDYTITLE", "REMEDYSTEP", "LABEL",
                     "TRACENOTE"):  # fmt: skip
            assert "SEAM" + kind in text, (fmt, kind)
        assert "SEAMNOTE" in text, fmt  # the seam's notes (texts shown as stored) reach every format
        words = set(STORED.findall(text)) - {"SEAMLABEL"}
        for stored in (*(f.title for f in report.findings), *(f.explanation for f in report.findings),
                       *(e.text for f in report.findings for e in (*f.evidence, *f.evidence_against)),
                       *(r.title for f in report.findings for r in f.remedies),
                       "What is wrong", "Worth fixing", "Ruled out", "Verdict", "Next step", "confirmed",
                       "safe to do yourself", "this computer", "Network map", "Checks run"):  # fmt: skip
            assert not stored or stored not in text, (fmt, stored)
        assert not {"What", "Worth", "Verdict", "confirmed", "likely", "possible", "Evidence"} & words, fmt


def test_the_stored_texts_seam_keeps_the_report_and_translates_labels() -> None:
    seam = StoredTexts("fr")
    assert seam.text(TextRef(TextKind.FINDING_TITLE, "The printer is paused", code="printer.stopped")) == (
        "The printer is paused"
    )
    assert seam.text(TextRef(TextKind.LABEL, "What is wrong")) == "Ce qui ne va pas"
    with pytest.raises(ValueError, match="unsupported language"):
        StoredTexts("xx")


def test_texts_from_the_seam_are_made_inert_and_capped() -> None:
    @dataclasses.dataclass(frozen=True)
    class Hostile:
        lang: str = "en"

        def text(self, ref: TextRef) -> str:
            if ref.kind is TextKind.LABEL:
                return StoredTexts().text(ref)
            return "\x1b[2Jbad\u202e" + "A" * 5000

        def notes(self) -> tuple[str, ...]:
            return ("\x1b[2Jbad\u202e" + "A" * 5000,)

    view = build_view(shared("checkup-advisories"), texts=Hostile())
    for text in outputs(view).values():
        assert "\x1b" not in text and "\u202e" not in text and "A" * 1001 not in text


def test_a_measurement_taken_again_is_one_row_from_before_to_after() -> None:
    """A verified fix measures again: the table shows one row per measurement, ``before → after``, and
    a value that did not change once."""
    report = shared("checkup-advisories")
    loss = next(o for o in report.observations if o.fact == "gateway.loss_pct")
    again = dataclasses.replace(loss, value=0.0 if loss.value else 12.5)
    same = dataclasses.replace(loss, fact="gateway.loss_pct", subject="elsewhere")
    report = dataclasses.replace(report, observations=(*report.observations, again, same, same))
    rows = [m for m in build_view(report, lang="en").measurements if m.fact == "gateway.loss_pct"]
    assert len(rows) == 2
    changed = next(m for m in rows if "→" in m.value)
    assert changed.value.split(" → ")[0] != changed.value.split(" → ")[1]
    assert sum("→" in m.value for m in rows) == 1
