"""Configuration loading: defaults, the lookup chain and one-line errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from homediag.core.config import Config, load_config, parse_config
from homediag.core.errors import ConfigError


def test_defaults_match_design() -> None:
    config = Config()
    assert config.internet.ping_targets == ("1.1.1.1", "8.8.8.8", "9.9.9.9")
    assert config.internet.http_checks == ("http://connectivitycheck.gstatic.com/generate_204",)
    assert config.speedtest.server == "auto"
    assert config.expect.download_mbps is None
    assert config.thresholds.dns_slow_ms == 400
    assert config.thresholds.gateway_loss_pct == 2


def test_values_are_read() -> None:
    config = parse_config(
        "internet:\n  ping_targets: [198.51.100.1]\nexpect:\n  download_mbps: 100\n"
        "probes:\n  net.gateway: {count: 10}\n"
    )
    assert config.internet.ping_targets == ("198.51.100.1",)
    assert config.expect.download_mbps == 100
    assert config.probes["net.gateway"] == {"count": 10}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("internet:\n  ping_target: [1.1.1.1]\n", "internet.ping_target"),
        ("expect:\n  download_mbps: -3\n", "expect.download_mbps"),
        ("- just\n- a list\n", "must be a mapping"),
        ("internet: [unclosed\n", "not valid YAML"),
    ],
    ids=["typo-key", "negative-plan", "not-a-mapping", "bad-yaml"],
)
def test_errors_name_the_problem_in_one_line(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, source="test.yaml")
    message = str(info.value)
    assert fragment in message
    assert message.startswith("test.yaml")
    assert "\n" not in message


def test_lookup_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "env.yaml"
    env_file.write_text("speedtest: {server: http://198.51.100.9/}\n")
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text("speedtest: {server: http://198.51.100.8/}\n")
    monkeypatch.setenv("HOMEDIAG_CONFIG", str(env_file))
    assert load_config().speedtest.server == "http://198.51.100.9/"
    assert load_config(explicit).speedtest.server == "http://198.51.100.8/"
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
