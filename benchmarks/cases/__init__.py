"""The benchmark cases. Each module holds one workload written once per engine (torch and
autograd_mini share a function, NumPy has its hand-written one), and declares:

- ROWS: (row name, description, keyword arguments of its `run`) for every line of the report;
- run(engine, settings, **params) -> dict: the measurement, run inside a child process.
"""

from typing import NamedTuple

from benchmarks.cases import chain, functional, memory, mlp, mlp_nn, tiny

CASES = {"tiny": tiny, "mlp": mlp, "mlp_nn": mlp_nn, "chain": chain, "functional": functional,
         "memory": memory}


class Row(NamedTuple):
    case: str
    name: str
    description: str
    params: dict


def rows(case_names=tuple(CASES)) -> list[Row]:
    return [
        Row(case_name, name, description, params)
        for case_name in case_names
        for name, description, params in CASES[case_name].ROWS
    ]
