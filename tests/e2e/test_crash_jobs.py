#!/usr/bin/python3
"""`pmcheck crash --jobs 2` shares the runs between its jobs evenly,
whatever pattern the duplicates make.

workloads/list's crash points alternate: nearly every state of odd
ordinal is new and nearly every even one duplicates an earlier state.
Dealt by ordinal, one job would run them all while the other waited for
it at the merge; dealt by their number among the new states, each job's
runner runs half of them, give or take one. Each run appends its working
directory (its runner's own) to a log, which says which job ran it.

usage: test_crash_jobs.py --build DIR --source DIR
"""
import collections
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest

import e2e

ARGS = None


class CrashJobs(unittest.TestCase):
    def test_runs_shared_evenly(self):
        tools = e2e.Tools(ARGS.build, ARGS.source)
        with e2e.scratch_dir("pmcheck-crash-jobs-") as work, \
                tempfile.TemporaryDirectory(prefix="pmcheck-jobs-log-") as log:
            # The log outside /dev/shm: runs may write only to /tmp, $TMPDIR
            # and their own directories (docs/recovery-runs.md).
            binary = os.path.join(work, "list")
            pool, trace = binary + ".pool", binary + ".pmt"
            runs_log = os.path.join(log, "runs")
            db = os.path.join(work, "crash.db")
            tools.compile(["workloads/list/list.c"], binary, ["-O1"],
                          ["-lpmem"])
            tools.run(trace, [binary, pool, "insert", "12"])
            proc = subprocess.run(
                [tools.pmcheck, "crash", trace, "--db", db, "--jobs", "2",
                 "--quiet", "--fail-on", "never", "--recover",
                 f"{binary} {{image}} verify && pwd >> {runs_log}"],
                capture_output=True, text=True)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            with sqlite3.connect(db) as conn:
                parity = conn.execute(
                    "SELECT ordinal % 2, count(*) FROM crash_states "
                    "WHERE outcome != 'duplicate' GROUP BY 1").fetchall()
                runs = conn.execute(
                    "SELECT runs FROM crash_runs").fetchone()[0]
            # The pattern that dealing by ordinal gets wrong.
            by_parity = sorted(n for _, n in parity)
            self.assertGreater(by_parity[-1], 4 * sum(by_parity[:-1]),
                               f"runs by ordinal parity: {parity}")
            with open(runs_log) as f:
                per_job = collections.Counter(f.read().split())
            self.assertEqual(sum(per_job.values()), runs)
            self.assertEqual(len(per_job), 2, per_job)
            counts = sorted(per_job.values())
            self.assertLessEqual(counts[1] - counts[0], 1, per_job)


def main():
    global ARGS
    ARGS = e2e.build_source_args()
    return e2e.run_case(CrashJobs)


if __name__ == "__main__":
    sys.exit(main())
