"""Batch grading of exercise notebooks: see ``python -m autograd_course.grade --help``.

``submission`` reads a submitted file into cells without trusting it, ``kernel`` runs those
cells in a fresh kernel and then the checks, ``in_kernel`` is the part that runs inside that
kernel, and ``report`` writes the CSV and the summary.
"""
