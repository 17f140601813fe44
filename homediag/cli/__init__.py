"""The command line: one module per command group; thin, it only parses, calls and prints.

The user's language is set here, before any command module is imported, because typer reads the help
texts (``help=_("...")``) when the modules load: ``LANGUAGE=de homediag --help`` is German. ``--lang``
switches the language of what a command prints afterwards.
"""

from homediag.core.i18n import set_language, system_language

set_language(system_language())
