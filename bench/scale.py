#!/usr/bin/python3
"""scale - pmcheck check on a trace of a hundred million events: its peak
memory and its time, which must not grow with the trace (issue 7).

Builds bench/pmem_stores.c with pmcc (8-byte stores over a 64 MiB pool, a
clwb per line, an sfence per page), runs it under `pmcheck run` until the
trace holds about --events events, then times `pmcheck check` on it and
takes its peak resident memory from the kernel (wait4's ru_maxrss, the
figure /usr/bin/time -v prints). --also runs smaller traces first, so the
table shows memory staying flat while the trace grows.

    bench/scale.py [--build DIR] [--events N] [--also N,N] [--dir DIR]

A trace costs about 29 bytes an event (2.9 GB for 10^8): --dir must have
the room (default /tmp, not the memory-backed /dev/shm). The trace and the
database are deleted at the end. Not a test: far too slow for CI; the
suite's robust-scale test checks the same at 10^6 and 10^7 events.
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
# pmem_stores: per 512 stores, 64 clwb and one sfence.
EVENTS_PER_STORE = (512 + 64 + 1) / 512


def timed(cmd, **kw):
    """Run cmd; (exit status, wall seconds, peak RSS in bytes)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage.ru_maxrss * 1024


def human(n):
    for unit in ("", "K", "M", "G"):
        if n < 1024 or unit == "G":
            return f"{n:.1f} {unit}B" if unit else f"{n} B"
        n /= 1024
    return f"{n:.1f} GB"


def measure(args, exe, work, events):
    trace = os.path.join(work, "scale.pmt")
    db = os.path.join(work, "scale.db")
    pool = tempfile.mktemp(prefix="pmcheck-scale-", suffix=".pool",
                           dir="/dev/shm")
    stores = int(events / EVENTS_PER_STORE)
    pmcheck = os.path.join(args.build, "tools", "pmcheck")
    try:
        status, run_wall, _ = timed(
            [pmcheck, "run", "-o", trace, "--", exe, pool, str(stores)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if status != 0:
            sys.exit(f"scale: pmcheck run exited {status}")
        size = os.path.getsize(trace)
        summary = subprocess.run([pmcheck, "dump", "--summary", trace],
                                 capture_output=True, text=True, check=True)
        records = int(next(l.split()[1] for l in summary.stdout.splitlines()
                           if l.startswith("records:")))
        status, check_wall, rss = timed(
            [pmcheck, "check", "--db", db, "--fail-on", "never", trace],
            stdout=subprocess.DEVNULL)
        if status != 0:
            sys.exit(f"scale: pmcheck check exited {status}")
        return {"events": records, "size": size, "run": run_wall,
                "check": check_wall, "rss": rss}
    finally:
        for p in (trace, db, db + "-wal", db + "-shm", pool):
            if os.path.exists(p):
                os.unlink(p)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(TOP, "build"))
    p.add_argument("--events", type=float, default=1e8)
    p.add_argument("--also", default="1e6,1e7",
                   help="smaller traces to measure first (comma-separated)")
    p.add_argument("--dir", default="/tmp")
    args = p.parse_args()
    args.build = os.path.abspath(args.build)
    sizes = [float(x) for x in args.also.split(",") if x] + [args.events]
    work = tempfile.mkdtemp(prefix="pmcheck-scale-", dir=args.dir)
    try:
        exe = os.path.join(work, "pmem_stores")
        subprocess.run([os.path.join(args.build, "tools", "pmcc"), "-O2",
                        os.path.join(HERE, "pmem_stores.c"), "-o", exe,
                        "-lpmem"], check=True)
        print(f"{'events':>12} {'trace':>10} {'run s':>8} {'check s':>8} "
              f"{'events/s':>12} {'peak RSS':>10}")
        for events in sizes:
            r = measure(args, exe, work, events)
            print(f"{r['events']:>12,} {human(r['size']):>10} "
                  f"{r['run']:>8.1f} {r['check']:>8.1f} "
                  f"{r['events'] / r['check']:>12,.0f} {human(r['rss']):>10}",
                  flush=True)
    finally:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
