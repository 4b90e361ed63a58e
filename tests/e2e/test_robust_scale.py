#!/usr/bin/python3
"""pmcheck check's memory does not grow with the length of the trace.

bench/pmem_stores.c (stores over a 64 MiB pool, a clwb per line, an
sfence per page) runs under `pmcheck run` to a trace of about 10^6 events
and one of about 10^7 (300 MB, on disk); `pmcheck check` reads each, and
its peak resident memory (wait4's ru_maxrss) for the long trace must be
within a small factor of the short one's, and far below the trace's size
(mapped trace pages count as the process's memory: a reader that kept
them would grow with the trace). bench/scale.py measures the same on
10^8 events.

usage: test_robust_scale.py --build DIR --source DIR
"""
import os
import subprocess
import sys
import tempfile
import unittest

import e2e

ARGS = None
STORES = os.path.join("bench", "pmem_stores.c")
EVENTS_PER_STORE = (512 + 64 + 1) / 512
# Allowed growth from 10^6 to 10^7 events: a factor for the allocator's
# whims and a few MiB for a longer sites table and database.
FACTOR = 1.5
SLACK = 8 << 20


def peak_rss(cmd, env=None):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read()
    proc.stderr.close()
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024, err


class Scale(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tools = e2e.Tools(ARGS.build, ARGS.source)
        cls.shm = e2e.scratch_dir("pmcheck-robust-scale-")
        # The long trace is 300 MB: on disk, not in memory (/dev/shm).
        cls.disk = tempfile.TemporaryDirectory(prefix="pmcheck-robust-scale-")
        cls.exe = os.path.join(cls.shm.name, "pmem_stores")
        cls.tools.compile([STORES], cls.exe, ["-O2"], ["-lpmem"])
        # ASan keeps freed memory in quarantine, up to 256 MiB: bound it,
        # or the longer run looks as if it grew.
        cls.env = dict(os.environ)
        cls.env["ASAN_OPTIONS"] = ":".join(
            filter(None, [os.environ.get("ASAN_OPTIONS"),
                          "quarantine_size_mb=8"]))

    @classmethod
    def tearDownClass(cls):
        cls.shm.cleanup()
        cls.disk.cleanup()

    def checked(self, events):
        """Trace about `events` events; (events read, trace bytes, peak RSS
        of pmcheck check)."""
        trace = os.path.join(self.disk.name, f"scale{events}.pmt")
        pool = os.path.join(self.shm.name, f"scale{events}.pool")
        self.tools.run(trace, [self.exe, pool,
                               str(int(events / EVENTS_PER_STORE))])
        os.unlink(pool)
        db = os.path.join(self.shm.name, f"scale{events}.db")
        status, rss, err = peak_rss(
            [self.tools.pmcheck, "check", "--db", db, "--fail-on", "never",
             "--format", "json", trace], env=self.env)
        self.assertEqual(0, status, err)
        size = os.path.getsize(trace)
        os.unlink(trace)
        return size, rss

    def test_memory_stays_flat(self):
        small_size, small = self.checked(10**6)
        big_size, big = self.checked(10**7)
        print(f"\npeak RSS of check: {small >> 10} KiB for "
              f"{small_size >> 20} MiB of trace, {big >> 10} KiB for "
              f"{big_size >> 20} MiB", file=sys.stderr)
        self.assertGreater(big_size, 9 * small_size)
        self.assertLess(big, FACTOR * small + SLACK,
                        "check's memory grew with the trace")
        self.assertLess(big, big_size // 4, "the trace stayed mapped")


def main():
    global ARGS
    ARGS = e2e.build_source_args()
    return e2e.run_case(Scale)


if __name__ == "__main__":
    sys.exit(main())
