"""Batch grading of exercise notebooks: see ``python -m autograd_course.grade --help``.

``submission`` reads a submitted file into cells without trusting it, ``plan`` decides where
each exercise is probed, ``sandbox`` runs ``runner`` (the only part that runs inside a
submission's bubblewrap sandbox) within limits, ``runs`` restarts a run that died in a cell,
``rows`` judges the probes' data in the grader's process, and ``report`` writes the CSV and
the summary.
"""
