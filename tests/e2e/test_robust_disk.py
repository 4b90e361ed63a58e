#!/usr/bin/python3
"""Full disks and file size limits, under the trace writer and under the
results database: a clear error, never a crash or a silent loss, and the
database stays consistent.

Each test mounts its own small tmpfs (so it needs root, as CI has; it is
skipped otherwise) and fills it:

- a trace that cannot grow: the program runs on untraced to its end, the
  trace is readable and says it is incomplete, pmcheck run, dump and
  check exit 2 and say why, and check reports no finding the missing
  events would have cleared (the end of the trace is no durability point);
- the same under RLIMIT_FSIZE: no SIGXFSZ kills the program;
- a trace that cannot even be created: the program still runs;
- the results database with 0, 1, 2... free pages left: each check
  succeeds or exits 2 naming the full disk, and afterwards the database
  passes SQLite's integrity check and still holds the earlier runs, whose
  reports are unchanged;
- a report written to a full disk: exit 2, and no partial file left.

usage: test_robust_disk.py --build DIR --source DIR
"""
import json
import os
import resource
import sqlite3
import subprocess
import sys
import unittest

import e2e
from test_pipeline import le64

ARGS = None
LOOPER_MT = os.path.join("tests", "e2e", "programs", "looper_mt.c")
ITERATIONS = 100000
FULL = "No space left on device"


def fill(directory, free_pages):
    """Fill the file system of directory, then give back free_pages pages."""
    path = os.path.join(directory, "filler")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError:
        pass
    os.ftruncate(fd, max(0, os.fstat(fd).st_size - free_pages * 4096))
    os.close(fd)
    return path


def without_ids(value):
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


