"""Small helpers shared by every chapter: seeding, the chapter's start."""

from __future__ import annotations

import gc
import random

import numpy as np


def set_seed(seed: int = 0) -> None:
    """Seed every random source the course uses: ``random``, NumPy and (if installed) PyTorch.

    Call it at the top of a chapter and again before every experiment whose runs should be
    comparable (for example, before building each network of a comparison, so that every
    network starts from the same random stream).

    Args:
        seed: a non-negative integer.

    Raises:
        TypeError: if ``seed`` is not an ``int``.
        ValueError: if ``seed`` is negative.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeds the legacy global generator learners use
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is installed wherever the chapters run
        return
    torch.manual_seed(seed)


def start_chapter(seed: int = 0) -> None:
    """Settings every chapter starts with, so that its stored outputs are reproducible.

    - ``torch.set_num_threads(1)``: the course's tensors are tiny, so one thread is faster than
      two (thread synchronisation costs more than the arithmetic), and floating-point sums are
      then reduced in the same order on every machine whatever its core count.
    - NumPy prints arrays with 4 decimals and no scientific notation for small values.
    - :func:`set_seed` with ``seed``.
    - The course plot style and Chinese font (:func:`nnlib.plotting.use_course_style`).
    - ``gc.freeze()``: the several hundred thousand objects that importing PyTorch and
      matplotlib created live until the kernel exits; frozen, Python's cyclic garbage collector
      stops re-scanning them in every full collection (a fifth of a second per chapter here).
      Nothing is computed differently.

    Raises:
        TypeError, ValueError: as :func:`set_seed` for a bad ``seed``.
    """
    import torch

    from nnlib.plotting import use_course_style

    set_seed(seed)
    torch.set_num_threads(1)
    np.set_printoptions(precision=4, suppress=True)
    use_course_style()
    gc.collect()
    gc.freeze()
