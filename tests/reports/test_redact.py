"""Redaction: planted identifiers never survive, tokens are keyed and stable, secrets never appear."""

from __future__ import annotations

import hashlib
import html
import ipaddress
import json
import os
import re
import stat
import urllib.parse
from pathlib import Path

import pytest

from homediag.reports.document import dump_report, to_document, validation_errors
from homediag.reports.patterns import address_class, eui64_mac
from homediag.reports.redact import for_output, redact
from homediag.reports.scrub import scrub_secrets
from homediag.reports.tokens import KEY_FILE, TABLE_FILE, RedactionError, TokenStore
from tests.reports.conftest import fixture, render_html, render_markdown, render_text

CANARIES = [
    "Anna Müller WLAN",
    "Anna Müller",
    "Annas-iPhone",
    "Anna's MacBook Pro",
    "FRITZ!Box of Anna Müller",
    "203.0.113.77",
    "2001:db8:77::3e2a:f4ff:fe00:5399",
    "3e2a:f4ff:fe00:5399",
    "3e2a:f4ff:fe00:5310",
    "3c:2a:f4:00:53:99",
    "3c:2a:f4:00:53:01",
    "3c:2a:f4:00:53:02",
    "3c:2a:f4:00:53:03",
    "3c:2a:f4:00:53:10",
    "E78123A4N123456",
    "2f402f80-da50-11e1-9b23-3c2af4005399",
    "52.5200",
    "13.4050",
    "52.52",
    "13.405",
    "Example Telecom",
    "correct horse battery staple",
    "hunter2",
    "anna.mueller@example.org",
    "dev-c0ffee0001",
]


def forms(canary: str) -> set[str]:
    """Every way a canary could appear: raw, lower-case, without separators, and encoded."""
    base = {canary, canary.lower(), canary.upper()}
    compact = re.sub(r"[\s:.\-']", "", canary)
    if len(compact) >= 6:
        base |= {compact, compact.lower()}
    if re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", canary):
        digits = canary.replace(":", "")
        base |= {canary.replace(":", "-"), f"{digits[:4]}.{digits[4:8]}.{digits[8:]}"}
    encoded = set()
    for form in base:
        encoded |= {
            urllib.parse.quote(form),
            urllib.parse.quote_plus(form),
            json.dumps(form)[1:-1],
            json.dumps(form, ensure_ascii=False)[1:-1],
            html.escape(form),
            form.encode("ascii", "xmlcharrefreplace").decode(),
        }
    return base | encoded


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    return sorted({c for c in CANARIES for f in forms(c) if f.lower() in lowered})


def test_the_canary_fixture_really_contains_every_canary() -> None:
    full = dump_report(fixture("canary"))
    assert {c for c in CANARIES if c not in ("Example Telecom",)} <= set(leaks(full)) | {"Example Telecom"}


@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "text"])
def test_no_canary_survives_redaction_in_any_format(store: TokenStore, fmt: str) -> None:
    redacted = redact(fixture("canary"), store)
    rendered = {
        "json": lambda: dump_report(redacted),
        "markdown": lambda: render_markdown(redacted),
        "html": lambda: render_html(redacted),
        "text": lambda: render_text(redacted),
    }[fmt]()
    assert leaks(rendered) == []


def test_redacted_report_keeps_what_support_needs(store: TokenStore) -> None:
    redacted = redact(fixture("canary"), store)
    document = to_document(redacted)
    assert validation_errors(document) == []
    assert document["privacy_level"] == "redacted"
    text = dump_report(redacted)
    phone, router = redacted.devices
    assert phone.id == "phone-1" and phone.names == ("phone-1",)
    assert router.id == "router-1"
    assert phone.mac is not None and phone.mac.startswith("3c:2a:f4:…mac-")  # the vendor part stays
    assert phone.vendor == "Apple, Inc."
    assert f"public-ipv6({phone.mac})" in phone.addresses  # EUI-64: the same token as the MAC
    assert "public-ipv4" in text  # the public address is gone, its class stays
    values = {o.fact: o.value for o in redacted.observations}
    assert values["wifi.ssid"] == "ssid-1"
    assert values["speed.client_lat"] is None and values["speed.client_lon"] is None
    assert values["nat.public_class"] == "public"
    assert values["wifi.neighbours"][0]["channel"] == 11  # chart data survives
    assert values["wifi.neighbours"][0]["ssid"] == "ssid-1"  # same SSID, same token
    assert redacted.findings[0].title == "phone-1 no longer answers"
    assert redacted.findings[0].subject == "device:phone-1"


