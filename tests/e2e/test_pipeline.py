#!/usr/bin/python3
"""The trace pipeline end to end: pmcc -> pmcheck run -> pmcheck dump.

- A short known program (programs/known.c) gives exactly the expected
  sequence of events, each at the file:line its @tag comment marks, at -O0
  and at -O2, and with --loads also the read half of its atomic RMW.
- A program killed with SIGKILL at random instants while it stores to pmem
  (programs/looper.c) always leaves a trace that reads back to its last
  events: every completed iteration is there, in order, with its data.

usage: test_pipeline.py --build DIR --source DIR
"""
import os
import random
import re
import signal
import subprocess
import sys
import time
import unittest

import e2e

ARGS = None
KNOWN = os.path.join("tests", "e2e", "programs", "known.c")
LOOPER = os.path.join("tests", "e2e", "programs", "looper.c")

# The expected events of known.c: (kind, fields, tag of the line).
KNOWN_EVENTS = [
    ("THREAD", [], None),
    ("REGION_MAP", ["r1", "4096", '"known.pool"', "file"], "map"),
    ("STORE", ["r1+0x0", "8", "1111000000000000"], "store0"),
    ("STORE", ["r1+0x8", "8", "2222000000000000"], "store1"),
    ("FLUSH", ["r1+0x0", "64", "clwb"], "clwb"),
    ("FENCE", ["sfence"], "sfence"),
    ("STORE", ["r1+0x40", "8", "3333000000000000"], "store8"),
    ("FLUSH", ["r1+0x40", "64", "clflush"], "clflush"),
    ("STORE_FILL", ["r1+0x80", "64", "fill=ab"], "memset"),
    ("FLUSH", ["r1+0x80", "64", "clflushopt"], "clflushopt"),
    ("NT_STORE", ["r1+0x100", "8", "0500000000000000"], "nt"),
    ("FENCE", ["mfence"], "mfence"),
    ("STORE", ["r1+0x140", "8", "0700000000000000", "locked"], "rmw"),
    ("FLUSH", ["r1+0x140", "8", "lib"], "persist"),
    ("FENCE", ["lib"], "persist"),
    ("ASSERT_PERSISTED", ["r1+0x140", "8"], "assert"),
    ("REGION_UNMAP", ["r1+0x0", "4096"], "unmap"),
    ("EXIT", ["0"], None),
]


def tag_lines(path):
    tags = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            for m in re.finditer(r"@(\w+)", line):
                tags[m.group(1)] = n
    return tags


