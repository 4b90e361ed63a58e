#!/usr/bin/python3
"""Programs killed by SIGKILL at random instants, many times over: the
trace is always readable, and it lost at most one event per thread (the
one whose record was being written, docs/trace-format.md section 8).

The programs are looper.c (one thread) and looper_mt.c (three), which
store to a pmem pool until killed; each iteration stores i and 2i into a
slot and then bumps a done counter, persisting both. After each kill the
pool itself says how many stores each thread executed (the kernel keeps
the pool's pages whatever killed the program), and the trace must hold
all of them but at most one per thread. On top of that:

- `pmcheck run` reports the kill (exit 128+9) and the trace opens; the
  event counts fit the loop's shape; `pmcheck check` finds nothing in
  these correct programs (a killed program's end is no durability point);
- some kills come in the program's first milliseconds: there the trace
  may not be started yet, which `pmcheck run` must say, and then the
  program cannot have reached main (its pool does not exist);
- some kills hit a program that no `pmcheck run` watches (PMTRACE_FILE
  set by hand): its trace says the end is unknown and still reads.

The first pipeline test (test_pipeline.py) checks a few kills event by
event; this one checks many, by counts. PMCHECK_KILLS scales their
number (default 1: 90 kills); PMCHECK_TEST_SEED changes the instants.

usage: test_robust_kill.py --build DIR --source DIR
"""
import json
import os
import random
import signal
import subprocess
import sys
import time
import unittest

import e2e
import test_pipeline
from test_pipeline import le64, wait_for_child, wait_for_loop

ARGS = None
LOOPER = os.path.join("tests", "e2e", "programs", "looper.c")
LOOPER_MT = os.path.join("tests", "e2e", "programs", "looper_mt.c")
POOL_SIZE = 1 << 20
MT_THREADS = 3
KILLED = 128 + signal.SIGKILL
# Kinds of the seven events of one iteration, in program order.
SHAPE = ["STORE", "STORE", "FLUSH", "FENCE", "STORE", "FLUSH", "FENCE"]


def pool_words(pool):
    with open(pool, "rb") as f:
        data = f.read()
    return [le64(data[i:i + 8].hex()) for i in range(0, len(data), 8)]


def stores_done(words, done_at, slots_at, nslots):
    """(least, most) stores one looper thread executed, from its pool:
    three per iteration counted by done, plus the slot stores of the
    iteration under way (zero slots before the first one are ambiguous)."""
    d = words[done_at]
    slot = slots_at + 2 * (d % nslots)
    if d == 0:
        return 0, 2
    n = 3 * d + (words[slot] == d) + (words[slot + 1] == 2 * d)
    return n, n


