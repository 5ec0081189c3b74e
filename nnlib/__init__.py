"""nnlib: the shared code of the course 深度学习基本原理和网络搭建.

Chapters import what they need from the submodules:

- :mod:`nnlib.fonts` -- registers an OFL Simplified Chinese font for matplotlib.
- :mod:`nnlib.plotting` -- the course figure style and plotting helpers.
- :mod:`nnlib.diagrams` -- neuron and network diagrams drawn with matplotlib.
- :mod:`nnlib.activations` -- activation registry and from-scratch activations.
- :mod:`nnlib.init` -- initialisation registry.
- :mod:`nnlib.models` -- the models the chapters build.
- :mod:`nnlib.experiments` -- small, seeded experiments.
- :mod:`nnlib.utils` -- seeding and small helpers.
"""

from nnlib.utils import set_seed

__all__ = ["set_seed", "__version__"]
__version__ = "0.1.0"
