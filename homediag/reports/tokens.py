"""Readable, stable pseudonyms: ``printer-1``, ``ssid-2``, ``mac-3``, from a keyed HMAC.

A token is a class name and a number, numbered per class in the order values are first seen. The
number is kept in a small table in the user's config directory, keyed by HMAC-SHA256(key, class and
canonical value) — never by the value itself, nor by a plain hash, which can be reversed for small
spaces such as MAC addresses (docs/report-format.md#redaction). The random key lives beside the table (mode
0600,
created on first use). So one installation gives a device the same token in every report, which
``--baseline`` and ``report diff`` rely on, while nobody without the key can tell which device it is.

The table is locked for the time one report is redacted (``with TokenStore.open() as store:``), so two
homediag processes never hand out one number twice. When the config directory cannot be written,
:meth:`TokenStore.ephemeral` gives tokens that hold for one report only.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from homediag.core.errors import HomediagError
from homediag.core.i18n import _

ENV_CONFIG_DIR = "HOMEDIAG_CONFIG_DIR"
KEY_FILE = "redaction.key"
TABLE_FILE = "redaction-tokens.json"
LOCK_FILE = "redaction.lock"
KEY_BYTES = 32
TABLE_VERSION = 1
MAX_TABLE_BYTES = 16 * 1024 * 1024

_CLASS_NAME = re.compile(r"^[a-z][a-z0-9-]{0,23}$")

TOKEN_CLASSES = (
    # device kinds (DeviceKind values other than "unknown"), and "device" for the unknown ones
    "router", "printer", "media", "speaker", "hub", "camera", "phone", "computer", "nas", "iot", "device",
    # identifiers found in fields and text
    "host", "mac", "ssid", "serial", "uuid", "email", "value", "place", "model", "key", "id", "domain",
    "server",
)  # fmt: skip
"""Every class redaction hands out tokens in. A value that already is such a token is kept as it is,
which makes redacting a redacted report change nothing."""

_ADDRESS_CLASSES = "public|cgnat|ula|private|loopback|link-local|multicast|unspecified|well-known"
_TOKEN = re.compile(rf"(?:(?:[0-9a-f]{{2}}:){{3}})?…?(?:{'|'.join(TOKEN_CLASSES)})-[1-9][0-9]{{0,8}}")
REPLACEMENT_PATTERN = (
    rf"{_TOKEN.pattern}"
    rf"|(?:{_ADDRESS_CLASSES})-ipv[46](?:\({_TOKEN.pattern}\))?(?:/[0-9]{{1,3}})?(?:%[\w.-]{{1,64}})?"
    r"|redacted|dropped"
)
"""What redaction puts in place of a value (tokens, address classes, markers), as a regex."""
_REPLACEMENT = re.compile(REPLACEMENT_PATTERN)


def is_token(value: str) -> bool:
    """Whether ``value`` is something redaction put in: a token (``printer-1``, ``3c:2a:f4:…mac-2``),
    an address class (``public-ipv4``) or a marker (``redacted``)."""
    return len(value) <= 120 and _REPLACEMENT.fullmatch(value) is not None


class RedactionError(HomediagError):
    """The redaction key or token table is unusable (damaged, or of a newer format)."""


def config_dir() -> Path:
    """``$HOMEDIAG_CONFIG_DIR``, else the user's config directory for homediag."""
    explicit = os.environ.get(ENV_CONFIG_DIR)
    if explicit:
        return Path(explicit)
    from platformdirs import user_config_dir

    return Path(user_config_dir("homediag"))