class Pipeline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tools = e2e.Tools(ARGS.build, ARGS.source)
        cls.tmp = e2e.scratch_dir("pmcheck-pipeline-")
        cls.dir = cls.tmp.name

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def known_trace(self, opt, loads=False):
        exe = os.path.join(self.dir, f"known{opt}")
        self.tools.compile([KNOWN], exe, [opt], ["-lpmem"])
        pool = os.path.join(self.dir, "known.pool")
        if os.path.exists(pool):
            os.unlink(pool)
        trace = os.path.join(self.dir, f"known{opt}.pmt")
        self.tools.run(trace, [exe, pool], loads=loads)
        return self.tools.events(trace)

    def assert_known(self, events, expected=KNOWN_EVENTS):
        tags = tag_lines(os.path.join(ARGS.source, KNOWN))
        got = [(ev["kind"], ev["fields"], ev["file"], ev["line"])
               for ev in events]
        want = [(kind, fields, KNOWN if tag else None, tags[tag] if tag else 0)
                for kind, fields, tag in expected]
        self.assertEqual(want, got)
        seqs = [ev["seq"] for ev in events]
        self.assertEqual(sorted(set(seqs)), seqs, "seqs must increase")

    def test_known_sequence_O0(self):
        self.assert_known(self.known_trace("-O0"))

    def test_known_sequence_O2(self):
        # The pass runs after the optimiser, as the sanitizers do: at -O2 the
        # two adjacent 8-byte stores are one 16-byte store, and the trace
        # says what the machine does.
        merged = [("STORE", ["r1+0x0", "16",
                             "11110000000000002222000000000000"], "store0")]
        expected = KNOWN_EVENTS[:2] + merged + KNOWN_EVENTS[4:]
        self.assert_known(self.known_trace("-O2"), expected)

    def test_known_loads(self):
        events = self.known_trace("-O1", loads=True)
        loads = [ev for ev in events if ev["kind"] == "LOAD"]
        self.assertEqual([["r1+0x140", "8"]], [ev["fields"] for ev in loads])
        i = events.index(loads[0])
        self.assertEqual("STORE", events[i + 1]["kind"],
                         "the RMW's read comes just before its store")
        # Without loads, the same program's trace is the known one.
        self.assert_known([ev for ev in events if ev["kind"] != "LOAD"])

    def test_sigkill_leaves_readable_trace(self):
        exe = os.path.join(self.dir, "looper")
        self.tools.compile([LOOPER], exe, ["-O1"], ["-lpmem"])
        rng = random.Random(os.environ.get("PMCHECK_TEST_SEED", "sigkill"))
        for attempt in range(6):
            with self.subTest(attempt=attempt):
                self.kill_and_read(exe, attempt, rng.uniform(0.002, 0.03))

    def kill_and_read(self, exe, attempt, delay):
        pool = os.path.join(self.dir, f"looper{attempt}.pool")
        trace = os.path.join(self.dir, f"looper{attempt}.pmt")
        run = subprocess.Popen([self.tools.pmcheck, "run", "-o", trace, "--",
                                exe, pool], stderr=subprocess.PIPE, text=True)
        target = wait_for_child(run.pid)
        # Killed before main, the program would have no trace to read (it
        # may not have started it): count the delay from its eleventh
        # iteration, so the trace has the ten assert_loop_prefix wants
        # however slow a loaded machine makes the program.
        wait_for_loop(pool, at_least=11)
        time.sleep(delay)
        os.kill(target, signal.SIGKILL)
        _, err = run.communicate(timeout=60)
        self.assertEqual(128 + signal.SIGKILL, run.returncode, err)
        self.assertIn("killed by signal 9", err)
        summary = self.tools.dump(trace, "--summary")
        self.assertEqual(0, summary.returncode, summary.stderr)
        events = self.tools.events(trace)
        self.assert_loop_prefix(events)
        # A killed program has no exit durability point: nothing to report.
        status, report = self.tools.check_json(
            trace, os.path.join(self.dir, "looper.db"))
        self.assertEqual(0, status, report["findings"])
        self.assertEqual("signal", report["traces"][0]["end"])

    def assert_loop_prefix(self, events):
        """Every iteration of looper.c is 7 events; all but possibly the
        last must be complete and carry the iteration's values."""
        body = [ev for ev in events if ev["kind"] in ("STORE", "FLUSH", "FENCE")]
        self.assertGreater(len(body), 7 * 10, "the loop ran a while")
        shape = ["STORE", "STORE", "FLUSH", "FENCE", "STORE", "FLUSH", "FENCE"]
        full = len(body) // 7
        for i in range(full):
            it = body[7 * i:7 * i + 7]
            self.assertEqual(shape, [ev["kind"] for ev in it], f"iteration {i}")
            self.assertEqual(i, le64(it[0]["fields"][2]))
            self.assertEqual(2 * i, le64(it[1]["fields"][2]))
            self.assertEqual(i + 1, le64(it[4]["fields"][2]))
        self.assertEqual(shape[:len(body) % 7],
                         [ev["kind"] for ev in body[7 * full:]])


def le64(hexbytes):
    return int.from_bytes(bytes.fromhex(hexbytes), "little")


def wait_for_child(pid, timeout=10.0):
    """The pid of the program `pmcheck run` (pid) started."""
    deadline = time.monotonic() + timeout
    path = f"/proc/{pid}/task/{pid}/children"
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
        except FileNotFoundError:
            break
        time.sleep(0.005)
    raise AssertionError("pmcheck run started no program")


def wait_for_loop(pool, word=0, at_least=1, timeout=10.0):
    """Until looper's pool counts at_least iterations (its 8-byte word
    `word`): the program is storing to pmem."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(pool, "rb") as f:
                f.seek(8 * word)
                if le64(f.read(8).hex() or "00") >= at_least:
                    return
        except FileNotFoundError:
            pass
        time.sleep(0.0005)
    raise AssertionError(f"{pool}: the loop never started")


def main():
    global ARGS
    ARGS = e2e.build_source_args()
    return e2e.run_case(Pipeline)


if __name__ == "__main__":
    sys.exit(main())