class Disk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tools = e2e.Tools(ARGS.build, ARGS.source)
        cls.tmp = e2e.scratch_dir("pmcheck-robust-disk-")
        cls.dir = cls.tmp.name
        cls.looper = os.path.join(cls.dir, "looper_mt")
        cls.tools.compile([LOOPER_MT], cls.looper, ["-O1"],
                          ["-lpmem", "-lpthread"])
        cls.list = os.path.join(cls.dir, "list")
        cls.tools.compile(["workloads/list/list.c"], cls.list,
                          ["-O1", "-DBUG_NODE_UNFLUSHED"], ["-lpmem"])
        cls.list_trace = os.path.join(cls.dir, "list.pmt")
        cls.tools.run(cls.list_trace, [cls.list, os.path.join(
            cls.dir, "list.pool"), "insert", "50"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def mount(self, size):
        """A fresh tmpfs of `size` for this test, unmounted after it."""
        mnt = os.path.join(self.dir, self.id().rsplit(".", 1)[-1])
        os.makedirs(mnt, exist_ok=True)
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}",
                               "tmpfs", mnt], capture_output=True, text=True)
        if proc.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs (not root?): {proc.stderr}")
        self.addCleanup(subprocess.run, ["umount", mnt])
        return mnt

    def run_looper(self, trace, limit=None):
        pool = os.path.join(self.dir, self.id().rsplit(".", 1)[-1] + ".pool")
        if os.path.exists(pool):
            os.unlink(pool)

        def set_limit():
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        proc = subprocess.run(
            [self.tools.pmcheck, "run", "-o", trace, "--", self.looper, pool,
             "1", str(ITERATIONS)],
            capture_output=True, text=True, preexec_fn=set_limit)
        with open(pool, "rb") as f:
            done = le64(f.read(8).hex())
        self.assertEqual(ITERATIONS, done, "the program ran to its end")
        return proc

    def check(self, db, trace, *extra):
        proc = subprocess.run(
            [self.tools.pmcheck, "check", "--db", db, "--format", "json",
             "--fail-on", "warning", *extra, trace],
            capture_output=True, text=True)
        self.assertIn(proc.returncode, (0, 1, 2), proc.stderr)
        self.assertNotIn("Sanitizer", proc.stderr)
        return proc

    def assert_incomplete(self, trace, run, reason):
        self.assertEqual(2, run.returncode, run.stderr)
        self.assertIn(f"pmtrace: cannot grow the trace: {reason}; tracing "
                      "stops", run.stderr)
        self.assertIn("the trace is incomplete", run.stderr)
        dump = self.tools.dump(trace, "--summary")
        self.assertEqual(2, dump.returncode, dump.stderr)
        self.assertIn(f"traced only in part: tracing stopped early ({reason})",
                      dump.stdout)
        proc = self.check(os.path.join(self.dir, "incomplete.db"), trace)
        self.assertEqual(2, proc.returncode, proc.stderr)
        self.assertIn(f"byte {os.path.getsize(trace)}: the trace is "
                      f"incomplete: tracing stopped early ({reason})",
                      proc.stderr)
        report = json.loads(proc.stdout)
        self.assertEqual("input-error", report["run"]["status"])
        self.assertGreater(report["traces"][0]["events"], 1000)
        # The program persists every store, but the flushes of the last
        # ones were never traced: no finding may come of that.
        self.assertEqual([], report["findings"])

    def test_trace_on_a_full_disk(self):
        mnt = self.mount("4m")
        trace = os.path.join(mnt, "t.pmt")
        self.assert_incomplete(trace, self.run_looper(trace), FULL)

    def test_trace_over_the_file_size_limit(self):
        trace = os.path.join(self.dir, "limited.pmt")
        run = self.run_looper(trace, limit=3 << 20)
        self.assertNotIn("SIGXFSZ", run.stderr)
        self.assert_incomplete(trace, run, "File too large")

    def test_trace_cannot_be_created(self):
        mnt = self.mount("1m")
        fill(mnt, 0)
        trace = os.path.join(mnt, "t.pmt")
        run = self.run_looper(trace)
        self.assertEqual(2, run.returncode, run.stderr)
        self.assertIn(f"pmtrace: cannot create trace {trace}: {FULL}",
                      run.stderr)
        self.assertIn("could not start its trace", run.stderr)

    def report(self, db, run_id):
        proc = subprocess.run(
            [self.tools.pmcheck, "report", "--db", db, "--run", str(run_id),
             "--format", "json"], capture_output=True, text=True)
        self.assertEqual(0, proc.returncode, proc.stderr)
        report = json.loads(proc.stdout)
        # A later check of the same trace and model replaces its findings
        # (db.h): the same content under new row ids.
        return without_ids(report["findings"]), report["summary"]

    def assert_consistent(self, db, earlier):
        con = sqlite3.connect(db)
        try:
            self.assertEqual([("ok",)],
                             con.execute("PRAGMA integrity_check").fetchall())
        finally:
            con.close()
        for run_id, report in earlier.items():
            self.assertEqual(report, self.report(db, run_id),
                             f"run {run_id} changed")

    def test_database_on_a_full_disk(self):
        mnt = self.mount("512k")
        db = os.path.join(mnt, "pmcheck.db")
        earlier = {}
        for run_id, model in ((1, "adr"), (2, "eadr")):
            self.assertEqual(1, self.check(db, self.list_trace, "--model",
                                           model).returncode)
            earlier[run_id] = self.report(db, run_id)
        failures = 0
        for free in (0, 1, 2, 3, 4, 6, 8, 10, 12, 16, 24, 32):
            with self.subTest(free_pages=free):
                filler = fill(mnt, free)
                proc = self.check(db, self.list_trace)
                os.unlink(filler)
                if proc.returncode == 2:
                    failures += 1
                    self.assertRegex(proc.stderr, "pmcheck: error: .*("
                                     f"{FULL}|database or disk is full)")
                self.assert_consistent(db, earlier)
        self.assertGreater(failures, 0, "the disk was never full enough")
        self.assertLess(failures, 12, "the disk was never free enough")

    def test_report_to_a_full_disk(self):
        db = os.path.join(self.dir, "report.db")
        self.check(db, self.list_trace)
        mnt = self.mount("256k")
        fill(mnt, 0)
        out = os.path.join(mnt, "report.html")
        proc = subprocess.run(
            [self.tools.pmcheck, "report", "--db", db, "--format", "html",
             "-o", out], capture_output=True, text=True)
        self.assertEqual(2, proc.returncode, proc.stderr)
        self.assertIn(FULL, proc.stderr)
        self.assertEqual(["filler"], os.listdir(mnt), "a partial report")


def main():
    global ARGS
    ARGS = e2e.build_source_args()
    return e2e.run_case(Disk)


if __name__ == "__main__":
    sys.exit(main())