def looper_stores(pool):
    words = pool_words(pool)
    return [stores_done(words, 0, 2, POOL_SIZE // 16 - 1)]


def looper_mt_stores(pool, threads=MT_THREADS):
    words = pool_words(pool)
    share = (POOL_SIZE - 4096) // threads // 8
    return [stores_done(words, 8 * k, 512 + k * share, share // 2)
            for k in range(threads)]


def prefix_counts(n):
    """Event counts of the first n events of the loop."""
    counts = {"STORE": 0, "FLUSH": 0, "FENCE": 0}
    full, rest = divmod(n, len(SHAPE))
    for kind in SHAPE:
        counts[kind] += full
    for kind in SHAPE[:rest]:
        counts[kind] += 1
    return counts


def summary_counts(text):
    counts = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and line.startswith("  ") and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    return counts


class Kill(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tools = e2e.Tools(ARGS.build, ARGS.source)
        cls.tmp = e2e.scratch_dir("pmcheck-robust-kill-")
        cls.dir = cls.tmp.name
        cls.db = os.path.join(cls.dir, "kill.db")
        cls.rng = random.Random(os.environ.get("PMCHECK_TEST_SEED", "kill"))
        cls.scale = float(os.environ.get("PMCHECK_KILLS", "1"))
        cls.looper = os.path.join(cls.dir, "looper")
        cls.tools.compile([LOOPER], cls.looper, ["-O1"], ["-lpmem"])
        cls.looper_mt = os.path.join(cls.dir, "looper_mt")
        cls.tools.compile([LOOPER_MT], cls.looper_mt, ["-O1"],
                          ["-lpmem", "-lpthread"])
        cls.outcomes = {"read": 0, "unstarted": 0}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        print(f"\nkills: {cls.outcomes}", file=sys.stderr)

    def times(self, n):
        return max(1, int(n * self.scale))

    def paths(self, name, attempt):
        pool = os.path.join(self.dir, f"{name}{attempt}.pool")
        trace = os.path.join(self.dir, f"{name}{attempt}.pmt")
        for p in (pool, trace):
            if os.path.exists(p):
                os.unlink(p)
        return pool, trace

    def kill_watched(self, argv, pool, trace, early):
        """Run argv under pmcheck run and SIGKILL it: at a random instant
        of its loop, or (early) in its first milliseconds."""
        run = subprocess.Popen([self.tools.pmcheck, "run", "-o", trace, "--",
                                *argv], stderr=subprocess.PIPE, text=True)
        target = wait_for_child(run.pid)
        if early:
            time.sleep(self.rng.uniform(0, 0.003))
        else:
            wait_for_loop(pool)
            time.sleep(self.rng.uniform(0, 0.010))
        os.kill(target, signal.SIGKILL)
        _, err = run.communicate(timeout=60)
        return run.returncode, err

    def assert_unstarted(self, status, err, pool):
        self.assertEqual(2, status, err)
        self.assertIn("killed by signal 9", err)
        self.assertIn("before its trace was started", err)
        self.assertFalse(os.path.exists(pool),
                         "the program reached main, so its trace had "
                         "started")
        self.outcomes["unstarted"] += 1

    def assert_readable(self, trace, per_thread, end, threads):
        """The trace reads back; its stores are the pool's but at most one
        per thread; pmcheck check finds nothing."""
        summary = self.tools.dump(trace, "--summary")
        self.assertEqual(0, summary.returncode, summary.stderr)
        counts = summary_counts(summary.stdout)
        stores = counts.get("STORE", 0)
        least = sum(lo for lo, _ in per_thread)
        most = sum(hi for _, hi in per_thread)
        self.assertLessEqual(stores, most,
                             f"more stores traced than executed {per_thread}")
        self.assertGreaterEqual(
            stores, least - threads,
            f"{least - stores} stores lost, more than one per thread "
            f"({threads})")
        flushes, fences = counts.get("FLUSH", 0), counts.get("FENCE", 0)
        if threads == 1:
            n = stores + flushes + fences
            self.assertEqual(prefix_counts(n),
                             {k: counts.get(k, 0) for k in SHAPE},
                             "the events are not a prefix of the loop")
        else:
            self.assertTrue(0 <= flushes - fences <= threads, counts)
        proc = subprocess.run(
            [self.tools.pmcheck, "check", "--db", self.db, "--format",
             "json", "--fail-on", "warning", trace],
            capture_output=True, text=True)
        self.assertEqual(0, proc.returncode, proc.stderr)
        report = json.loads(proc.stdout)
        self.assertEqual([], report["findings"])
        self.assertEqual(end, report["traces"][0]["end"])
        self.outcomes["read"] += 1
        return summary

    def test_one_thread_killed_often(self):
        for attempt in range(self.times(45)):
            with self.subTest(attempt=attempt):
                pool, trace = self.paths("looper", attempt)
                early = self.rng.random() < 0.2
                status, err = self.kill_watched([self.looper, pool], pool,
                                                trace, early)
                if status == 2 and "before its trace" in err:
                    self.assert_unstarted(status, err, pool)
                    continue
                self.assertEqual(KILLED, status, err)
                self.assertIn("killed by signal 9", err)
                per_thread = (looper_stores(pool) if os.path.exists(pool)
                              else [(0, 0)])
                self.assert_readable(trace, per_thread, "signal", 1)
                if attempt % 15 == 0 and looper_stores(pool)[0][0] > 40:
                    # Now and then, event by event (as test_pipeline).
                    test_pipeline.Pipeline.assert_loop_prefix(
                        self, self.tools.events(trace))

    def test_threads_killed_often(self):
        for attempt in range(self.times(35)):
            with self.subTest(attempt=attempt):
                pool, trace = self.paths("looper_mt", attempt)
                early = self.rng.random() < 0.2
                status, err = self.kill_watched(
                    [self.looper_mt, pool, str(MT_THREADS)], pool, trace,
                    early)
                if status == 2 and "before its trace" in err:
                    self.assert_unstarted(status, err, pool)
                    continue
                self.assertEqual(KILLED, status, err)
                per_thread = (looper_mt_stores(pool) if os.path.exists(pool)
                              else [(0, 0)])
                self.assert_readable(trace, per_thread, "signal", MT_THREADS)

    def test_killed_with_no_one_watching(self):
        """PMTRACE_FILE set by hand: no pmcheck run writes how the program
        ended, so the trace says it does not know, and still reads."""
        env = dict(os.environ, PMTRACE_FILE="", PMEM_IS_PMEM_FORCE="1")
        for attempt in range(self.times(10)):
            with self.subTest(attempt=attempt):
                pool, trace = self.paths("unwatched", attempt)
                env["PMTRACE_FILE"] = trace
                proc = subprocess.Popen(
                    [self.looper_mt, pool, str(MT_THREADS)], env=env)
                wait_for_loop(pool)
                time.sleep(self.rng.uniform(0, 0.010))
                proc.kill()
                proc.wait(timeout=60)
                summary = self.assert_readable(
                    trace, looper_mt_stores(pool), "unknown", MT_THREADS)
                self.assertIn("ended in an unknown way", summary.stdout)


def main():
    global ARGS
    ARGS = e2e.build_source_args()
    test_pipeline.ARGS = ARGS
    return e2e.run_case(Kill)


if __name__ == "__main__":
    sys.exit(main())
