"""Checks for exercises/07_profiler_exercises.ipynb: read a call count from the profiler."""

import numbers

import torch

from .exercise import Exercise, NotYet, call, expect, need
from .tensors import values

OP = "aten::mul"


def grow(z, factor):
    """The same function as in the exercise's setup cell: the check profiles its own copy."""
    while z.abs().max() < 1000:
        z = z * factor
    return z


def call_counts(profile):
    """``{op name: number of calls}`` from a profile's ``key_averages()``."""
    return {event.key: event.count for event in call(profile.key_averages, name="prof.key_averages")}


def _check_mul_calls(namespace):
    prof, mul_calls, start, factor = need(namespace, "prof", "mul_calls", "start", "factor")
    expect(
        hasattr(prof, "key_averages"),
        "`prof` should be the profiler of your `with ... as prof:` block",
    )
    counts = call_counts(prof)
    expect(OP in counts, f"your profile recorded no `{OP}`: run `grow(start, factor)` inside the profiler's block")
    expect(
        isinstance(mul_calls, numbers.Real) and not isinstance(mul_calls, bool),
        f"`mul_calls` should be a number, but it is a {type(mul_calls).__name__}",
    )
    expect(
        float(mul_calls).is_integer(),
        f"`mul_calls` is {mul_calls}, which is not a whole number: a time, perhaps? Read the "
        "number of calls instead",
    )
    if mul_calls != counts[OP]:
        other = sorted(key for key, count in counts.items() if count == mul_calls)
        expect(
            not other,
            f"{mul_calls} is how often {', '.join(other)} ran in your profile; the question is about `{OP}`",
        )
        raise NotYet(f"`mul_calls` is {mul_calls}, but your profile counts {counts[OP]} calls of `{OP}`")
    with torch.autograd.profiler.profile() as reference:
        grow(torch.tensor(values(start), dtype=torch.float32), torch.tensor(values(factor), dtype=torch.float32))
    expect(
        counts[OP] == call_counts(reference)[OP],
        f"your profile counts {counts[OP]} calls of `{OP}`, but one run of `grow(start, factor)` "
        "makes a different number: profile exactly one call of it, and nothing else",
    )


q1 = Exercise(
    "count calls with the profiler",
    _check_mul_calls,
    hints=[
        "`key_averages()` has one entry per operation; each entry knows its name and how often it ran.",
        "Only what runs inside the profiler's `with` block is recorded.",
    ],
)
