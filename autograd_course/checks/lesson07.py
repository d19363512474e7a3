"""Checks for exercises/07_profiler_exercises.ipynb: read a call count from the profiler.

The probe reads the student's profile as ``{op name: calls}``; the judge profiles its own run
of `grow` on the given `start` and `factor` with torch. No hint names the right count.
"""

import numbers

import torch

from .exercise import Exercise, NotYet, attempt, expect, expect_ran, need
from .tensors import expect_given, kind_in, read, tensor_in, value_in

OP = "aten::mul"
START = [0.5, -0.25, 0.125]
FACTOR = [1.5, 1.1, 1.3]


def grow(z, factor):
    """The same function as in the exercise's setup cell: the judge profiles its own copy."""
    while z.abs().max() < 1000:
        z = z * factor
    return z


def call_counts(profile):
    """``{op name: number of calls}`` from a profile's ``key_averages()``."""
    return {event.key: event.count for event in profile.key_averages()}


def _read_counts(prof):
    events, error = attempt(prof.key_averages) if hasattr(prof, "key_averages") else (None, None)
    if error is not None or events is None:
        return None, error
    counts = {}
    for event in list(events)[:2000]:
        key, count = getattr(event, "key", None), getattr(event, "count", None)
        if type(key) is str and type(count) is int:
            counts[key[:100]] = count
    return counts, None


def _probe_mul_calls(namespace):
    prof, mul_calls, start, factor = need(namespace, "prof", "mul_calls", "start", "factor")
    counts, error = _read_counts(prof)
    return {"counts": counts, "error": error, "mul_calls": read(mul_calls), "start": read(start), "factor": read(factor)}


def _reference_count():
    with torch.autograd.profiler.profile() as reference:
        grow(torch.tensor(START), torch.tensor(FACTOR))
    return call_counts(reference)[OP]


def _judge_mul_calls(data):
    for name, given in (("start", START), ("factor", FACTOR)):
        expect_given(tensor_in(data, name), name, given)
    expect_ran(data.get("error"), "prof.key_averages")
    counts = data.get("counts")
    expect(isinstance(counts, dict), "`prof` should be the profiler of your `with ... as prof:` block")
    expect(
        all(isinstance(count, int) and not isinstance(count, bool) for count in counts.values()),
        "the check's data about your profile is not readable",
    )
    expect(OP in counts, f"your profile recorded no `{OP}`: run `grow(start, factor)` inside the profiler's block")
    mul_calls = value_in(data, "mul_calls")
    expect(
        isinstance(mul_calls, numbers.Real) and not isinstance(mul_calls, bool),
        f"`mul_calls` should be a number, but it is a {kind_in(data, 'mul_calls')}",
    )
    expect(
        float(mul_calls).is_integer(),
        f"`mul_calls` is {mul_calls}, which is not a whole number: a time, perhaps? Read the "
        "number of calls instead",
    )
    right, profiled = _reference_count(), counts[OP]
    if mul_calls == profiled:
        expect(
            profiled == right,
            f"`mul_calls` matches your profile, but your profile does not hold one run of "
            "`grow(start, factor)`: profile exactly one call of it, and nothing else",
        )
        return
    read_elsewhere = any(count == mul_calls for key, count in counts.items() if key != OP)
    expect(
        not read_elsewhere or abs(mul_calls - profiled) <= 1,
        f"`mul_calls` is how often another operation ran in your profile; the question is about `{OP}`",
    )
    raise NotYet(
        f"`mul_calls` is not the number of calls of `{OP}` in your profile: read it from the "
        f"entry of `prof.key_averages()` whose key is `{OP}`, rather than counting yourself"
    )


q1 = Exercise(
    "count calls with the profiler",
    _probe_mul_calls,
    _judge_mul_calls,
    hints=[
        "`key_averages()` has one entry per operation; each entry knows its name and how often it ran.",
        "Only what runs inside the profiler's `with` block is recorded.",
    ],
)
