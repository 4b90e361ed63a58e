#!/usr/bin/python3
"""pmcheck check on real traces cut short and with bits flipped.

The promise (DESIGN.md section 6, docs/robustness.md): whatever happened to
a trace, `pmcheck check` never crashes; on damage it exits 2 with an error
that names the byte offset, and it still reports and stores what it read
before the damage. Here, on a real multi-block trace of a buggy workload
and on a real three-thread trace:

- the cut point sweeps the file: every header field boundary, every block
  and record boundary (and its neighbours), and random points. Each cut is
  exit 2 with its byte offset at or before the cut; the events read never
  decrease as the cut moves on; the findings are among the whole trace's
  (a cut never invents one);
- single bits are flipped in every part of the file: where a checksum
  covers them the check is exit 2 and says where; where nothing reads them
  (padding, reserved fields) it is as if nothing happened; in the live
  header fields and in a killed program's unsealed block, which nothing
  can check, it must at least not crash.

usage: test_robust_trace.py --build DIR --source DIR
"""
import json
import os
import random
import re
import struct
import subprocess
import sys
import unittest

import e2e

ARGS = None
HEADER_SIZE = 4096
BLOCK_SIZE = 65536
BLOCK_HDR = 32
SEALED = 1
BYTE_RE = re.compile(r": byte (\d+): ")


class Layout:
    """The parts of a trace file a flip or a cut can land in."""

    def __init__(self, data):
        self.size = len(data)
        (self.cmdline_len,) = struct.unpack_from("<I", data, 40)
        self.blocks = []
        for off in range(HEADER_SIZE, self.size - BLOCK_SIZE + 1, BLOCK_SIZE):
            magic, thread, index, flags, used = struct.unpack_from(
                "<5I", data, off)
            if magic == 0:
                continue
            self.blocks.append({"off": off, "thread": thread, "index": index,
                                "flags": flags, "used": used,
                                "records": records(data, off, used)})
        last = {}
        for b in self.blocks:
            if b["index"] >= last.get(b["thread"], (-1, None))[0]:
                last[b["thread"]] = (b["index"], b["off"])
        self.last_of_chain = {off for _, off in last.values()}


def records(data, off, used):
    """Offsets of the records of the block at off."""
    out, at = [], off + BLOCK_HDR
    while at < off + BLOCK_HDR + used:
        out.append(at)
        (length,) = struct.unpack_from("<H", data, at + 2)
        at += max(length, 8)
    return out


