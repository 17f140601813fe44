"""``python -m homediag`` and the ``homediag`` console script.

Signal handling comes first of all, before the command line and its dependencies are imported, so
that a Ctrl-C or SIGTERM at any moment of start-up ends in one line and exit code 130/143/129, never
a traceback (``homediag._signals``).
"""

from homediag import _signals

_signals.install()


def main() -> None:
    """Run the command line."""
    try:
        from homediag.cli.app import main as run

        run()  # inside: a signal between the import and the command's own handling ends in one line too
    except SystemExit:  # the command's own end (its exit code stands, whatever happened before)
        raise
    except BaseException as exc:
        stop = _signals.interrupt_in(exc)
        if stop is None:
            raise
        _exit_interrupted(stop)


def _exit_interrupted(stop: _signals.Interrupt) -> None:
    import sys

    text = "homediag: interrupted by {signal} before a report was written"
    try:  # in the language of the rest, when the translations are loaded already
        from homediag.core.i18n import _

        text = _(text)
    except BaseException:  # noqa: BLE001, S110 - interrupted while importing them: English it is
        pass
    sys.stderr.write(text.format(signal=stop.name) + "\n")
    raise SystemExit(stop.exit_code)


if __name__ == "__main__":
    main()
