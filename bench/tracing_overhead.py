#!/usr/bin/python3
"""tracing_overhead - what tracing costs a program, as ratios measured in one run.

Builds each benchmark program twice from the same source, natively with clang
and instrumented with pmcc (same flags), runs each several times and keeps the
fastest run, and prints instrumented/native wall time and the trace events
written per second. The instrumented program runs under `pmcheck run`, as a
user would run it. Pools live in /dev/shm (emulated pmem).

    bench/tracing_overhead.py [--build DIR] [--runs N] [--stores N] [--dram N]

Targets (issue 2): under 3x on a million pmem stores, under 1.1x on a program
that touches only DRAM.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def best_time(cmd, runs, env=None, before=None):
    best = None
    for _ in range(runs):
        if before:
            before()
        t0 = time.perf_counter()
        sh(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    return best


def trace_events(pmcheck, trace):
    out = subprocess.run([pmcheck, "dump", "--summary", trace], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"records:\s+(\d+)", out)
    return int(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--stores", type=int, default=1000000)
    ap.add_argument("--dram", type=int, default=1000000)
    args = ap.parse_args()
    pmcc = os.path.join(args.build, "tools", "pmcc")
    pmcheck = os.path.join(args.build, "tools", "pmcheck")
    work = tempfile.mkdtemp(prefix="pmcheck-bench-")
    shm = tempfile.mkdtemp(prefix="pmcheck-bench-", dir="/dev/shm")
    env = dict(os.environ, PMEM_IS_PMEM_FORCE="1")
    try:
        rows = []
        cases = [
            ("pmem_stores", ["-lpmem"], ["{pool}", str(args.stores)],
             f"{args.stores} pmem stores"),
            ("dram_only", [], [str(args.dram)], f"DRAM only, n={args.dram}"),
        ]
        for name, libs, argv, label in cases:
            src = os.path.join(HERE, name + ".c")
            native = os.path.join(work, name + ".native")
            traced = os.path.join(work, name + ".pmcc")
            sh(["clang", "-O2", "-g", src, "-o", native] + libs)
            sh([pmcc, "-O2", "-g", src, "-o", traced] + libs)
            pool = os.path.join(shm, name + ".pool")
            trace = os.path.join(work, name + ".pmt")
            run_args = [a.replace("{pool}", pool) for a in argv]

            def fresh_pool():
                if os.path.exists(pool):
                    os.unlink(pool)

            t_native = best_time([native] + run_args, args.runs, env, fresh_pool)
            t_traced = best_time([pmcheck, "run", "-o", trace, "--", traced]
                                 + run_args, args.runs, env, fresh_pool)
            events = trace_events(pmcheck, trace)
            size = os.path.getsize(trace)
            rows.append((label, t_native, t_traced, events, size))
        print(f"{'workload':<28}{'native':>10}{'traced':>10}{'ratio':>8}"
              f"{'events':>12}{'events/s':>12}{'trace':>10}")
        for label, tn, tt, ev, size in rows:
            evs = f"{ev / tt / 1e6:.1f}M" if ev else "-"
            print(f"{label:<28}{tn * 1e3:>8.1f}ms{tt * 1e3:>8.1f}ms"
                  f"{tt / tn:>8.2f}{ev if ev is not None else '-':>12}"
                  f"{evs:>12}{size / 1e6:>8.1f}MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(shm, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