def test_redaction_summary_counts_every_class(store: TokenStore) -> None:
    counts = redact(fixture("canary"), store).redaction
    for klass in ("mac", "ssid", "name", "serial", "uuid", "public-ip", "dropped", "email", "ipv6"):
        assert counts.get(klass, 0) > 0, klass


def test_same_mac_in_many_places_gets_one_token(store: TokenStore) -> None:
    text = dump_report(redact(fixture("canary"), store))
    tokens = set(re.findall(r"3c:2a:f4:…(mac-\d+)", text))
    # 3c:2a:f4:00:53:{99, 01, 02, 03, 10}: five MACs, five tokens, however often each appears
    assert len(tokens) == 5


def test_tokens_are_stable_across_reports_of_one_installation(tmp_path: Path) -> None:
    with TokenStore.open(tmp_path / "cfg") as first:
        one = redact(fixture("printer-paused"), first)
    with TokenStore.open(tmp_path / "cfg") as second:
        two = redact(fixture("printer-resumed"), second)
    ids_one = {d.mac: d.id for d in one.devices}
    ids_two = {d.mac: d.id for d in two.devices}
    shared = set(ids_one) & set(ids_two)
    assert len(shared) >= 4
    assert all(ids_one[m] == ids_two[m] for m in shared)


def test_another_installation_gives_other_tokens_for_the_same_values(tmp_path: Path) -> None:
    with TokenStore.open(tmp_path / "a") as a:
        macs_a = {d.mac for d in redact(fixture("canary"), a).devices}
    with TokenStore.open(tmp_path / "b") as b:
        store_b = b
        macs_b = {d.mac for d in redact(fixture("canary"), b).devices}
    assert macs_a == macs_b  # numbering is per installation, so tokens look alike...
    digests_a = json.loads((tmp_path / "a" / TABLE_FILE).read_text())["tokens"]
    assert not set(digests_a) & set(json.loads((tmp_path / "b" / TABLE_FILE).read_text())["tokens"])
    assert store_b.digest("mac", "3c:2a:f4:00:53:99") not in digests_a  # ...but the keys differ


def test_key_and_table_are_private_and_hold_no_plain_value(tmp_path: Path) -> None:
    with TokenStore.open(tmp_path) as store:
        redact(fixture("canary"), store)
    for name in (KEY_FILE, TABLE_FILE):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600
    table = (tmp_path / TABLE_FILE).read_text()
    assert leaks(table) == []


def test_tokens_are_not_plain_hashes(store: TokenStore) -> None:
    text = dump_report(redact(fixture("canary"), store))
    for value in ("3c:2a:f4:00:53:99", "3c2af4005399", "203.0.113.77"):
        for algorithm in ("md5", "sha1", "sha256"):
            digest = hashlib.new(algorithm, value.encode()).hexdigest()
            assert digest[:12] not in text


def test_redacting_twice_changes_nothing(store: TokenStore) -> None:
    once = redact(fixture("canary"), store)
    assert redact(once, store) == once


def test_secrets_are_scrubbed_even_without_redaction() -> None:
    full = scrub_secrets(fixture("canary"))
    text = dump_report(full)
    assert "hunter2" not in text and "correct horse battery staple" not in text
    assert full.privacy_level == "full"
    assert "Anna Müller WLAN" in text  # --no-redact keeps the rest of the record


def test_for_output_uses_the_installation_store(_private_config: Path) -> None:
    report, warnings = for_output(fixture("printer-paused"))
    assert warnings == [] and report.privacy_level == "redacted"
    assert (_private_config / KEY_FILE).is_file()
    again, _ = for_output(fixture("printer-paused"))
    assert [d.id for d in again.devices] == [d.id for d in report.devices]


def test_for_output_without_redaction_keeps_the_full_record() -> None:
    report, warnings = for_output(fixture("printer-paused"), redact_report=False)
    assert report.privacy_level == "full" and warnings == []
    assert report.devices[1].names[0] == "Brother HL-L2350DW series"


