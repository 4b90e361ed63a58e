#!/usr/bin/python3
"""`pmcheck check`, `report` and `baseline` as a CI gate: exit statuses,
--fail-on, --baseline, input errors that keep results, re-checks that do not
duplicate, concurrent checks into one database, and reports that print the
same from the database as `check` printed.

The trace is the one the unit-test binary's trace builder writes (one
unpersisted 8-byte store at list.c:5:16), so this runs without the pass or
the runtime.

usage: test_check_gate.py --pmcheck PMCHECK --test-reports TEST_REPORTS
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

ARGS = None


class Gate(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="pmcheck-gate-")
        self.dir = self.tmp.name
        subprocess.run([ARGS.test_reports, "--sample", self.dir], check=True,
                       capture_output=True)
        self.db = os.path.join(self.dir, "gate.db")

    def tearDown(self):
        self.tmp.cleanup()

    def pmcheck(self, *args, expect=None):
        proc = subprocess.run([ARGS.pmcheck, *args], cwd=self.dir,
                              capture_output=True, text=True)
        if expect is not None:
            self.assertEqual(expect, proc.returncode,
                             f"pmcheck {' '.join(args)}\nstdout:\n"
                             f"{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    def check(self, *args, expect=None):
        return self.pmcheck("check", "--db", self.db, *args, expect=expect)

    def sql(self, query):
        with sqlite3.connect(self.db) as con:
            return con.execute(query).fetchall()

    def test_exit_status_follows_fail_on(self):
        out = self.check("sample.pmt", expect=1).stdout
        self.assertIn("list.c:5:16: error: ", out)
        self.assertIn("[unpersisted-store]", out)
        self.assertIn("note: fix: add pmem_persist(&node->next, "
                      "sizeof(node->next)) after list.c:5", out)
        self.assertTrue(out.endswith("1 error, 0 warnings in 1 trace\n"))
        self.check("--fail-on", "never", "sample.pmt", expect=0)
        self.check("--fail-on", "warning", "sample.pmt", expect=1)
        # Under eADR the store is persistent once visible.
        self.check("--model", "eadr", "sample.pmt", expect=0)
        self.assertEqual([("complete", 1), ("complete", 0), ("complete", 1),
                          ("complete", 0)],
                         self.sql("SELECT status, exit_code FROM runs "
                                  "ORDER BY id"))

    def test_baseline_accepts_known_findings(self):
        self.check("sample.pmt", expect=1)
        self.pmcheck("baseline", "--db", self.db, "-o", "known.json",
                     expect=0)
        out = self.check("--baseline", "known.json", "sample.pmt",
                         expect=0).stdout
        self.assertIn("(1 baselined finding not shown)", out)
        self.assertNotIn("[unpersisted-store]", out)
        # Without the baseline, the same findings fail again.
        self.check("sample.pmt", expect=1)
        # An empty baseline accepts nothing.
        with open(os.path.join(self.dir, "empty.json"), "w") as f:
            json.dump({"pmcheck_baseline": 1, "findings": []}, f)
        self.check("--baseline", "empty.json", "sample.pmt", expect=1)

    def test_bad_baseline_is_an_input_error(self):
        with open(os.path.join(self.dir, "bad.json"), "w") as f:
            f.write("{not json")
        err = self.check("--baseline", "bad.json", "sample.pmt",
                         expect=2).stderr
        self.assertIn("pmcheck: error: bad.json: not valid JSON", err)

    def test_recheck_does_not_duplicate(self):
        self.check("sample.pmt", expect=1)
        self.check("sample.pmt", expect=1)
        self.assertEqual([(1,)], self.sql("SELECT count(*) FROM findings"))
        self.assertEqual([(1,)], self.sql("SELECT count(*) FROM traces"))
        self.assertEqual([(2,)], self.sql("SELECT count(*) FROM run_traces"))

    def test_report_prints_what_check_printed(self):
        for fmt in ("text", "json", "sarif", "junit", "html"):
            printed = self.check("--format", fmt, "sample.pmt",
                                 expect=1).stdout
            reported = self.pmcheck("report", "--db", self.db, "--format",
                                    fmt, expect=0).stdout
            self.assertEqual(printed, reported, fmt)

    def test_output_file_is_written_whole(self):
        proc = self.check("--format", "sarif", "-o", "out.sarif",
                          "sample.pmt", expect=1)
        self.assertEqual("", proc.stdout)
        with open(os.path.join(self.dir, "out.sarif")) as f:
            self.assertEqual("2.1.0", json.load(f)["version"])
        # Written under a temporary name, renamed: nothing else is left.
        self.assertEqual([], [n for n in os.listdir(self.dir)
                              if ".tmp." in n])
        # A directory that does not exist: an error, and no stray file.
        proc = self.check("-o", "no/such/dir/out.txt", "sample.pmt",
                          expect=2)
        self.assertIn("pmcheck: error: no/such/dir/out.txt", proc.stderr)

    def test_missing_trace_keeps_the_others(self):
        proc = self.check("missing.pmt", "sample.pmt", expect=2)
        self.assertIn("pmcheck: error: ", proc.stderr)
        self.assertIn("missing.pmt", proc.stderr)
        # The other trace was checked, stored and reported.
        self.assertIn("[unpersisted-store]", proc.stdout)
        self.assertEqual([("input-error", 2)],
                         self.sql("SELECT status, exit_code FROM runs"))

    def test_damaged_trace_is_stored(self):
        path = os.path.join(self.dir, "sample.pmt")
        with open(path, "r+b") as f:  # a byte of the first block's records
            f.seek(4096 + 32 + 8)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0xFF]))
        proc = self.check("--format", "json", "sample.pmt", expect=2)
        self.assertRegex(proc.stderr, r"pmcheck: error: sample\.pmt: .*byte")
        report = json.loads(proc.stdout)
        self.assertIsNotNone(report["traces"][0]["damage"])
        self.assertEqual("input-error", report["run"]["status"])

    def test_usage_errors(self):
        for args in (["--format", "yaml", "sample.pmt"],
                     ["--model", "pmem", "sample.pmt"],
                     ["--fail-on", "errors", "sample.pmt"],
                     []):
            proc = self.check(*args, expect=2)
            self.assertIn("pmcheck: error: ", proc.stderr, args)
        proc = self.pmcheck("report", "--db", "none.db", expect=2)
        self.assertIn("none.db: no results database", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "none.db")))
        self.pmcheck("baseline", "--db", self.db, expect=2)
        self.check("sample.pmt", expect=1)
        proc = self.pmcheck("report", "--db", self.db, "--run", "7",
                            expect=2)
        self.assertIn("no run 7", proc.stderr)

    def test_concurrent_checks(self):
        """Several pmcheck processes write one database at once."""
        traces = []
        for i in range(4):
            name = f"copy{i}.pmt"
            shutil.copy(os.path.join(self.dir, "sample.pmt"),
                        os.path.join(self.dir, name))
            traces.append(name)
        procs = [subprocess.Popen([ARGS.pmcheck, "check", "--db", self.db,
                                   "--format", "json", t], cwd=self.dir,
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
                 for t in traces for _ in range(3)]
        for p in procs:
            _, err = p.communicate(timeout=120)
            self.assertEqual(1, p.returncode, err)
        self.assertEqual([(12,)], self.sql("SELECT count(*) FROM runs WHERE "
                                           "status = 'complete'"))
        # Copies of one trace are one trace: one finding in all.
        self.assertEqual([(1,)], self.sql("SELECT count(*) FROM findings"))


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--pmcheck", required=True)
    p.add_argument("--test-reports", required=True)
    ARGS = p.parse_args()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Gate)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
