"""nnlib: the shared code of the course 深度学习基本原理和网络搭建.

Chapters import what they need from the submodules:

- :mod:`nnlib.fonts` -- registers an OFL Simplified Chinese font for matplotlib; done
  automatically (:mod:`nnlib.font_hook`) as soon as matplotlib is used after ``import nnlib``.
- :mod:`nnlib.plotting` -- the course figure style and plotting helpers.
- :mod:`nnlib.diagrams` -- neuron and network diagrams drawn with matplotlib (chapter 1).
- :mod:`nnlib.activations` -- activation registry, from-scratch activations and derivatives.
- :mod:`nnlib.init` -- initialisation registry with each method's formula.
- :mod:`nnlib.models` -- the models the chapters build (``make_mlp``, the seed article's net).
- :mod:`nnlib.data` -- seeded 2-D toy data sets and a train/test split.
- :mod:`nnlib.training` -- the small full-batch training loops.
- :mod:`nnlib.digits` -- scikit-learn's bundled handwritten digits, split and standardised once.
- :mod:`nnlib.minibatch` -- mini-batch training by epochs with a validation set and early stopping.
- :mod:`nnlib.evaluation` -- confusion matrix, standard error of an accuracy, evaluation figures.
- :mod:`nnlib.boundary` -- decision-boundary plots for 2-D classifiers.
- :mod:`nnlib.experiments` -- small, seeded experiments (activations, initialisation).
- :mod:`nnlib.utils` -- seeding and the chapter start-up settings.
- :mod:`nnlib.numerics` -- the portable floating-point path, pinned when nnlib is imported.

Importing ``nnlib`` pins the numerics path (:func:`nnlib.numerics.pin_numerics`) before anything
else, so that every chapter prints the same numbers on every x86-64 CPU. Import it before any
tensor operation runs; ``NNLIB_NATIVE_NUMERICS=1`` opts out.
"""

from nnlib.numerics import pin_numerics

NUMERICS = pin_numerics()
"""The :class:`~nnlib.numerics.NumericsState` found when nnlib was imported."""

from nnlib import font_hook  # noqa: E402
from nnlib.utils import set_seed, start_chapter  # noqa: E402 - after the pin, on purpose

# Chinese labels in every matplotlib figure, registered when matplotlib is first used (not now:
# importing nnlib does not import matplotlib).
font_hook.install()

__all__ = ["NUMERICS", "set_seed", "start_chapter", "__version__"]
__version__ = "0.1.0"