def test_unwritable_config_dir_falls_back_to_one_report_tokens(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    report, warnings = for_output(fixture("canary"), directory=blocked / "sub")
    assert report.privacy_level == "redacted"
    assert len(warnings) == 1 and "will not match" in warnings[0]
    assert leaks(dump_report(report)) == []


def test_a_damaged_key_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text("not hex\n")
    with pytest.raises(RedactionError, match="damaged"):
        TokenStore.open(tmp_path)


@pytest.mark.parametrize(
    ("address", "klass"),
    [
        ("10.77.0.1", "private"),
        ("192.168.1.20", "private"),
        ("100.64.12.1", "cgnat"),
        ("169.254.10.1", "link-local"),
        ("203.0.113.7", "public"),
        ("192.0.2.1", "public"),  # documentation ranges count as public in reports
        ("198.51.100.10", "public"),
        ("1.1.1.1", "well-known"),
        ("127.0.0.1", "loopback"),
        ("fe80::1", "link-local"),
        ("fd12:3456::1", "ula"),
        ("2001:db8::1", "public"),
        ("::ffff:203.0.113.7", "public"),
        ("224.0.0.251", "multicast"),
    ],
)
def test_address_classes(address: str, klass: str) -> None:
    assert address_class(ipaddress.ip_address(address)) == klass


def test_eui64_interface_id_gives_back_the_mac() -> None:
    assert eui64_mac(ipaddress.IPv6Address("fe80::3e2a:f4ff:fe00:5399")) == "3c:2a:f4:00:53:99"
    assert eui64_mac(ipaddress.IPv6Address("fe80::1")) is None


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("router at 3C-2A-F4-00-53-01 answered", "3C-2A-F4-00-53-01", "3c:2a:f4:…mac-"),
        ("cisco 3c2a.f400.5301 up", "3c2a.f400.5301", "3c:2a:f4:…mac-"),
        ("BRN3C2AF4005320 is the printer", "3C2AF4005320", "BRN3c:2a:f4:…mac-"),
        ("random 02:00:5e:00:53:61 joined", "02:00:5e:00:53:61", "…mac-"),
        ("from 2001:db8::1 and 8.8.8.8", "2001:db8::1", "8.8.8.8"),
        ("CGNAT 100.64.1.2 in use", "100.64.1.2", "cgnat-ipv4"),
        ("LAN 10.77.0.20 fine", "", "10.77.0.20"),
        ("serial number: X1Y2Z3W4", "X1Y2Z3W4", "serial-"),
        ("iPhone von Anna ist weg", "iPhone von Anna", "host-"),
        ("Bob's iPad is here", "Bob's iPad", "host-"),
        ("This TV is on", "", "This TV is on"),
        ("see http://admin:secret@10.0.0.1/", "admin:secret", "redacted@"),
        ("wpa_passphrase=topsecret123", "topsecret123", "redacted"),
        ("at lat 48.8566, lon 2.3522", "48.8566", "lat dropped"),
        ("10:30:00 is a time", "", "10:30:00"),
    ],
)
def test_the_free_text_sweep(store: TokenStore, text: str, gone: str, kept: str) -> None:
    from homediag.reports.pseudonyms import Pseudonyms
    from homediag.reports.sweep import TextSweeper

    sweeper = TextSweeper(Pseudonyms(store, sweeping=True))  # a sweep on its own, without a report around it
    swept = sweeper.sweep(text)
    if gone:
        assert gone not in swept
    assert kept in swept


def _observed(privacy: str | None, *, sensitive: bool = False, fact: str = "x.plugin_value") -> object:
    import dataclasses

    from homediag.core.model import Observation

    base = fixture("printer-paused")
    value = "Kitchen-Tablet-of-Anna"
    observation = Observation(fact=fact, value=value, source="x.plugin", sensitive=sensitive, privacy=privacy)
    return dataclasses.replace(base, observations=(observation,))


@pytest.mark.parametrize(
    ("privacy", "sensitive", "kept"),
    [
        pytest.param("keep", True, True, id="keep-declared"),
        pytest.param("pseudonymise", False, False, id="pseudonymise-declared"),
        pytest.param("drop", False, False, id="drop-declared"),
        pytest.param(None, True, False, id="written-before-sensitive"),
        pytest.param(None, False, True, id="written-before-not-sensitive"),
    ],
)
def test_redaction_reads_the_privacy_class_an_observation_carries(
    store: TokenStore, privacy: str | None, sensitive: bool, kept: bool
) -> None:
    report = redact(_observed(privacy, sensitive=sensitive), store)  # type: ignore[arg-type]
    [observation] = report.observations
    assert (observation.value == "Kitchen-Tablet-of-Anna") is kept
    if privacy == "drop":
        assert observation.value is None
    assert observation.privacy == privacy


def test_a_report_written_before_observations_carried_privacy_keeps_its_form() -> None:
    document = to_document(_observed(None))  # type: ignore[arg-type]
    assert "privacy" not in document["observations"][0]
    assert to_document(_observed("keep"))["observations"][0]["privacy"] == "keep"  # type: ignore[arg-type]
    assert validation_errors(to_document(_observed("drop"))) == []  # type: ignore[arg-type]
