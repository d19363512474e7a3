"""One child process: runs every row of one case on one engine, or describes the machine.

    python -m benchmarks.child '{"case": ..., "engine": ..., "settings": {...}}'
    python -m benchmarks.child '{"probe": true, "settings": {...}}'

A case child's timed runs are driven by the parent through stdin and stdout (timing.Driver:
`READY <row>`, then `go` / `TIME <seconds>` until `stop`). Every child ends by printing its
result as a single JSON line after RESULT_PREFIX: {"rows": {row name: result}} or the machine's
description. An exception in a row becomes that row's {"error": ...} (or {"na": ...} when the
case does not apply to the engine), never a crash.
"""

import json
import os
import sys
import traceback

from benchmarks import timing
from benchmarks.cases import CASES
from benchmarks.engines import NotApplicable, load_engine
from benchmarks.machine import describe
from benchmarks.settings import Settings

RESULT_PREFIX = "BENCHMARK-RESULT "


def attempt(case, engine_name: str, settings: Settings, params: dict) -> dict:
    try:
        engine = load_engine(engine_name, settings.threads)
        return case.run(engine, settings, **params)
    except NotApplicable as reason:
        return {"na": str(reason)}
    except Exception as error:
        traceback.print_exc()  # the whole story on stderr; the one-line summary goes to the report
        return {"error": f"{type(error).__name__}: {error}"}


def measure(spec: dict, settings: Settings) -> dict:
    case = CASES[spec["case"]]
    results = {}
    for name, _, params in case.ROWS:
        if timing.driver:
            timing.driver.row = name
        results[name] = attempt(case, spec["engine"], settings, params)
    return {"rows": results}


def main(argv: list[str]) -> None:
    spec = json.loads(argv[1])
    settings = Settings(**spec["settings"])
    # stdout is the channel to the parent: keep it for ourselves, and send whatever else would be
    # printed there (by Python or by C code, hence the file descriptors) to stderr.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    if spec.get("probe"):
        result = describe(settings.threads)
    else:
        timing.driver = timing.Driver(sys.stdin, channel)
        result = measure(spec, settings)
    print(RESULT_PREFIX + json.dumps(result), file=channel, flush=True)


if __name__ == "__main__":
    main(sys.argv)
