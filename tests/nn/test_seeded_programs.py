"""The tutorial programs with nothing patched: `torch.manual_seed(0)` alone makes both
engines draw the same data and initial weights (random.py draws torch's numbers), so
they print the same losses."""
import random

import pytest

from _nn_twin import assert_same_output, run_program
from test_tutorial_programs import PROGRAMS, shortened


def _seeded(program):
    return program.replace("import torch\n", "import torch\ntorch.manual_seed(0)\n", 1)


@pytest.mark.parametrize("name", PROGRAMS)
def test_seeded_program_prints_what_torch_prints(name):
    program = _seeded(shortened(PROGRAMS[name]))
    outputs = {}
    for engine in ("torch", "mini"):
        random.seed(0)  # dynamic_net also draws from Python's random
        outputs[engine], _ = run_program(program, engine)
    assert outputs["torch"].count("\n") >= 3
    assert_same_output(outputs["mini"], outputs["torch"])