class TokenStore:
    """The HMAC key and the table of tokens handed out so far."""

    def __init__(
        self,
        key: bytes,
        *,
        tokens: dict[str, str] | None = None,
        counters: dict[str, int] | None = None,
        directory: Path | None = None,
    ) -> None:
        if len(key) < 16:
            raise ValueError("the redaction key must have at least 128 bits")
        self._key = key
        self._tokens: dict[str, str] = dict(tokens or {})
        self._counters: dict[str, int] = dict(counters or {})
        self.directory = directory
        """Where the table is kept; None for an ephemeral store."""
        self._dirty = False
        self._lock: IO[bytes] | None = None

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def ephemeral(cls) -> TokenStore:
        """A store with a fresh random key that is never written: tokens hold for one report."""
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def open(cls, directory: Path | None = None) -> TokenStore:
        """The installation's store in ``directory`` (default :func:`config_dir`), locked until closed.

        Creates the directory, the key (mode 0600) and the table on first use. Raises ``OSError``
        when the directory cannot be created or written, and :class:`RedactionError` when the key or
        table is damaged.
        """
        where = Path(directory) if directory is not None else config_dir()
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = _acquire_lock(where / LOCK_FILE)
        try:
            key = _load_or_create_key(where / KEY_FILE)
            tokens, counters = _load_table(where / TABLE_FILE)
        except BaseException:
            _release_lock(lock)
            raise
        store = cls(key, tokens=tokens, counters=counters, directory=where)
        store._lock = lock
        return store

    def __enter__(self) -> TokenStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(save=exc_type is None)

    def close(self, *, save: bool = True) -> None:
        """Write new tokens to the table (when there are any) and release the lock."""
        try:
            if save:
                self.save()
        finally:
            if self._lock is not None:
                _release_lock(self._lock)
                self._lock = None

    # -- tokens ---------------------------------------------------------------------------------

    @property
    def persistent(self) -> bool:
        """Whether tokens are kept across reports."""
        return self.directory is not None

    def digest(self, kind: str, value: str) -> str:
        """HMAC-SHA256 of ``kind`` and ``value`` under the key, as hex (the table's key)."""
        message = kind.encode("utf-8") + b"\x00" + value.encode("utf-8", "replace")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def token(self, kind: str, value: str) -> str:
        """The token of ``value`` in class ``kind`` (``printer-1``), handing out a new one if needed."""
        if not _CLASS_NAME.match(kind):
            raise ValueError(f"bad token class {kind!r}")
        digest = self.digest(kind, value)
        known = self._tokens.get(digest)
        if known is not None:
            return known
        number = self._counters.get(kind, 0) + 1
        self._counters[kind] = number
        token = f"{kind}-{number}"
        self._tokens[digest] = token
        self._dirty = True
        return token

    def save(self) -> None:
        """Write the table atomically (mode 0600) when tokens were added."""
        if self.directory is None or not self._dirty:
            return
        from homediag.core.jsonio import atomic_write

        data = {"version": TABLE_VERSION, "counters": self._counters, "tokens": self._tokens}
        atomic_write(self.directory / TABLE_FILE, json.dumps(data, sort_keys=True, indent=0), mode=0o600)
        self._dirty = False


def _load_or_create_key(path: Path) -> bytes:
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        key = secrets.token_bytes(KEY_BYTES)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex() + "\n")
        return key
    except (OSError, UnicodeDecodeError) as exc:
        raise RedactionError(
            _("cannot read the redaction key {path}: {error}").format(path=path, error=exc)
        ) from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise RedactionError(
            _(
                "the redaction key {path} is damaged; remove it to start new tokens "
                "(earlier reports will then use other tokens)"
            ).format(path=path)
        )
    return key


def _load_table(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_TABLE_BYTES + 1)
    except FileNotFoundError:
        return {}, {}
    damaged = RedactionError(
        _("the redaction token table {path} is damaged; remove it to start new tokens").format(path=path)
    )
    if len(raw) > MAX_TABLE_BYTES:
        raise damaged
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise damaged from None
    if not isinstance(data, dict) or data.get("version") != TABLE_VERSION:
        raise damaged
    tokens, counters = data.get("tokens"), data.get("counters")
    if not isinstance(tokens, dict) or not isinstance(counters, dict):
        raise damaged
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in tokens.items()):
        raise damaged
    if not all(isinstance(k, str) and type(v) is int for k, v in counters.items()):
        raise damaged
    return tokens, counters


def _acquire_lock(path: Path) -> IO[bytes]:
    handle = path.open("ab")
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: one homediag at a time is the norm there
        return handle
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    return handle


def _release_lock(handle: IO[bytes]) -> None:
    with contextlib.suppress(OSError):
        try:
            import fcntl
        except ImportError:  # pragma: no cover
            pass
        else:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
