"""Chinese labels in any matplotlib figure once ``nnlib`` is imported, without importing
matplotlib when ``nnlib`` is imported (import cost is budgeted; many sections plot nothing).

``import nnlib`` calls :func:`install`: if matplotlib's figure module is already loaded, the
Chinese font is registered at once (:func:`nnlib.fonts.register_chinese_font`); otherwise a
small import hook waits for the first ``import matplotlib.pyplot`` (or ``matplotlib.figure``)
and registers it right after that module has loaded, then removes itself. So a learner's own
``plt.title("损失")`` in a downloaded notebook, or an instructor's script, shows Chinese without
:func:`nnlib.start_chapter`, and without the "Glyph ... missing from font" warnings.
``import nnlib.plotting`` registers the font too (it imports pyplot).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

#: Modules whose first import triggers the registration (pyplot imports figure).
TRIGGERS = ("matplotlib.figure", "matplotlib.pyplot")

_state = {"registered": False}


def register_now() -> None:
    """Register the Chinese font once; a missing font is left to :func:`nnlib.start_chapter`
    (which raises a clear error), so importing never fails because of fonts."""
    if _state["registered"]:
        return
    _state["registered"] = True
    _remove_finder()
    try:
        from nnlib.fonts import register_chinese_font

        register_chinese_font()
    except RuntimeError:
        pass


class _Loader(importlib.abc.Loader):
    """Runs the real loader, then registers the font."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module keeps its real loader (importlib.resources and friends ask it).
        module.__loader__ = self.inner
        if module.__spec__ is not None:
            module.__spec__.loader = self.inner
        self.inner.exec_module(module)
        register_now()


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the trigger modules with the other finders and wraps their loader."""

    def find_spec(
        self, fullname: str, path: Any, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in TRIGGERS or _state["registered"]:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


_FINDER = _Finder()


def _remove_finder() -> None:
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)


def install() -> None:
    """Register the font now if matplotlib's figure module is loaded, else on its first import."""
    if _state["registered"]:
        return
    if any(name in sys.modules for name in TRIGGERS):
        register_now()
    elif _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
