"""typer's rich help without the parts of rich it does not use: ``homediag --help`` within 150 ms.

``typer.rich_utils`` (the help, usage errors) imports ``rich.markdown`` and ``rich.traceback`` at its
top: about a quarter of ``homediag --help``'s CPU time (markdown-it, pygments, rich.pretty). The help
uses neither: Markdown only with ``rich_markup_mode="markdown"`` (homediag's is ``"rich"``), tracebacks
only with pretty exceptions (off: ``pretty_exceptions_enable=False``). :func:`install` lets
``typer.rich_utils``, whenever something imports it, find stand-ins for those two modules: their
``Markdown`` and ``Traceback`` load the real class on first use, and any other name is read from the
real module at once. Everyone else still imports the real modules; what the help shows is unchanged.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # importlib.abc costs some milliseconds at start-up (importlib.resources)
    from importlib.abc import Loader

_TARGET = "typer.rich_utils"
_DEFERRED = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}
"""The modules ``typer.rich_utils`` imports but the help does not use, and the class it takes from each."""


def install() -> None:
    """Defer ``rich.markdown`` and ``rich.traceback`` for ``typer.rich_utils`` (once; nothing when it
    is imported already)."""
    if _TARGET in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())


class _Finder:
    """Finds ``typer.rich_utils`` as the other finders do, with a loader that runs it beside the
    stand-ins; steps aside after that one import."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != _TARGET:
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec: ModuleSpec | None = find(fullname, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = cast("Loader", _Loader(spec.loader))
                return spec
        return None


class _Loader:
    """Runs the real loader of ``typer.rich_utils`` with the stand-ins in ``sys.modules``."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        with _stand_ins():
            self._loader.exec_module(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)  # get_source, get_filename... for tracebacks and inspect


@contextmanager
def _stand_ins() -> Iterator[None]:
    """Stand-in modules for the deferred ones that are not imported yet, while the block runs."""
    placed = [name for name in _DEFERRED if name not in sys.modules]
    for name in placed:
        sys.modules[name] = _stand_in(name, _DEFERRED[name])
    try:
        yield
    finally:
        for name in placed:
            if isinstance(sys.modules.get(name), _StandIn):
                del sys.modules[name]


class _StandIn(types.ModuleType):
    """A module that reads every name from the real one, which it imports on first need."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system asks for __path__ etc.: a plain module has none
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _real(module: str) -> types.ModuleType:
    """The real module, imported now if need be (in the stand-in's place, if it still stands)."""
    if isinstance(sys.modules.get(module), _StandIn):
        del sys.modules[module]
    return importlib.import_module(module)


def _stand_in(module: str, name: str) -> _StandIn:
    stand_in = _StandIn(module)

    def load() -> Any:
        return getattr(_real(module), name)

    class Deferred:
        """Stands for the class until it is used: making one (or calling a class method) imports it."""

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return load()(*args, **kwargs)

        @classmethod
        def from_exception(cls, *args: Any, **kwargs: Any) -> Any:
            return load().from_exception(*args, **kwargs)

    Deferred.__name__ = Deferred.__qualname__ = name
    Deferred.__module__ = module
    setattr(stand_in, name, Deferred)
    return stand_in
