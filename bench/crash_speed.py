#!/usr/bin/python3
"""crash_speed - how fast `pmcheck crash` runs recoveries, and its memory.

Two cases, each built with pmcc, run once under `pmcheck run`, then explored
with `pmcheck crash` and the program's own check as the recovery:

  small   workloads/list (a 1 MiB pool, libpmem): `list POOL verify`
  pmdk    bench/programs/obj_list.c (an 8 MiB libpmemobj pool, PMDK's
          minimum): `obj_list POOL verify` opens the pool and walks it

and prints, per case: crash states explored, recoveries run, wall time,
recoveries per second (and per job), whether a fork server ran them, and
the peak resident memory of pmcheck and its children (getrusage of a fresh
process per case). Pools and images live in /dev/shm.

    bench/crash_speed.py [--build DIR] [--jobs N] [--list N] [--obj N]

Targets (issue 5): >= 1,000 states/s per core for the small recovery; for
the PMDK pool >= 5x pmreorder's ~80 states/s (DESIGN.md section 7), and
memory bounded whatever the trace.
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
TOP = os.path.dirname(HERE)
PMREORDER_STATES_PER_S = 80.0

# Runs a command and prints the peak RSS (KiB) of it and its descendants:
# a fresh interpreter, so the figure is this command's alone.
PEAK_RSS = ("import resource, subprocess, sys; "
            "r = subprocess.run(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
            "file=sys.stderr); sys.exit(r.returncode)")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build_and_trace(pmcc, pmcheck, work, name, source, libs, run):
    binary = os.path.join(work, name)
    sh([pmcc, "-g", "-O1", source, "-o", binary, *libs], cwd=TOP)
    pool = os.path.join(work, name + ".pool")
    trace = os.path.join(work, name + ".pmt")
    sh([pmcheck, "run", "-o", trace, "--", binary, pool, *run],
       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return binary, trace


def explore(pmcheck, work, name, trace, recover, jobs):
    db = os.path.join(work, name + ".db")
    cmd = [sys.executable, "-c", PEAK_RSS, pmcheck, "crash", trace,
           "--db", db, "--recover", recover, "--jobs", str(jobs), "--quiet",
           "--fail-on", "never"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"pmcheck crash {name} failed:\n{proc.stderr}")
    peak_kib = int(proc.stderr.strip().splitlines()[-1])
    with sqlite3.connect(db) as conn:
        states, runs, dups, failures, seconds, forks = conn.execute(
            "SELECT states, runs, duplicates, failures, seconds, "
            "fork_server FROM crash_runs").fetchone()
    return {"states": states, "runs": runs, "duplicates": dups,
            "failures": failures, "seconds": seconds or wall,
            "forks": bool(forks), "peak_mib": peak_kib / 1024.0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--list", type=int, default=200,
                    help="inserts of the small case")
    ap.add_argument("--obj", type=int, default=100,
                    help="inserts (transactions) of the PMDK case")
    args = ap.parse_args()
    pmcc = os.path.join(args.build, "tools", "pmcc")
    pmcheck = os.path.join(args.build, "tools", "pmcheck")
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    work = tempfile.mkdtemp(prefix="pmcheck-crash-bench-", dir=base)
    try:
        cases = []
        binary, trace = build_and_trace(
            pmcc, pmcheck, work, "list", "workloads/list/list.c", ["-lpmem"],
            ["insert", str(args.list)])
        cases.append(("small (list, 1 MiB)",
                      explore(pmcheck, work, "list", trace,
                              f"{binary} {{image}} verify", args.jobs)))
        binary, trace = build_and_trace(
            pmcc, pmcheck, work, "obj_list", "bench/programs/obj_list.c",
            ["-lpmemobj"], ["insert", str(args.obj)])
        cases.append(("pmdk (obj_list, 8 MiB)",
                      explore(pmcheck, work, "obj_list", trace,
                              f"{binary} {{image}} verify", args.jobs)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"pmcheck crash speed, --jobs {args.jobs} "
          f"({os.cpu_count()} cores)")
    print(f"{'case':24} {'states':>7} {'runs':>6} {'dups':>6} {'fail':>5} "
          f"{'seconds':>8} {'runs/s':>8} {'/s/job':>7} {'fork srv':>8} "
          f"{'peak MiB':>9}")
    for name, r in cases:
        rate = r["runs"] / r["seconds"] if r["seconds"] > 0 else 0.0
        print(f"{name:24} {r['states']:7d} {r['runs']:6d} "
              f"{r['duplicates']:6d} {r['failures']:5d} "
              f"{r['seconds']:8.2f} {rate:8.0f} {rate / args.jobs:7.0f} "
              f"{'yes' if r['forks'] else 'no':>8} {r['peak_mib']:9.1f}")
    name, r = cases[1]
    rate = r["runs"] / r["seconds"] if r["seconds"] > 0 else 0.0
    print(f"pmdk case: {rate / PMREORDER_STATES_PER_S:.1f}x pmreorder's "
          f"~{PMREORDER_STATES_PER_S:.0f} states/s with a map-walking "
          "checker (target: >= 5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
