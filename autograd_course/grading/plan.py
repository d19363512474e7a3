"""Where in a submission each exercise is probed: the steps the sandboxed runner follows.

An exercise is probed at its check cell, the cell ``build_exercises`` marked with
``{"autograd_course": {"exercise": "q1"}}`` (or, when a student's editor dropped the
metadata, the cell that begins with ``q1.check()``), so that later cells cannot change what
is graded. A check cell that holds nothing but ``qN.check()`` / ``qN.hint()`` calls is not
run: the probe takes its place. One that holds more (an answer typed into it) is run, then probed.

An exercise whose check cell was deleted is probed just before the check cell of the next
exercise that still has one, or at the end of the notebook when none has.
"""

import ast
import re


def _only_check_calls(source):
    """Whether ``source`` is nothing but ``qN.check()`` / ``qN.hint()`` calls (and comments)."""
    try:
        statements = ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return all(
        isinstance(statement, ast.Expr)
        and isinstance(call := statement.value, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in ("check", "hint")
        and isinstance(call.func.value, ast.Name)
        and re.fullmatch(r"q\d+", call.func.value.id)
        for statement in statements
    )


def check_positions(cells, exercises):
    """``{exercise: index of its check cell in cells}`` for the exercises that have one."""
    positions = {}
    for index, cell in enumerate(cells):
        if cell.exercise in exercises:
            positions.setdefault(cell.exercise, index)
    for index, cell in enumerate(cells):
        for name in exercises:
            if name not in positions and re.match(rf"\s*{name}\.check\(\)", cell.source):
                positions[name] = index
    return positions


def steps(cells, exercises, skipped=(), probed=()):
    """``[["cell", number, source] | ["probe", exercise]]`` in the order the runner takes them;
    ``skipped`` cell numbers are left out, ``probed`` exercises are not probed again."""
    positions = check_positions(cells, exercises)
    before, after = {}, {}  # cell index -> exercises probed before / after it runs
    pending = []
    for name in exercises:
        if name not in positions:
            pending.append(name)
            continue
        before.setdefault(positions[name], []).extend(pending)
        after.setdefault(positions[name], []).append(name)
        pending = []
    plan = []
    for index, cell in enumerate(cells):
        plan += [["probe", name] for name in before.get(index, [])]
        if cell.number not in skipped and cell.source.strip() and not (index in after and _only_check_calls(cell.source)):
            plan.append(["cell", cell.number, cell.source])
        plan += [["probe", name] for name in after.get(index, [])]
    plan += [["probe", name] for name in pending]
    return [step for step in plan if step[0] == "cell" or step[1] not in probed]
