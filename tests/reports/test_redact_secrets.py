"""Secrets in every wording customers use (en, de, fr, it, es) never survive, in any mode."""

from __future__ import annotations

import dataclasses

import pytest

from homediag.core.model import Observation
from homediag.reports.document import dump_report
from homediag.reports.patterns import name_hint
from homediag.reports.redact import for_output, redact
from homediag.reports.scrub import scrub_secrets
from homediag.reports.tokens import TokenStore
from tests.reports.conftest import fixture

SECRET = "Sommer2024!x"

PHRASINGS = [
    "Wi-Fi key: {s}", "WiFi key = {s}", "WPA key {s}", "WPA2 key: {s}", "network key: {s}",
    "security key: {s}", "pre-shared key: {s}", "preshared key={s}", "passphrase {s}",
    "the password is {s}", "password: {s}", "wps pin: {s}",
    "WLAN-Schlüssel: {s}", "WLAN Schlüssel {s}", "Netzwerkschlüssel: {s}", "Passwort: {s}",
    "Kennwort={s}", "das Passwort lautet {s}", "WPA-Schlüssel: {s}",
    "mot de passe : {s}", "mot de passe: {s}", "le mot de passe est {s}", "clé WPA : {s}",
    "clé Wi-Fi : {s}", "clé de sécurité : {s}", "clé réseau : {s}",
    "parola d'ordine: {s}", "chiave WPA: {s}", "chiave di rete: {s}", "la password è {s}",
    "contraseña: {s}", "clave WPA: {s}", "clave de red: {s}", "la contraseña es {s}",
    "password：{s}", 'psk "{s}"', "wpa_passphrase={s}", "cle_reseau: {s}", "cle-de-securite={s}",
]  # fmt: skip

ORDINARY = [
    "Check the Wi-Fi password on the router.",
    "Enter the network key again.",
    "Le mot de passe est incorrect.",
    "Das WLAN-Passwort steht auf der Rückseite des Routers.",
    "la clé USB est pleine",
    "La contraseña es incorrecta.",
    "Type the passphrase carefully.",
]


def _report_with(text: str) -> object:
    report = fixture("printer-paused")
    note = Observation(fact="wifi.ssid", value="x", source="wifi.link", evidence=text)
    return dataclasses.replace(report, observations=(*report.observations, note))


@pytest.mark.parametrize("phrase", PHRASINGS)
@pytest.mark.parametrize("mode", ["redacted", "full"])
def test_secret_phrasings_are_scrubbed(phrase: str, mode: str, store: TokenStore) -> None:
    report = _report_with(phrase.format(s=SECRET))
    shared = redact(report, store) if mode == "redacted" else scrub_secrets(report)  # type: ignore[arg-type]
    text = dump_report(shared)
    assert SECRET not in text and "Sommer2024" not in text
    label = phrase.split("{s}")[0].split(" ")[0].strip('"')
    assert label in text  # only the value goes


def test_quoted_secrets_go_whole() -> None:
    report = _report_with('password: "correct horse battery staple" was set')
    text = dump_report(scrub_secrets(report))  # type: ignore[arg-type]
    assert "horse" not in text and "battery" not in text and "was set" in text


@pytest.mark.parametrize("sentence", ORDINARY)
def test_ordinary_sentences_about_keys_stay_readable(sentence: str) -> None:
    report, _warnings = for_output(_report_with(sentence), redact_report=False)  # type: ignore[arg-type]
    assert sentence in dump_report(report)


@pytest.mark.parametrize(
    "key",
    ["wifi_key", "wpaKey", "network_key", "wlan_schluessel", "WLAN-Schlüssel", "passwort", "kennwort",
     "mot_de_passe", "contraseña", "clave_wpa", "chiave", "pre_shared_key", "wps_pin"],
)  # fmt: skip
def test_secret_key_names_in_every_language(key: str) -> None:
    assert name_hint(key, weak=False) == "secret"


@pytest.mark.parametrize("key", ["key", "keys", "sort_key", "monkey", "public_key_type", "clef_usb"])
def test_other_key_names_are_not_secrets(key: str) -> None:
    assert name_hint(key, weak=False) != "secret"


@pytest.mark.parametrize("mode", ["redacted", "full"])
@pytest.mark.parametrize(
    ("label", "outcome", "word"),
    [
        ("MQTT without a password", "open", "open"),
        ("MQTT ohne Passwort", "open", "Ergebnis offen"),
        ("MQTT sans mot de passe", "closed", "résultat fermé"),
        ("Admin pages without HTTPS password", "secure", "encrypted"),
    ],
)
def test_the_outcome_after_the_label_of_what_was_tested_is_no_secret(
    label: str, outcome: str, word: str, mode: str, store: TokenStore
) -> None:
    """Redact values, not the labels of what was tested: "MQTT without a password: open" keeps its
    outcome word; a real secret in the same evidence line still goes."""
    from homediag.core.model import EvidenceItem

    report = fixture("checkup-advisories")
    text = f"{label}: {word} (CONNECT refused; password: {SECRET})"
    item = EvidenceItem(text=text, test="mqtt_check", fact="security.mqtt_anonymous", outcome=outcome)
    finding = dataclasses.replace(report.findings[0], evidence=(item,))
    report = dataclasses.replace(report, findings=(finding, *report.findings[1:]))
    shared = redact(report, store) if mode == "redacted" else scrub_secrets(report)
    kept = shared.findings[0].evidence[0].text
    assert kept.startswith(f"{label}: {word} ("), kept
    assert SECRET not in kept and "Sommer2024" not in dump_report(shared)


def test_a_word_that_is_no_outcome_of_the_test_is_still_taken_for_a_secret(store: TokenStore) -> None:
    from homediag.core.model import EvidenceItem

    report = fixture("checkup-advisories")
    item = EvidenceItem(text="MQTT without a password: hunter", test="mqtt_check", outcome="open")
    finding = dataclasses.replace(report.findings[0], evidence=(item,))
    shared = redact(dataclasses.replace(report, findings=(finding,)), store)
    assert "hunter" not in dump_report(shared)
