"""Imported by pytest before any test module: ``import nnlib`` first pins the numerics path
(``nnlib.numerics``) before any test creates a tensor."""

import nnlib  # noqa: F401
