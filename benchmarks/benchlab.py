"""The lab id a benchmark uses: the caller's ``$HOMEDIAG_LAB_ID`` with a suffix of its own, so two
engineers (or two benchmarks) never build the same lab."""

from __future__ import annotations

from homediag.lab.lab import Lab
from homediag.lab.names import lab_id_from_env


def bench_lab(suffix: str) -> Lab:
    """A lab for one benchmark: ``$HOMEDIAG_LAB_ID`` (default ``hd``) cut to fit, plus ``suffix``."""
    base = lab_id_from_env()
    return Lab(base[: 8 - len(suffix)] + suffix)
