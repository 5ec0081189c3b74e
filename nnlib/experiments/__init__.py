"""Small, seeded, CPU-fast experiments that the chapters run and assert on.

One module per topic (activations, initialisation, training); each function returns plain
numbers or arrays so that a notebook can print, plot and ``assert`` them.
"""
