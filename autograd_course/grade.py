"""Grade a class's exercise notebooks: one row of points and feedback per submission.

    python -m autograd_course.grade submissions/ --out grades.csv --jobs 2
    python -m autograd_course.grade alice.ipynb bob.ipynb --lesson 03 --out grades.csv
    python -m autograd_course.grade submissions/ --out grades.csv --resume   # after an interruption

Each submission runs in its own bubblewrap sandbox (no network, no view of the course's
solutions, of other submissions or of the output folder, limits on time, memory, processes
and files; see ``grading/sandbox.py``), on its own copy of the notebook. At each check cell
the course's probe turns what the notebook made into plain data; the verdict is computed here,
outside the student's code. The lesson comes from the notebook's metadata (--lesson must agree).

Rows are written as they are graded: a run that is interrupted keeps them, and --resume grades
only the files missing from the CSV. Whatever a submission does costs only its own row, with 0
points for what it affects and the reason in the feedback column. The summary goes beside the
CSV as ``<name>_summary.txt`` (and is printed); progress goes to stderr. The exit status is 1
when a row says the grader itself failed, 2 when nothing could be graded.
"""

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from time import monotonic

from .grading.report import GradeTable, exercise_columns, summary, summary_path
from .grading.rows import failed_row, grade_file, lesson_exercises, lesson_of
from .grading.sandbox import Limits, Sandbox, sandbox_mode, unavailable
from .grading.submission import Unreadable, display_name, lesson_name, read_submission


def submission_paths(arguments):
    """Files as given, and the ``*.ipynb`` files in each folder given (symbolic links listed
    but never followed into), sorted, without repeats."""
    paths = []
    for argument in map(Path, arguments):
        if argument.is_dir() and not argument.is_symlink():
            found = []
            for folder, folders, files in os.walk(argument):
                folders[:] = sorted(name for name in folders if name != ".ipynb_checkpoints")
                found += [Path(folder) / name for name in files if name.endswith(".ipynb")]
            paths.extend(sorted(found))
        else:
            paths.append(argument)
    return list(dict.fromkeys(paths))


def _read(path):
    try:
        return read_submission(path)
    except (Unreadable, OSError):
        return None  # graded (as unreadable) by grade_file, which says why


def grade_all(paths, lesson, limits, jobs, sandbox, table, progress=sys.stderr):
    """Grade ``paths`` ``jobs`` at a time, writing each row to ``table`` as it is done; the rows."""
    rows = []
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = {pool.submit(grade_file, path, lesson, limits, sandbox): path for path in paths}
        for done, future in enumerate(as_completed(futures), start=1):
            path = futures[future]
            try:
                row = future.result()
            except Exception as error:  # noqa: BLE001 - the row must not be lost
                row = failed_row(path, error)
            table.write(row)
            rows.append(row)
            score = f"{row.total:g}/{row.max_points:g} points" if row.points else "not graded"
            print(f"[{done}/{len(paths)}] {row.file}: {score} ({row.seconds:.1f} s)", file=progress, flush=True)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        sandbox.kill_all()
    return rows


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
    parser.add_argument("--resume", action="store_true", help="keep the rows already in --out, grade the rest")
    parser.add_argument(
        "--no-sandbox", action="store_true",
        help="run submissions without bubblewrap, with your own rights (only for notebooks you trust)",
    )
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
    parser.add_argument(
        "--memory", type=float, default=defaults.memory_bytes / 2**30,
        help=f"GiB of address space a submission may use (default {defaults.memory_bytes / 2**30:g})",
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
    mode = "none" if options.no_sandbox else sandbox_mode()
    if mode != "none" and (problem := unavailable(mode)):
        print(f"Cannot grade safely: {problem}.", file=sys.stderr)
        return 2
    limits = Limits(
        notebook_seconds=options.timeout,
        cell_seconds=min(options.cell_timeout, options.timeout),
        check_seconds=options.check_timeout,
        memory_bytes=int(options.memory * 2**30),
    )
    lessons = []
    for path in paths:
        submission = _read(path)
        if submission is not None:
            lessons.append(lesson_of(submission, path, options.lesson)[0])
    options.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        table = GradeTable(options.out, exercise_columns(lessons), resume=options.resume)
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return 2
    todo = [path for path in paths if display_name(path) not in table.done]
    started = monotonic()
    try:
        rows = grade_all(todo, options.lesson, limits, options.jobs, Sandbox(mode), table)
    finally:
        table.close()
    report = summary(rows, monotonic() - started, options.jobs, sandboxed=mode != "none")
    if options.resume and len(todo) < len(paths):
        report += f"Resumed: {len(paths) - len(todo)} submission(s) were already in {options.out}.\n"
    summary_path(options.out).write_text(report, encoding="utf-8")
    print(report, end="")
    print(f"Wrote {options.out} and {summary_path(options.out)}")
    return 1 if any(row.grader_failed for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
