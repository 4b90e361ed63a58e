#!/usr/bin/python3
"""xfail_speed - what `pmcheck crash --loads` (cross-failure reads) costs.

The two cases of crash_speed.py (workloads/list with a 1 MiB pool, and
bench/programs/obj_list.c with an 8 MiB libpmemobj pool), each explored
twice with the same options: without --loads, then with it (every recovery
run traced with its loads, and its trace read against the crash point's
uncertain bytes). Prints recoveries per second of each and their ratio.

    bench/xfail_speed.py [--build DIR] [--jobs N] [--list N] [--obj N]
"""
import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import crash_speed  # noqa: E402  (its build_and_trace, its cases)


def explore(pmcheck, work, name, trace, recover, jobs, extra):
    db = os.path.join(work, f"{name}{''.join(extra)}.db")
    cmd = [pmcheck, "crash", trace, "--db", db, "--recover", recover,
           "--jobs", str(jobs), "--quiet", "--fail-on", "never", *extra]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"pmcheck crash {name} failed:\n{proc.stderr}")
    with sqlite3.connect(db) as conn:
        runs, seconds = conn.execute(
            "SELECT runs, seconds FROM crash_runs").fetchone()
        reads = conn.execute(
            "SELECT count(*) FROM findings WHERE rule = "
            "'cross-failure-read'").fetchone()[0]
    seconds = seconds or wall
    return runs, seconds, runs / seconds if seconds > 0 else 0.0, reads


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(crash_speed.TOP, "build"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--list", type=int, default=200)
    ap.add_argument("--obj", type=int, default=100)
    args = ap.parse_args()
    pmcc = os.path.join(args.build, "tools", "pmcc")
    pmcheck = os.path.join(args.build, "tools", "pmcheck")
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    work = tempfile.mkdtemp(prefix="pmcheck-xfail-bench-", dir=base)
    rows = []
    try:
        for name, source, libs, run in (
                ("list", "workloads/list/list.c", ["-lpmem"],
                 ["insert", str(args.list)]),
                ("obj_list", "bench/programs/obj_list.c", ["-lpmemobj"],
                 ["insert", str(args.obj)])):
            binary, trace = crash_speed.build_and_trace(
                pmcc, pmcheck, work, name, source, libs, run)
            recover = f"{binary} {{image}} verify"
            plain = explore(pmcheck, work, name, trace, recover, args.jobs, [])
            loads = explore(pmcheck, work, name, trace, recover, args.jobs,
                            ["--loads"])
            rows.append((name, plain, loads))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"pmcheck crash --loads cost, --jobs {args.jobs} "
          f"({os.cpu_count()} cores)")
    print(f"{'case':10} {'runs':>6} {'runs/s':>8} {'--loads runs/s':>15} "
          f"{'ratio':>6} {'reads found':>12}")
    for name, plain, loads in rows:
        ratio = plain[2] / loads[2] if loads[2] > 0 else float("inf")
        print(f"{name:10} {plain[0]:6d} {plain[2]:8.0f} {loads[2]:15.0f} "
              f"{ratio:5.2f}x {loads[3]:12d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
