#!/usr/bin/python3
"""`pmcheck crash` end to end on the workloads: each program of
workloads/manifest.json with a "recover" template is built with pmcc (fixed
twin and every bug found_by "crash"), run under `pmcheck run`, and its
trace explored with the recovery command.

- The fixed twin passes every state under the default strategy, with the
  crash options its bugs need (a fixed twin is fixed for all of them).
- A buggy twin fails with crash-recovery-failed at exactly the crash points
  of its "expect BUG: crash-recovery-failed" comments, and the stores the
  notes say were left out are among its "crash BUG: left out" lines (at
  least one named when some are marked).
- --replay of a failing state writes an image on which the recovery fails
  the same way (exit status and first line of stderr).
- Under --loads (a bug's crash_args), a buggy twin has cross-failure-read
  and in-flight-read findings at exactly the stores of its "expect BUG:
  cross-failure-read" and "expect BUG: in-flight-read" comments, each
  naming as its first note a load at one of the lines of its "xfail BUG:
  load" comments, and a crash point; its fixed twin has none.
- --loads on every other workload's fixed twin finds nothing, and nothing
  changes the states explored: the same states as without it.
- Persistent mode (`list POOL verify-next`, PMT_RECOVERY_NEXT: state after
  state in one process) records the same states and findings as a process
  per state, with media errors (runs that need a process of their own)
  among the states; a recovery that prints its iteration shows processes
  were reused, and never for a media error's run.
- --jobs 1 and --jobs 2 record the same states and findings; shards 0/2
  and 1/2, each in its own database, merged with `pmcheck merge`, equal
  the unsharded run.

usage: test_crash.py --build DIR --source DIR [-k NAME]
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import unittest

import e2e

ARGS = None

# "crash BUG_NAME: left out" on a store's line; "kept in" on an unlogged
# store a failing state held (at a libpmemobj call's crash point inside a
# transaction, the notes name those first).
LEFT_OUT_RE = re.compile(
    r"crash\s+(?P<bug>BUG_[A-Z0-9_]+):\s+(?:left out|kept in)")
# "xfail BUG_NAME: load" on the recovery's load of a cross-failure read.
LOAD_RE = re.compile(r"xfail\s+(?P<bug>BUG_[A-Z0-9_]+):\s+load")
CRASH_RULE = "crash-recovery-failed"
# A read of bytes the crash decided: a race (error), or a value in flight
# at a point whose every state a sequential crash leaves (warning).
XFAIL_RULES = ("cross-failure-read", "in-flight-read")


def marked_lines(sources, bug, pattern=LEFT_OUT_RE):
    found = set()
    for rel, path in sources:
        with open(path) as f:
            for n, text in enumerate(f, 1):
                if any(m["bug"] == bug for m in pattern.finditer(text)):
                    found.add((rel, n))
    return found


class Twin:
    """One program built as one twin and run once."""

    def __init__(self, tools, name, spec, bug, workdir):
        self.tools, self.name, self.spec, self.bug = tools, name, spec, bug
        self.variant = bug.lower() if bug else "fixed"
        stem = os.path.join(workdir, f"{name}-{self.variant}")
        self.binary, self.pool, self.trace = stem, stem + ".pool", stem + ".pmt"
        self.workdir = workdir
        self.sources = [(os.path.join("workloads", s),
                         os.path.join(tools.source, "workloads", s))
                        for s in spec["sources"]]
        flags = ["-O1"] + ([f"-D{bug}"] if bug else [])
        tools.compile([rel for rel, _ in self.sources], self.binary, flags,
                      spec["libs"])
        argv = [self.binary] + [a.replace("{pool}", self.pool)
                                for a in spec["run"]]
        tools.run(self.trace, argv,
                  pmem=[self.pool] if spec["pmem"] == "file" else [])

    def recover_command(self):
        return " ".join([self.binary] + self.spec["recover"])

    def crash_args(self):
        """The options the bug needs; for the fixed twin, all its bugs'."""
        bugs = self.spec["bugs"]
        if self.bug:
            return list(bugs[self.bug].get("crash_args", []))
        args = []
        for how in bugs.values():
            args += [a for a in how.get("crash_args", []) if a not in args]
        return args

    def crash(self, db, *extra, recover=None):
        """pmcheck crash --format json; returns (status, report)."""
        cmd = [self.tools.pmcheck, "crash", self.trace, "--db", db,
               "--recover", recover or self.recover_command(),
               "--format", "json",
               "--quiet", *self.crash_args(), *extra]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            raise AssertionError(f"{' '.join(cmd)} exited "
                                 f"{proc.returncode}:\n{proc.stderr}")
        return proc.returncode, json.loads(proc.stdout)

    def db(self, tag):
        path = os.path.join(self.workdir, f"{self.name}-{self.variant}-{tag}.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        return path


def crash_findings(report, rules=(CRASH_RULE,)):
    return [f for f in report["findings"] if f["rule"] in rules]


def query(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def states(db):
    return query(db, "SELECT state_id, ordinal, outcome, code, image_hash, "
                     "duplicate_of, faults FROM crash_states "
                     "ORDER BY ordinal")


def findings(db):
    """Crash findings with their notes, comparable across databases."""
    rows = query(db, "SELECT f.id, f.rule, s.file, s.line, f.count, "
                     "f.message, f.first_seq FROM findings f "
                     "LEFT JOIN sites s ON s.id = f.site "
                     "WHERE f.rule = ?", CRASH_RULE)
    out = set()
    for fid, *rest in rows:
        notes = query(db, "SELECT n.position, n.role, s.file, s.line, "
                          "n.message FROM notes n LEFT JOIN sites s "
                          "ON s.id = n.site WHERE n.finding = ? "
                          "ORDER BY n.position", fid)
        out.add((*rest, tuple(notes)))
    return out


class Crash(unittest.TestCase):
    tmp = None

    @classmethod
    def setUpClass(cls):
        cls.tools = e2e.Tools(ARGS.build, ARGS.source)
        cls.tmp = e2e.scratch_dir("pmcheck-crash-")
        cls.built = {}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def twin(self, name, bug):
        if (name, bug) not in self.built:
            spec = e2e.load_manifest(ARGS.source)[name]
            self.built[(name, bug)] = Twin(self.tools, name, spec, bug,
                                           self.tmp.name)
        return self.built[(name, bug)]

    def assert_fixed(self, name):
        t = self.twin(name, None)
        db = t.db("fixed")
        status, report = t.crash(db)
        self.assertEqual([], crash_findings(report),
                         f"{name}: the fixed twin fails a crash state")
        self.assertEqual([], crash_findings(report, XFAIL_RULES),
                         f"{name}: the fixed twin reads uncertain bytes")
        self.assertEqual(0, status)
        outcomes = {row[2] for row in states(db)}
        self.assertLessEqual(outcomes, {"pass", "duplicate"})
        self.assertIn("pass", outcomes)

    def assert_bug(self, name, bug):
        t = self.twin(name, bug)
        db = t.db("bug")
        status, report = t.crash(db)
        self.assertEqual(1, status, f"{name} {bug}: no finding")
        expected = e2e.expectations(t.sources, bug, "adr")
        self.assertTrue({k for k in expected
                         if k[0] in (CRASH_RULE, *XFAIL_RULES)},
                        f"{name} {bug}: no expect comment")
        self.assert_cross_failure_reads(t, report, expected)
        if any(k[0] == CRASH_RULE for k in expected):
            self.assert_recovery_fails(t, db, report, expected)
        else:
            self.assertEqual([], crash_findings(report),
                             f"{name} {bug}: the recovery failed")

    def assert_cross_failure_reads(self, t, report, expected):
        found = crash_findings(report, XFAIL_RULES)
        keys = {(f["rule"], f["location"]["file"], f["location"]["line"])
                for f in found}
        self.assertEqual({k for k in expected if k[0] in XFAIL_RULES}, keys,
                         f"{t.name} {t.bug}: cross-failure reads")
        loads = marked_lines(t.sources, t.bug, LOAD_RE)
        for f in found:
            first = f["notes"][0]
            self.assertEqual("load", first["role"])
            self.assertIn((first["location"]["file"],
                           first["location"]["line"]), loads,
                          f"{t.name} {t.bug}: the load is not marked")
            self.assertEqual("crash-point", f["notes"][-1]["role"])

    def assert_recovery_fails(self, t, db, report, expected):
        name, bug = t.name, t.bug
        found = crash_findings(report)
        keys = {(f["rule"], f["location"]["file"], f["location"]["line"])
                for f in found}
        expected = {k for k in expected if k[0] == CRASH_RULE}
        self.assertEqual(expected, keys, f"{name} {bug}: crash points")
        marked = marked_lines(t.sources, bug)
        named = set()
        for f in found:
            for n in f["notes"]:
                if n["role"] == "store":
                    named.add((n["location"]["file"], n["location"]["line"]))
            self.assertEqual("crash-point", f["notes"][-1]["role"])
        self.assertLessEqual(named, marked,
                             f"{name} {bug}: stores left out not marked")
        if marked:
            self.assertTrue(named, f"{name} {bug}: no store left out named")
        self.assert_replay_fails(t, db)

    def assert_replay_fails(self, t, db):
        """The earliest failing state, rebuilt, fails the recovery again."""
        state, code, tail = query(
            db, "SELECT state_id, code, stderr_tail FROM crash_states "
                "WHERE outcome = 'exit' ORDER BY ordinal LIMIT 1")[0]
        options = query(db, "SELECT options FROM crash_runs")[0][0]
        image = os.path.join(t.workdir, f"{t.name}-{t.variant}.img")
        proc = subprocess.run(
            [self.tools.pmcheck, "crash", t.trace, *options.split(),
             "--replay", state, "-o", image], capture_output=True, text=True)
        self.assertEqual(0, proc.returncode, proc.stderr)
        recovery = [a.replace("{image}", image) for a in t.spec["recover"]]
        run = subprocess.run([t.binary, *recovery], capture_output=True,
                             text=True)
        self.assertEqual(code, run.returncode, f"replay of {state}")
        self.assertEqual((tail or "").splitlines()[:1],
                         run.stderr.splitlines()[:1])

    def assert_loads_clean(self, name):
        """--loads on a fixed twin whose bugs do not ask for it: no
        cross-failure read, and the same states as without it."""
        t = self.twin(name, None)
        plain, loads = t.db("plain"), t.db("loads")
        t.crash(plain)
        status, report = t.crash(loads, "--loads")
        self.assertEqual([], [(f["location"], f["notes"][0]["location"])
                              for f in crash_findings(report, XFAIL_RULES)],
                         f"{name}: the fixed twin reads uncertain bytes")
        self.assertEqual(0, status)
        self.assertEqual(states(plain), states(loads))

    def test_jobs_agree(self):
        t = self.twin("list", "BUG_PUBLISH_EARLY")
        one, two = t.db("jobs1"), t.db("jobs2")
        t.crash(one, "--jobs", "1")
        t.crash(two, "--jobs", "2")
        self.assertEqual(states(one), states(two))
        self.assertEqual(findings(one), findings(two))

    def test_persistent_mode_agrees(self):
        for bug in ("BUG_PUBLISH_EARLY", None):
            t = self.twin("list", bug)
            each, loop = t.db("each"), t.db("persistent")
            faults = ("--media-errors", "3", "--jobs", "2")
            status, _ = t.crash(each, *faults)
            self.assertEqual(status, t.crash(
                loop, *faults, recover=f"{t.binary} {{image}} verify-next")[0])
            self.assertEqual(states(each), states(loop), t.variant)
            self.assertEqual(findings(each), findings(loop), t.variant)
            outcomes = {row[2] for row in states(loop)}
            self.assertIn("signal", outcomes)  # SIGBUS, the media errors
            if bug:
                self.assertTrue(findings(loop))
        recovery = os.path.join(self.tmp.name, "recovery")
        self.tools.compile(["tests/e2e/programs/recovery.c"], recovery,
                           ["-O1"], ["-lpmemobj", "-lpmem"])
        db = t.db("iterations")
        t.crash(db, "--media-errors", "3",
                recover=f"{recovery} next {{image}} pass")
        rows = query(db, "SELECT faults, stderr_tail FROM crash_states "
                         "WHERE outcome != 'duplicate'")
        iterations = [(faults, int(m[1]) if m else None) for faults, m in
                      ((f, re.match(r"iteration (\d+)", t or ""))
                       for f, t in rows)]
        # Two jobs, each its own process: about half the runs each.
        self.assertGreater(max(i or 0 for _, i in iterations), len(rows) // 4)
        # A media error's run: a new process.
        faulted = [i for faults, i in iterations if faults]
        self.assertEqual([1, 1, 1], faulted)

    def test_shards_merge(self):
        t = self.twin("list", "BUG_PUBLISH_EARLY")
        whole, s0, s1, merged = (t.db(x) for x in
                                 ("whole", "shard0", "shard1", "merged"))
        t.crash(whole)
        t.crash(s0, "--shard", "0/2")
        t.crash(s1, "--shard", "1/2")
        proc = subprocess.run([self.tools.pmcheck, "merge", "--quiet",
                               merged, s0, s1], capture_output=True,
                              text=True)
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual(states(whole), states(merged))
        self.assertEqual(findings(whole), findings(merged))
        self.assertEqual(1, query(merged, "SELECT count(*) FROM runs")[0][0])
        # Merging a shard again adds nothing.
        subprocess.run([self.tools.pmcheck, "merge", "--quiet", merged, s1],
                       check=True)
        self.assertEqual(states(whole), states(merged))
        self.assertEqual(findings(whole), findings(merged))


def add_tests():
    for name, spec in e2e.load_manifest(ARGS.source).items():
        if "recover" not in spec:
            continue
        setattr(Crash, f"test_{name}_fixed",
                lambda self, name=name: self.assert_fixed(name))
        if not any("--loads" in how.get("crash_args", [])
                   for how in spec["bugs"].values()):
            setattr(Crash, f"test_{name}_fixed_loads",
                    lambda self, name=name: self.assert_loads_clean(name))
        for bug, how in spec["bugs"].items():
            if "crash" in e2e.found_by(how):
                setattr(Crash, f"test_{name}_{bug.lower()}",
                        lambda self, name=name, bug=bug:
                        self.assert_bug(name, bug))


def main():
    global ARGS
    ARGS = e2e.build_source_args()
    add_tests()
    return e2e.run_case(Crash, ARGS.pattern)


if __name__ == "__main__":
    sys.exit(main())
