"""One child process: runs every row of one case on one engine, or describes the machine.

    python -m benchmarks.child '{"case": ..., "engine": ..., "settings": {...}}'
    python -m benchmarks.child '{"probe": true, "settings": {...}}'

It prints its result as a single JSON line after RESULT_PREFIX: {"rows": {row name: result}} or
the machine's description. An exception in a row becomes that row's {"error": ...} (or
{"na": ...} when the case does not apply to the engine), never a crash.
"""

import json
import sys
import traceback

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
    return {"rows": {name: attempt(case, spec["engine"], settings, params) for name, _, params in case.ROWS}}


def main(argv: list[str]) -> None:
    spec = json.loads(argv[1])
    settings = Settings(**spec["settings"])
    result = describe(settings.threads) if spec.get("probe") else measure(spec, settings)
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv)
