"""The demo project on 1, 3 and 6 PostgreSQL versions, one after another and in parallel.

    python benchmarks/matrix.py [--backend local|docker] [--counts 1,3,6] [--jobs N]

For each count N, walks the demo on the N newest versions of 13-18, first with one job
(in this process, one version after another), then with --jobs workers (default: one
per CPU core), and prints per run: the wall time, the server start time (sum over the
versions, and the slowest), the walk time (sum: each version's time minus its server
start) and the speed-up of the parallel run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from migcheck import Config, Report, check
from migcheck.check import default_jobs

ROOT = Path(__file__).parent.parent
VERSIONS = (18, 17, 16, 15, 14, 13)


def measure(versions: tuple[int, ...], backend: str, jobs: int) -> tuple[float, Report]:
    config = Config(project_dir=ROOT, backend=backend, pg_versions=versions, jobs=jobs)  # type: ignore[arg-type]  # argparse choices checked it
    started = time.perf_counter()
    report = check(config)
    wall = time.perf_counter() - started
    if report.findings:
        raise SystemExit(f"the demo has findings on {versions}: {report.findings}")
    return wall, report


def row(count: int, mode: str, wall: float, report: Report, speedup: str) -> str:
    starts = [dict(run.timings)["server"] for run in report.runs]
    walks = [run.seconds - start for run, start in zip(report.runs, starts, strict=True)]
    return (
        f"{count:>8}  {mode:<12} {wall:>7.1f}  {sum(starts):>9.1f} {max(starts):>6.1f}"
        f"  {sum(walks):>8.1f}  {speedup:>8}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("local", "docker"), default="local")
    parser.add_argument("--counts", default="1,3,6", help="numbers of versions (at most 6)")
    parser.add_argument("--jobs", type=int, help="parallel workers (default: CPU cores)")
    args = parser.parse_args()
    print(
        f"{'versions':>8}  {'mode':<12} {'wall s':>7}  {'server s':>9} {'max':>6}  "
        f"{'walk s':>8}  {'speed-up':>8}"
    )
    for count in (int(c) for c in args.counts.split(",")):
        versions = tuple(sorted(VERSIONS[:count]))
        sequential, report = measure(versions, args.backend, 1)
        print(row(count, "sequential", sequential, report, ""))
        if count == 1:
            continue  # one version never starts a worker: the same run
        jobs = args.jobs or default_jobs(count)
        parallel, report = measure(versions, args.backend, jobs)
        print(row(count, f"{jobs} jobs", parallel, report, f"{sequential / parallel:.2f}x"))


if __name__ == "__main__":
    main()
