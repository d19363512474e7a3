"""Auto-checked exercises: one module per exercise notebook, ``lesson01`` ... ``lesson17``.

In an exercise notebook::

    from autograd_course.checks.lesson02 import q1, q2
    q1.check()   # ✅ Correct / ❌ Not yet: <hint> / ➖ Not attempted
    q1.hint()    # the next hint

The grader (``python -m autograd_course.grade``) runs the same checks on a submission's
objects and turns each result into points.
"""

from .exercise import Exercise, Result, Status, exercises_in

__all__ = ["Exercise", "Result", "Status", "exercises_in"]
