"""Chinese text in matplotlib figures, without root, network or a commercially licensed font.

The course uses **Noto Sans SC** (SIL Open Font License 1.1), installed from PyPI by the package
``pylopdf-fonts-zh-cn`` (a plain font wheel, no dependencies). If that package is missing, a system
copy of a Simplified Chinese OFL font (Noto Sans CJK SC, Source Han Sans SC) is used instead.

Matplotlib picks a font per glyph from the family list ``font.sans-serif`` (font fallback,
matplotlib >= 3.6), so the Chinese family comes first and DejaVu Sans follows it for the symbols
the CJK font lacks (subscripts such as ``₀``, ``ϵ``, ``ϕ``).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from matplotlib import font_manager, rcParams

#: Families tried, in order, when the pip font package is not installed.
SYSTEM_FALLBACKS: tuple[str, ...] = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC")

#: Latin fallback placed after the Chinese family.
LATIN_FALLBACK = "DejaVu Sans"


def _packaged_font() -> Path | None:
    """Return the path of Noto Sans SC shipped by ``pylopdf-fonts-zh-cn``, or ``None``."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.is_file() else None


def _drop_stale_entries() -> None:
    """Remove font-cache entries whose file no longer exists.

    A cache written before a virtual environment was recreated can list font files that are gone;
    matplotlib then rebuilds its font list and forgets fonts added with ``addfont``. Dropping the
    dead entries first keeps the registration stable.
    """
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if os.path.exists(f.fname)]


@cache
def register_chinese_font() -> str:
    """Register a Simplified Chinese font with matplotlib and return its family name.

    Idempotent: the work is done once per process. Sets ``font.family`` to the Chinese family
    followed by :data:`LATIN_FALLBACK`.

    Raises:
        RuntimeError: if no Chinese font can be found; the message says what to install.
    """
    _drop_stale_entries()
    family: str | None = None
    path = _packaged_font()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        family = font_manager.FontProperties(fname=str(path)).get_name()
    else:
        available = {f.name for f in font_manager.fontManager.ttflist}
        family = next((name for name in SYSTEM_FALLBACKS if name in available), None)
    if family is None:
        raise RuntimeError(
            "No Simplified Chinese font found. Install one with "
            "`pip install pylopdf-fonts-zh-cn` (Noto Sans SC, OFL-1.1), or a system font from "
            f"{list(SYSTEM_FALLBACKS)}."
        )
    # Matplotlib's per-glyph fallback walks the *explicit* family list in ``font.family``; a
    # generic "sans-serif" entry resolves to a single font and falls back no further.
    rcParams["font.family"] = [family, LATIN_FALLBACK]
    rcParams["font.sans-serif"] = [family, LATIN_FALLBACK, *rcParams["font.sans-serif"]]
    # Noto Sans SC has U+2212 MINUS SIGN, so the typographic minus stays on.
    rcParams["axes.unicode_minus"] = True
    return family
