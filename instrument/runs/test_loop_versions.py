#!/usr/bin/python3
"""Loops the pass versions for loads (instrument/LoopVersions.h), run for real.

loop_loads.c is built with pmcc -O2 and run under `pmcheck run`, with and
without --loads. With --loads the original loops run and every pmem word
they read is traced as often as they read it; without, the copies run and
no load is traced. Both times every store is traced once, the program
prints the right results and leaves the right words in the pool: a copy
whose exits were wired to the wrong values would print something else.

usage: test_loop_versions.py --build DIR --source DIR
Exits 77 (skipped) when pmcc, pmcheck, libpmem or the plugin are missing.
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest

ARGS = None
PROGRAM = os.path.join("instrument", "runs", "loop_loads.c")
WORDS = 40  # as in loop_loads.c

# A record line of `pmcheck dump --events`: seq, thread, kind, then fields
# such as "r1+0x140 8" before the site.
EVENT_RE = re.compile(r"^\s*\d+\s+t\d+\s+(?P<kind>[A-Z_]+)\s+"
                      r"r1\+(?P<off>0x[0-9a-f]+)\s+(?P<size>\d+)")


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n"
                             f"{proc.stderr}")
    return proc.stdout


def words_touched(dump, kind):
    """How many times each 8-byte word of the pool was touched by records of
    this kind."""
    counts = {}
    for line in dump.splitlines():
        m = EVENT_RE.match(line)
        if not m or m.group("kind") != kind:
            continue
        off, size = int(m.group("off"), 16), int(m.group("size"))
        for word in range(off // 8, (off + size + 7) // 8):
            counts[word] = counts.get(word, 0) + 1
    return counts


class LoopVersions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="pmcheck-versions-")
        cls.pmcc = os.path.join(ARGS.build, "tools", "pmcc")
        cls.pmcheck = os.path.join(ARGS.build, "tools", "pmcheck")
        cls.exe = os.path.join(cls.tmp.name, "loop_loads")
        run([cls.pmcc, "-O2", "-g", PROGRAM, "-o", cls.exe, "-lpmem"],
            cwd=ARGS.source)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def trace(self, loads):
        name = "loads" if loads else "plain"
        pool = os.path.join(self.tmp.name, name + ".pool")
        trace = os.path.join(self.tmp.name, name + ".pmt")
        cmd = [self.pmcheck, "run", "-o", trace]
        if loads:
            cmd.append("--loads")
        out = run(cmd + ["--", self.exe, pool])
        self.assertEqual(f"sum {sum(3 * i + 1 for i in range(WORDS))}\n"
                         "find 5 -1\n", out)
        with open(pool, "rb") as f:
            words = struct.unpack(f"<{2 * WORDS}Q", f.read(16 * WORDS))
        self.assertEqual([2 * (3 * i + 1) for i in range(WORDS)],
                         list(words[WORDS:]))
        return run([self.pmcheck, "dump", "--events", trace])

    def test_the_pass_versioned_the_loops(self):
        ir = run([self.pmcc, "-O2", "-S", "-emit-llvm",
                  "-fno-discard-value-names", PROGRAM, "-o", "-"],
                 cwd=ARGS.source)
        for func in ("sum", "find", "twice"):
            body = re.search(r"define internal [^@]*@" + func +
                             r"\(.*?\n}\n", ir, re.S)
            self.assertIsNotNone(body, func)
            self.assertIn("%pmt.noloads = icmp eq i64", body.group(0), func)

    def test_loads_traced_run_the_original_loops(self):
        dump = self.trace(loads=True)
        # sum, find(16) up to word 5, find(2) and twice read each word.
        want = {w: 4 if w <= 5 else 3 for w in range(WORDS)}
        self.assertEqual(want, words_touched(dump, "LOAD"))
        self.assertEqual({w: 1 for w in range(2 * WORDS)},
                         words_touched(dump, "STORE"))

    def test_plain_run_takes_the_copies(self):
        dump = self.trace(loads=False)
        self.assertEqual({}, words_touched(dump, "LOAD"))
        self.assertEqual({w: 1 for w in range(2 * WORDS)},
                         words_touched(dump, "STORE"))


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ARGS, rest = ap.parse_known_args()
    ARGS.build = os.path.abspath(ARGS.build)
    ARGS.source = os.path.abspath(ARGS.source)
    for tool in ("pmcc", "pmcheck"):
        if not os.access(os.path.join(ARGS.build, "tools", tool), os.X_OK):
            print(f"skip: {tool} not built")
            return 77
    if not os.path.exists("/usr/include/libpmem.h"):
        print("skip: libpmem-dev not installed")
        return 77
    result = unittest.main(argv=[sys.argv[0]] + rest, exit=False).result
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
