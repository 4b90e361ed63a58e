#!/usr/bin/python3
"""pmdk_overhead - what tracing costs PMDK's own example programs, as ratios
measured in one run.

Builds PMDK's data_store and mapcli (from libpmemobj-dev's installed
examples, as tests/pmdk/corpus.py does) twice, natively with clang and
instrumented with pmcc (same flags), runs each case several times from a
fresh pool and keeps the fastest run, and prints instrumented/native wall
time, the trace's records and size, and the seconds `pmcheck check` takes
on the trace. The instrumented program runs under `pmcheck run`, as a user
would run it; both see PMEM_IS_PMEM_FORCE=1 (pmcheck run sets it), so
libpmem flushes with instructions rather than msync. Pools live in /dev/shm
(emulated pmem).

Cases: data_store btree and hashmap_atomic with 500 inserts (its maximum;
one transaction, or one atomic allocation per insert) and mapcli btree and
hashmap_atomic with --ops inserts, as many removes and lookups, and ops/2
random inserts (one transaction, or a few atomic calls, per command).

    bench/pmdk_overhead.py [--build DIR] [--runs N] [--ops N]

Target (issue 4): under 3x.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "pmdk"))
import corpus  # noqa: E402


def timed(cmd, stdin, env):
    t0 = time.perf_counter()
    subprocess.run(cmd, input=stdin, env=env, check=True, text=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def best(cmd, stdin, env, pool, runs):
    """The fastest of `runs` runs, each from a fresh pool."""
    times = []
    for _ in range(runs):
        if os.path.exists(pool):
            os.unlink(pool)
        times.append(timed(cmd, stdin, env))
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ops", type=int, default=5000)
    args = ap.parse_args()
    if not os.path.isdir(corpus.EXAMPLES):
        print(f"skipped: {corpus.EXAMPLES} is not installed")
        return 0
    tools = corpus.e2e.Tools(args.build, TOP)
    work = tempfile.mkdtemp(prefix="pmcheck-pmdk-bench-", dir="/dev/shm")
    env = dict(os.environ, PMEM_IS_PMEM_FORCE="1")
    try:
        native = corpus.Corpus(tools, os.path.join(work, "native"),
                               cc="clang")
        traced = corpus.Corpus(tools, os.path.join(work, "pmcc"))
        bins = {}
        for c, kind in ((native, "native"), (traced, "pmcc")):
            for prog in ("data_store", "mapcli"):
                bins[kind, prog] = c.build(prog)
        script = corpus.mapcli_script(args.ops)
        cases = [
            ("data_store btree, 500 inserts", "data_store",
             ["btree", "{pool}", "500"], None),
            ("data_store hashmap_atomic, 500 inserts", "data_store",
             ["hashmap_atomic", "{pool}", "500"], None),
            (f"mapcli btree, {len(script.splitlines())} commands", "mapcli",
             ["btree", "{pool}", "1"], script),
            (f"mapcli hashmap_atomic, {len(script.splitlines())} commands",
             "mapcli", ["hashmap_atomic", "{pool}", "1"], script),
        ]
        pool = os.path.join(work, "bench.pool")
        trace = os.path.join(work, "bench.pmt")
        db = os.path.join(work, "bench.db")
        print(f"{'case':44} {'native':>8} {'pmcc':>8} {'ratio':>6} "
              f"{'records':>9} {'trace':>8} {'check':>7}")
        for label, prog, argv, stdin in cases:
            run_args = [a.replace("{pool}", pool) for a in argv]
            t_native = best([bins["native", prog], *run_args], stdin, env,
                            pool, args.runs)
            t_traced = best([tools.pmcheck, "run", "-o", trace, "--",
                             bins["pmcc", prog], *run_args], stdin, env,
                            pool, args.runs)
            records = sum(n for k, n in corpus.summary(tools, trace).items())
            size = os.path.getsize(trace)
            t0 = time.perf_counter()
            tools.check_json(trace, db)
            t_check = time.perf_counter() - t0
            print(f"{label:44} {t_native:7.3f}s {t_traced:7.3f}s "
                  f"{t_traced / t_native:5.2f}x {records:9d} "
                  f"{size / 1e6:6.1f}MB {t_check:6.2f}s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
