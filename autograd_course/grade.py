"""Grade a class's exercise notebooks: one row of points and feedback per submission.

    python -m autograd_course.grade submissions/ --out grades.csv --jobs 2
    python -m autograd_course.grade alice.ipynb bob.ipynb --lesson 03 --out grades.csv

Each submission runs in a fresh kernel, then the course's own checks (freshly imported, so an
edited or deleted check cell changes nothing) grade the objects it created. Submissions are
only read, never changed. A file that cannot be run still gets its row, with 0 points and the
reason in the feedback column. Writes the CSV and, beside it, ``<name>_summary.txt`` (also
printed). Progress goes to stderr.
"""

import argparse
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from time import monotonic

from .grading.kernel import Limits
from .grading.report import summary, summary_path, write_csv
from .grading.rows import failed_row, grade_file, lesson_exercises
from .grading.submission import lesson_name


def submission_paths(arguments):
    """Files as given, and the ``*.ipynb`` files in each folder given, sorted, without repeats."""
    paths = []
    for argument in map(Path, arguments):
        if argument.is_dir():
            found = (path for path in argument.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts)
            paths.extend(sorted(found))
        else:
            paths.append(argument)
    return list(dict.fromkeys(paths))


def grade_all(paths, lesson, limits, jobs, progress=sys.stderr):
    """Rows in the order of ``paths``, grading ``jobs`` submissions at a time."""
    rows = {}
    # Fresh worker processes ("spawn") rather than forks of this one, which has imported torch.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(grade_file, path, lesson, limits): path for path in paths}
        for done, future in enumerate(as_completed(futures), start=1):
            path = futures[future]
            try:
                row = future.result()
            except Exception as error:  # the worker process died: the row must not be lost
                row = failed_row(path, error)
            rows[path] = row
            score = f"{row.total:g}/{row.max_points:g} points" if row.points else "not graded"
            print(f"[{done}/{len(paths)}] {path}: {score} ({row.seconds:.1f} s)", file=progress, flush=True)
    return [rows[path] for path in paths]


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python -m autograd_course.grade",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("submissions", nargs="+", help="notebooks, or folders searched for *.ipynb")
    parser.add_argument("--out", required=True, type=Path, help="the CSV file to write")
    parser.add_argument(
        "--lesson",
        help="the lesson's exercises to grade (3, 03, lesson03 or 03_backward_and_grad); default: "
        "from each notebook's metadata, else from a file name starting with the lesson number",
    )
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    defaults = Limits()
    parser.add_argument(
        "--timeout", type=float, default=defaults.notebook_seconds,
        help=f"seconds a submission's cells may run in all (default {defaults.notebook_seconds:g})",
    )
    parser.add_argument(
        "--cell-timeout", type=float, default=defaults.cell_seconds,
        help=f"seconds one cell may run before it is interrupted (default {defaults.cell_seconds:g})",
    )
    parser.add_argument(
        "--check-timeout", type=float, default=defaults.check_seconds,
        help=f"seconds one check may run the student's code (default {defaults.check_seconds:g})",
    )
    options = parser.parse_args(argv)
    if options.lesson is not None:
        options.lesson = lesson_name(options.lesson)
        if not lesson_exercises(options.lesson):
            parser.error(f"--lesson: no exercises for {options.lesson or 'that name'}")
    if options.jobs < 1:
        parser.error("--jobs must be at least 1")
    return options


def main(argv=None):
    options = parse_arguments(argv)
    paths = submission_paths(options.submissions)
    if not paths:
        print("no submissions found", file=sys.stderr)
        return 2
    limits = Limits(
        notebook_seconds=options.timeout,
        cell_seconds=min(options.cell_timeout, options.timeout),
        check_seconds=options.check_timeout,
    )
    started = monotonic()
    rows = grade_all(paths, options.lesson, limits, options.jobs)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(rows, options.out)
    report = summary(rows, monotonic() - started, options.jobs)
    summary_path(options.out).write_text(report, encoding="utf-8")
    print(report, end="")
    print(f"Wrote {options.out} and {summary_path(options.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
