"""Configuration: YAML from ``--config FILE``, else ``$HOMEDIAG_CONFIG``, else the user config dir.

Every key has a default, so no file is needed. Unknown keys are refused (a typo should not be silently
ignored), and errors name the key: ``internet.ping_targets.1: not a valid host``.

```yaml
internet:
  ping_targets: [1.1.1.1, 8.8.8.8, 9.9.9.9]
  dns_names: [example.com, connectivitycheck.gstatic.com]
  http_checks: ["http://connectivitycheck.gstatic.com/generate_204"]
  public_ip_urls: ["http://api.ipify.org"]
speedtest:
  server: auto
expect:
  download_mbps: null
```
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from homediag.core.errors import ConfigError
from homediag.core.i18n import _

ENV_CONFIG = "HOMEDIAG_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InternetConfig(_Section):
    """Where the internet checks go."""

    ping_targets: tuple[str, ...] = ("1.1.1.1", "8.8.8.8", "9.9.9.9")
    dns_names: tuple[str, ...] = ("example.com", "connectivitycheck.gstatic.com")
    http_checks: tuple[str, ...] = ("http://connectivitycheck.gstatic.com/generate_204",)
    https_checks: tuple[str, ...] = ("https://www.google.com/generate_204",)
    public_ip_urls: tuple[str, ...] = ("http://api.ipify.org",)
    ipv6_targets: tuple[str, ...] = ("2606:4700:4700::1111", "2001:4860:4860::8888")
    stun_servers: tuple[str, ...] = ("stun.l.google.com:19302",)
    tcp_targets: tuple[str, ...] = ("1.1.1.1:443", "8.8.8.8:443")


class SpeedtestConfig(_Section):
    """Which speed test server to use."""

    server: str = "auto"
    """``auto`` (speedtest.net picks) or the URL of a Speedtest Mini compatible server."""
    secure: bool | None = None
    """HTTPS for speedtest.net's configuration and servers. None: HTTPS with ``auto`` (speedtest.net
    refuses plain HTTP), the Mini server URL's own scheme otherwise (labs serve plain HTTP)."""


class ExpectConfig(_Section):
    """What the customer pays for, when known."""

    download_mbps: float | None = Field(default=None, gt=0)
    upload_mbps: float | None = Field(default=None, gt=0)


class Thresholds(_Section):
    """When a measurement becomes a problem (docs/probes-and-playbooks.md#thresholds)."""

    gateway_loss_pct: float = 2.0
    internet_loss_pct: float = 2.0
    gateway_rtt_wired_ms: float = 100.0
    gateway_rtt_wifi_ms: float = 200.0
    dns_slow_ms: float = 400.0
    dns_very_slow_ms: float = 500.0
    https_latency_high_ms: float = 500.0
    https_latency_very_high_ms: float = 1000.0
    jitter_ms: float = 30.0
    bufferbloat_ms: float = 100.0
    download_ratio: float = 0.5
    min_download_mbps: float = 10.0
    min_upload_mbps: float = 2.0
    wifi_weak_dbm: float = -70.0
    wifi_very_weak_dbm: float = -80.0
    snr_poor_db: float = 20.0
    wifi_congestion_score: float = 2.0
    """Congestion score of the link's channel above which it counts as crowded (``wifi.neighbours``:
    1 is one strong co-channel neighbour)."""
    wifi_low_rate_ratio: float = 0.25
    """Link rate below this share of what mode, width and signal allow counts as a low rate."""
    wifi_stronger_ap_db: float = 10.0
    """The same network heard this much stronger on another access point: the computer sticks to
    a worse one (field review, section 5.3)."""


class PluginsConfig(_Section):
    """Third-party probes. When homediag runs as root, only allow-listed ones load."""

    allow: tuple[str, ...] = ()
    """Entry-point names or distribution names allowed to load as root."""


class Limits(_Section):
    """Caps on the run as a whole."""

    run_budget_s: float = 90.0
    max_concurrency: int = Field(default=16, ge=1, le=256)
    max_subnet_prefix: int = Field(default=22, ge=8, le=32)
    """Largest subnet scanned without ``--allow-large-subnet`` (a /22 by default)."""


class Config(_Section):
    """The whole configuration."""

    internet: InternetConfig = InternetConfig()
    speedtest: SpeedtestConfig = SpeedtestConfig()
    expect: ExpectConfig = ExpectConfig()
    thresholds: Thresholds = Thresholds()
    plugins: PluginsConfig = PluginsConfig()
    limits: Limits = Limits()
    probes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Per-probe arguments: ``probes: {net.gateway: {count: 20}}``."""
    source: str | None = Field(default=None, exclude=True)
    """Where this configuration was read from (not a key of the file)."""


def default_config_path() -> Path:
    """``config.yaml`` in the user's config directory."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("homediag")) / "config.yaml"


def find_config_path(explicit: Path | None = None) -> Path | None:
    """The file to read: the explicit one, ``$HOMEDIAG_CONFIG``, or the user's if it exists."""
    if explicit is not None:
        return explicit
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env)
    user = default_config_path()
    return user if user.is_file() else None


MAX_CONFIG_BYTES = 1_000_000
"""A configuration file larger than this is refused unread."""
MAX_DEPTH = 32
MAX_INT_DIGITS = 30


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader within bounds: no aliases (``*name`` could multiply a small file into a
    huge document), at most :data:`MAX_DEPTH` levels, integers of at most :data:`MAX_INT_DIGITS`
    digits (longer ones take Python seconds to convert, or are refused with a ``ValueError``)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        value = str(self.construct_scalar(node))
        if len(value.lstrip("+-").replace("_", "")) > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number with more than {MAX_INT_DIGITS} digits", node.start_mark
            )
        return super().construct_yaml_int(node)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)


def load_config(explicit: Path | None = None) -> Config:
    """Load and validate the configuration; raise ``ConfigError`` with a one-line reason."""
    path = find_config_path(explicit)
    if path is None:
        return Config()
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(_("config file not found: {path}").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_("cannot read config file {path}: {error}").format(path=path, error=exc)) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            _("config file {path} is larger than {limit} bytes").format(path=path, limit=MAX_CONFIG_BYTES)
        )
    return parse_config(text, source=str(path))


def parse_config(text: str, source: str = "<config>") -> Config:
    """Validate configuration text (YAML)."""
    try:
        data = yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader with bounds
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        if problem and ("aliases" in problem or "nested deeper" in problem or "digits" in problem):
            raise ConfigError(
                _("{source}{where}: not a configuration homediag reads ({problem})").format(
                    source=source, where=where, problem=problem
                )
            ) from None
        raise ConfigError(_("{source}{where}: not valid YAML").format(source=source, where=where)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(_("{source}: the configuration must be a mapping").format(source=source))
    try:
        return Config.model_validate({**data, "source": source})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        more = len(exc.errors()) - 1
        suffix = _(" (and {n} more)").format(n=more) if more else ""
        raise ConfigError(
            _("{source}: {key}: {message}{suffix}").format(
                source=source, key=key, message=first["msg"], suffix=suffix
            )
        ) from None