class Robust(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tools = e2e.Tools(ARGS.build, ARGS.source)
        cls.tmp = e2e.scratch_dir("pmcheck-robust-trace-")
        cls.dir = cls.tmp.name
        cls.db = os.path.join(cls.dir, "robust.db")
        cls.rng = random.Random(os.environ.get("PMCHECK_TEST_SEED", "robust"))
        cls.traces = {
            # One thread, several blocks, findings at every durability point.
            "list": cls.make_trace(
                "list", ["workloads/list/list.c"], ["-DBUG_NODE_UNFLUSHED"],
                ["-lpmem"], ["insert", "600"]),
            # Three threads (four chains with main's), a few blocks each.
            "threads": cls.make_trace(
                "threads", ["tests/e2e/programs/looper_mt.c"], [],
                ["-lpmem", "-lpthread"], ["3", "700"]),
        }

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def make_trace(cls, name, sources, flags, libs, argv):
        exe = os.path.join(cls.dir, name)
        cls.tools.compile(sources, exe, ["-O1", *flags], libs)
        pool = os.path.join(cls.dir, name + ".pool")
        trace = os.path.join(cls.dir, name + ".pmt")
        cls.tools.run(trace, [exe, pool, *argv])
        with open(trace, "rb") as f:
            data = f.read()
        whole = cls.check_bytes(data)
        assert whole["status"] in (0, 1), whole
        return {"data": data, "layout": Layout(data), "whole": whole}

    @classmethod
    def check_bytes(cls, data):
        """pmcheck check on a trace with these bytes: exit status, stderr,
        events read, finding keys."""
        path = os.path.join(cls.dir, "damaged.pmt")
        with open(path, "wb") as f:
            f.write(data)
        proc = subprocess.run(
            [cls.tools.pmcheck, "check", "--db", cls.db, "--format", "json",
             "--fail-on", "warning", path],
            capture_output=True, text=True)
        result = {"status": proc.returncode, "stderr": proc.stderr}
        if proc.returncode in (0, 1, 2):
            report = json.loads(proc.stdout)
            traces = report["traces"]
            result["events"] = traces[0]["events"] if traces else None
            result["run_status"] = report["run"]["status"]
            result["findings"] = e2e.finding_keys(report)
        return result

    # ---- helpers ------------------------------------------------------

    def assert_no_crash(self, r, what):
        self.assertIn(r["status"], (0, 1, 2), f"{what}: {r['stderr']}")
        self.assertNotIn("Sanitizer", r["stderr"], what)

    def assert_damage(self, r, what, at_most=None):
        """Exit 2, an error that says where, and a report of what was read."""
        self.assert_no_crash(r, what)
        self.assertEqual(2, r["status"], f"{what}: {r['stderr']}")
        self.assertIn("pmcheck: error: ", r["stderr"], what)
        self.assertEqual("input-error", r["run_status"], what)
        if at_most is not None:
            m = BYTE_RE.search(r["stderr"])
            self.assertIsNotNone(m, f"{what}: no byte offset: {r['stderr']}")
            self.assertLessEqual(int(m.group(1)), at_most, what)

    def assert_as_whole(self, r, whole, what):
        self.assertEqual(whole["status"], r["status"], f"{what}: {r['stderr']}")
        self.assertEqual(whole["findings"], r["findings"], what)
        self.assertEqual(whole["events"], r["events"], what)

    def flip(self, data, pos):
        bit = self.rng.randrange(8)
        damaged = bytearray(data)
        damaged[pos] ^= 1 << bit
        return bytes(damaged), f"bit {bit} of byte {pos}"

    # ---- cuts ---------------------------------------------------------

    def cut_points(self, lay):
        pts = {0, 1, 7, 8, 43, 44, 47, 48, 63, 64, 64 + lay.cmdline_len,
               HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + 1}
        for b in lay.blocks:
            o, end = b["off"], b["off"] + BLOCK_HDR + b["used"]
            pts |= {o - 1, o + 1, o + 16, o + 31, o + 32, o + 33,
                    end - 1, end, end + 1, o + BLOCK_SIZE - 1}
            recs = b["records"]
            for r in recs[::max(1, len(recs) // 4)]:
                pts |= {r, r + 1, r + 8}
        pts |= {self.rng.randrange(lay.size) for _ in range(50)}
        return sorted(p for p in pts if 0 <= p < lay.size)

    def sweep_cuts(self, name):
        t = self.traces[name]
        whole, last_events = t["whole"], 0
        for cut in self.cut_points(t["layout"]):
            what = f"{name} cut at byte {cut}"
            r = self.check_bytes(t["data"][:cut])
            if cut < HEADER_SIZE:
                self.assert_damage(r, what)
                self.assertIn("shorter than a trace header", r["stderr"], what)
                continue
            self.assert_damage(r, what, at_most=cut)
            self.assertGreaterEqual(r["events"], last_events,
                                    f"{what}: fewer events than a shorter cut")
            self.assertLessEqual(r["events"], whole["events"], what)
            self.assertLessEqual(r["findings"], whole["findings"],
                                 f"{what}: a finding the whole trace lacks")
            last_events = r["events"]
        self.assertGreater(last_events, whole["events"] // 2,
                           "late cuts keep most of the trace")

    def test_cut_anywhere_one_thread(self):
        self.assertGreater(len(self.traces["list"]["layout"].blocks), 2)
        self.assertTrue(self.traces["list"]["whole"]["findings"])
        self.sweep_cuts("list")

    def test_cut_anywhere_threads(self):
        self.assertGreaterEqual(len(self.traces["threads"]["layout"].blocks), 8)
        self.sweep_cuts("threads")

    # ---- flips --------------------------------------------------------

    def test_flip_header(self):
        t = self.traces["list"]
        lay = t["layout"]
        covered = list(range(0, 48)) + [64 + self.rng.randrange(
            lay.cmdline_len) for _ in range(4)]
        for pos in covered:
            data, what = self.flip(t["data"], pos)
            r = self.check_bytes(data)
            self.assert_damage(r, what)
            self.assertRegex(r["stderr"], "not a pmcheck trace|damaged trace "
                             "header|unsupported trace version", what)
        for pos in range(48, 64):  # live fields: nothing can check them
            data, what = self.flip(t["data"], pos)
            self.assert_no_crash(self.check_bytes(data), what)
        for _ in range(4):  # after the command line: read by no one
            data, what = self.flip(t["data"], self.rng.randrange(
                64 + lay.cmdline_len, HEADER_SIZE))
            self.assert_as_whole(self.check_bytes(data), t["whole"], what)

    def flip_blocks(self, name):
        t = self.traces[name]
        lay = t["layout"]
        for b in lay.blocks[:6]:
            o = b["off"]
            # magic, thread, index, flags (not the sealed bit), used, crc
            for field, lo, hi in (("magic", 0, 4), ("thread", 4, 8),
                                  ("index", 8, 12), ("used", 16, 20),
                                  ("crc", 20, 24)):
                data, what = self.flip(t["data"], self.rng.randrange(o + lo,
                                                                     o + hi))
                self.assert_damage(self.check_bytes(data),
                                   f"{name} block {o} {field}: {what}",
                                   at_most=lay.size)
            data = bytearray(t["data"])
            data[o + 12 + self.rng.randrange(4)] ^= 1 << self.rng.randrange(
                1, 8)
            self.assert_damage(self.check_bytes(bytes(data)),
                               f"{name} block {o}: a flag bit", at_most=o)
            for _ in range(5):
                pos = self.rng.randrange(o + BLOCK_HDR,
                                         o + BLOCK_HDR + b["used"])
                data, what = self.flip(t["data"], pos)
                self.assert_damage(self.check_bytes(data),
                                   f"{name} record byte: {what}", at_most=pos)
            unread = [self.rng.randrange(o + 24, o + 32)]  # reserved
            if BLOCK_HDR + b["used"] < BLOCK_SIZE:  # past the records
                unread.append(self.rng.randrange(o + BLOCK_HDR + b["used"],
                                                 o + BLOCK_SIZE))
            for pos in unread:
                data, what = self.flip(t["data"], pos)
                self.assert_as_whole(self.check_bytes(data), t["whole"],
                                     f"{name} unread byte: {what}")
            # The sealed bit: only the last block of a thread may be open.
            data = bytearray(t["data"])
            data[o + 12] ^= SEALED
            r = self.check_bytes(bytes(data))
            if o in lay.last_of_chain:
                self.assert_as_whole(r, t["whole"], f"{name} {o} unsealed")
            else:
                self.assert_damage(r, f"{name} {o} unsealed", at_most=o)
                self.assertIn("unsealed block is not the last", r["stderr"])

    def test_flip_blocks_one_thread(self):
        self.flip_blocks("list")

    def test_flip_blocks_threads(self):
        self.flip_blocks("threads")

    def test_flip_unsealed_blocks_of_a_killed_program(self):
        """An aborted program's last blocks are unsealed: no checksum says
        whether a record is intact, but nothing crashes pmcheck either."""
        exe = os.path.join(self.dir, "threads")
        pool = os.path.join(self.dir, "aborted.pool")
        trace = os.path.join(self.dir, "aborted.pmt")
        self.tools.run(trace, [exe, pool, "3", "300", "abort"], check=False)
        with open(trace, "rb") as f:
            data = f.read()
        lay = Layout(data)
        open_blocks = [b for b in lay.blocks if not b["flags"] & SEALED]
        self.assertTrue(open_blocks, "abort leaves unsealed blocks")
        for b in open_blocks:
            for _ in range(12):
                pos = self.rng.randrange(b["off"],
                                         b["off"] + BLOCK_HDR + b["used"])
                damaged, what = self.flip(data, pos)
                self.assert_no_crash(self.check_bytes(damaged),
                                     f"unsealed: {what}")


def main():
    global ARGS
    ARGS = e2e.build_source_args()
    return e2e.run_case(Robust)


if __name__ == "__main__":
    sys.exit(main())
