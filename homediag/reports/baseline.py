"""``--baseline`` with a redacted earlier report: current devices in this installation's tokens.

A redacted baseline holds tokens instead of ids and MACs (``printer-1``, ``3c:2a:f4:…mac-2``). The
comparison (:mod:`homediag.core.baseline`) puts the current devices in the same form with the
:func:`tokenizer` made here: redacted with this installation's token table
(:class:`~homediag.reports.tokens.TokenStore`), which gives a device the same tokens in every report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from homediag.core.baseline import DeviceTokenizer
from homediag.core.model import Device, Report, RunContext
from homediag.reports.tokens import TokenStore


def redacted_devices(devices: Sequence[Device], store: TokenStore) -> list[Device]:
    """``devices`` as a redacted report of this installation would hold them (same order)."""
    from homediag.reports.redact import redact

    report = Report(
        run_id="baseline-comparison",
        started_at="",
        finished_at="",
        complete=True,
        context=RunContext(platform="unknown"),
        devices=tuple(devices),
    )
    return list(redact(report, store).devices)


def tokenizer(store_factory: Callable[[], TokenStore] | None = None) -> DeviceTokenizer:
    """A :data:`~homediag.core.baseline.DeviceTokenizer` over this installation's token store
    (``store_factory`` opens it; the user's store by default). The store is opened per call."""

    def tokenize(devices: Sequence[Device]) -> list[Device]:
        store = (store_factory or TokenStore.open)()
        try:
            return redacted_devices(devices, store)
        finally:
            store.close()

    return tokenize
