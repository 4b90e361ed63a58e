#!/usr/bin/python3
"""The recovery runner's sandbox and fork server, end to end.

A recovery program that misbehaves on request (programs/recovery.c, built
with pmcc - a fork server - and with plain cc) runs through the runner
(checker/runner.h) by way of runner_driver, which prints each run's
outcome as JSON. The runs must end as the runner promises - fork bombs,
memory hogs, endless loops, crashes, writes outside the run's directory -
and leave nothing behind: no process (the process table is read after
every test; the programs run from private copies, so only this test's
processes have their paths), no change to the crash images through the
fork server. Faults: a poisoned page raises SIGBUS at its offset, the Nth
PMDK allocation fails with ENOMEM. And runs per second, fork server
against exec, are printed (not asserted: the machine may be busy).

usage: test_sandbox.py --build DIR --source DIR --driver PATH
                       --pmcc-program PATH --plain-program PATH
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import unittest

import e2e

ARGS = None
MIB = 1 << 20
POOL_LAYOUT = "sandbox"


def fnv1a(data):
    """The driver's image hash (runner_driver.c)."""
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def processes_of(paths):
    """Pids of the live processes whose executable is one of paths."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue  # gone, a kernel thread, or a zombie
        if exe in paths:
            found.append(int(pid))
    return found


class Sandbox(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = e2e.scratch_dir("pmcheck-sandbox-")
        cls.dir = cls.scratch.name
        # Private copies: the process table then shows this test's runs
        # only, whatever else runs the same programs meanwhile.
        cls.pmcc_prog = os.path.join(cls.dir, "recovery-pmcc")
        cls.plain_prog = os.path.join(cls.dir, "recovery-plain")
        shutil.copy(ARGS.pmcc_program, cls.pmcc_prog)
        shutil.copy(ARGS.plain_program, cls.plain_prog)
        cls.programs = {cls.pmcc_prog, cls.plain_prog}
        cls.pool = os.path.join(cls.dir, "pool.obj")
        subprocess.run([cls.plain_prog, "create", cls.pool, POOL_LAYOUT],
                       check=True)
        # The three ways a run starts: the program serves itself; the same
        # program through pmcheck's supervisor; a program not built with
        # pmcc.
        cls.kinds = [(cls.pmcc_prog, []),
                     (cls.pmcc_prog, ["--no-fork-server"]),
                     (cls.plain_prog, [])]

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def tearDown(self):
        left = processes_of(self.programs)
        for pid in left:
            os.kill(pid, 9)
        self.assertEqual(left, [], "processes left behind")

    def drive(self, program, mode_args, options=(), image_size=MIB,
              timeout=120, command=None):
        """Run the driver on "PROGRAM MODE {image} ARGS..." (or command);
        returns (runner, runs, summary) from its JSON."""
        if command is None:
            command = " ".join([program, mode_args[0], "{image}",
                                *mode_args[1:]])
        cmd = [ARGS.driver, "--image", f"image.pool:{image_size}",
               "--workdir", self.dir, *options, "--", command]
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=timeout)
        if proc.returncode != 0:
            self.fail(f"{' '.join(cmd)}: exit {proc.returncode}\n"
                      f"{proc.stderr}")
        lines = [json.loads(l) for l in proc.stdout.splitlines()]
        return lines[0], lines[1:-1], lines[-1]

    def outcome(self, program, mode_args, options=(), **kw):
        runner, runs, _ = self.drive(program, mode_args, options, **kw)
        return runner, runs[-1]

    # ---- outcomes ---------------------------------------------------------

    def test_outcomes_same_every_way(self):
        cases = [
            (["pass"], ("pass", 0)),
            (["exit", "3"], ("exit", 3)),
            (["segv"], ("signal", 11)),
            (["spin"], ("hang", 9)),
            (["hang"], ("hang", 9)),
        ]
        for prog, opts in self.kinds:
            for args, want in cases:
                with self.subTest(prog=os.path.basename(prog), opts=opts,
                                  args=args):
                    runner, run = self.outcome(prog, args,
                                               ["--time", "0.5", *opts])
                    self.assertEqual(runner["forks"],
                                     prog == self.pmcc_prog and not opts)
                    self.assertEqual((run["outcome"], run["code"]), want)
                    if want[0] == "hang":
                        self.assertGreaterEqual(run["seconds"], 0.5)
                        self.assertLess(run["seconds"], 5)

    def test_stderr_tail(self):
        for prog, opts in self.kinds:
            _, run = self.outcome(prog, ["stderr", "5000"], opts)
            self.assertEqual(run["outcome"], "exit")
            tail = run["stderr"]
            self.assertLess(len(tail), 2048)
            self.assertGreater(len(tail), 1500)
            self.assertTrue(tail.endswith("line 5000\n"), tail[-40:])
            lines = tail.splitlines()
            first = int(lines[0].split()[1])  # a whole first line
            self.assertEqual(lines, [f"line {n}"
                                     for n in range(first, 5001)])

    def test_environment_and_directory(self):
        for prog, opts in self.kinds:
            _, run = self.outcome(
                prog, ["env"], ["--state", "7.2", "--site", "kv.c:42",
                                "--markers", "a,b", *opts])
            self.assertEqual(run["stderr"],
                             "state 7.2 site kv.c:42 markers a,b\n")
            runner, runs, _ = self.drive(prog, ["cwd"], ["--runs", "2", *opts])
            for r in runs:
                self.assertEqual(r["outcome"], "pass")  # a fresh directory
                cwd = r["stderr"].split()[1]
                self.assertTrue(cwd.startswith(runner["dir"] + "/"), cwd)
                self.assertFalse(os.path.exists(cwd))  # removed after

    # ---- the sandbox ------------------------------------------------------

    def test_infinite_loop(self):
        t0 = time.monotonic()
        _, run = self.outcome(self.pmcc_prog, ["spin"], ["--time", "1"])
        self.assertEqual(run["outcome"], "hang")
        self.assertLess(time.monotonic() - t0, 10)

    def test_fork_bomb(self):
        procs = 16
        runner, _ = self.outcome(self.pmcc_prog, ["pass"],
                                 ["--procs", str(procs)])
        if not runner["cgroup_tasks"] and runner["rlimit_nproc"] == 0:
            self.skipTest("no pids cgroup and running as root: nothing can "
                          "bound a fork bomb here but the time limit")
        for prog, opts in self.kinds:
            peak = [0]
            done = threading.Event()

            def watch():
                while not done.is_set():
                    peak[0] = max(peak[0], len(processes_of(self.programs)))
                    time.sleep(0.005)

            watcher = threading.Thread(target=watch)
            watcher.start()
            try:
                t0 = time.monotonic()
                _, run = self.outcome(prog, ["forkbomb"],
                                      ["--time", "1", "--procs", str(procs),
                                       *opts])
                seconds = time.monotonic() - t0
            finally:
                done.set()
                watcher.join()
            with self.subTest(prog=os.path.basename(prog), opts=opts):
                self.assertEqual(run["outcome"], "hang")
                self.assertLess(seconds, 30)
                # The server (a copy of the program when it forks) and the
                # probe may count once more than the runs' own budget.
                self.assertLessEqual(peak[0], procs + 2)
                self.assertGreater(peak[0], 1)

    def test_memory_hog(self):
        for prog, opts in self.kinds:
            t0 = time.monotonic()
            _, run = self.outcome(prog, ["hog"],
                                  ["--mem", str(256 * MIB), "--time", "20",
                                   *opts])
            with self.subTest(prog=os.path.basename(prog), opts=opts):
                self.assertEqual(run["outcome"], "oom", run)
                self.assertLess(time.monotonic() - t0, 20)

    def test_writes_confined(self):
        runner, _ = self.outcome(self.pmcc_prog, ["pass"])
        if not runner["landlock"]:
            self.skipTest("no Landlock in this kernel: writes not confined")
        for prog, opts in self.kinds:
            outside = os.path.join(self.dir, "escaped")  # /dev/shm: not allowed
            _, run = self.outcome(prog, ["write", outside], opts)
            self.assertEqual((run["outcome"], run["code"]), ("exit", 3), run)
            self.assertFalse(os.path.exists(outside))
            self.assertIn("Permission denied", run["stderr"])
            inside = os.path.join("/tmp", f"pmcheck-sandbox-{os.getpid()}")
            try:
                _, run = self.outcome(prog, ["write", inside], opts)
                self.assertEqual(run["outcome"], "pass", run)
            finally:
                if os.path.exists(inside):
                    os.unlink(inside)

    def test_no_process_left_behind(self):
        for prog, opts in self.kinds:
            _, run = self.outcome(prog, ["daemon"], opts)
            self.assertEqual(run["outcome"], "pass")
            pid = int(run["stderr"].split()[1])
            # The daemon was in a session of its own, its parent gone.
            self.assertFalse(os.path.exists(f"/proc/{pid}/exe") and
                             os.readlink(f"/proc/{pid}/exe") in self.programs)

    # ---- the images -------------------------------------------------------

    def test_image_untouched_through_pmem_map_file(self):
        image = bytearray(MIB)
        image[0] = 7
        runner, runs, _ = self.drive(self.pmcc_prog, ["pmem", "171"],
                                     ["--set", "0:0:7", "--hash",
                                      "--runs", "3"])
        self.assertTrue(runner["forks"])
        for r in runs:
            self.assertEqual((r["outcome"], r["code"]), ("exit", 7))
            self.assertEqual(r["dirty"], [False])
            self.assertEqual(r["hashes"], [fnv1a(image)])
        # A plain program writes the image: the runner says so, and the
        # explorer (here the driver's --set) restores what it needs.
        _, runs, _ = self.drive(self.plain_prog, ["pmem", "171"],
                                ["--set", "0:0:7", "--hash", "--runs", "2"])
        for r in runs:
            self.assertEqual((r["outcome"], r["code"]), ("exit", 7))
            self.assertEqual(r["dirty"], [True])
            self.assertNotEqual(r["hashes"], [fnv1a(image)])

    def test_image_size_kept(self):
        """Through the fork server, the calls PMDK makes on a pool file
        succeed without touching the image, and those that would change
        it fail with EROFS; a plain program changes it, and the runner
        says so and puts its size back."""
        erofs, einval = 30, 22
        runner, run = self.outcome(self.pmcc_prog, ["resize"], ["--hash"])
        self.assertTrue(runner["forks"])
        self.assertEqual(run["stderr"].splitlines(), [
            "ftruncate same 0", f"ftruncate half {erofs}",
            "posix_fallocate inside 0", f"posix_fallocate double {erofs}",
            f"punch hole {erofs}"])
        self.assertEqual(run["dirty"], [False])
        self.assertEqual(run["hashes"], [fnv1a(bytes(MIB))])
        _, run = self.outcome(self.plain_prog, ["resize"], ["--hash"])
        self.assertIn("ftruncate half 0", run["stderr"])
        self.assertEqual(run["dirty"], [True])
        self.assertNotIn(str(einval), run["stderr"])

    def test_image_untouched_through_pmemobj(self):
        with open(self.pool, "rb") as f:
            pool = f.read()
        size = str(len(pool))
        runner, runs, _ = self.drive(self.pmcc_prog,
                                     ["pmemobj", POOL_LAYOUT],
                                     ["--load", f"0:{self.pool}", "--hash",
                                      "--runs", "3"], image_size=size)
        self.assertTrue(runner["forks"])
        for r in runs:
            self.assertEqual(r["outcome"], "pass", r)
            self.assertEqual(r["stderr"], "root 00\n")
            self.assertEqual(r["dirty"], [False])
            self.assertEqual(r["hashes"], [fnv1a(pool)])
        # Plain: the pool changes; restored before each run, every run
        # sees the state it was given.
        _, runs, _ = self.drive(self.plain_prog, ["pmemobj", POOL_LAYOUT],
                                ["--load", f"0:{self.pool}", "--runs", "2"],
                                image_size=size)
        self.assertEqual([r["stderr"] for r in runs],
                         ["root 00\n", "root 5a\n"])
        self.assertEqual(runs[0]["dirty"], [True])
        _, runs, _ = self.drive(self.plain_prog, ["pmemobj", POOL_LAYOUT],
                                ["--load", f"0:{self.pool}", "--reload",
                                 "--runs", "2"], image_size=size)
        self.assertEqual([r["stderr"] for r in runs],
                         ["root 00\n", "root 00\n"])

    def test_trace_of_each_run(self):
        """With loads traced, each fork-server run writes its own trace,
        with the image as a region and the recovery's loads and stores;
        the server itself traces nothing."""
        tools = e2e.Tools(ARGS.build, ARGS.source)
        for opts in ([], ["--no-fork-server"]):
            trace = os.path.join(self.dir, "run.pmt")
            runner, runs, _ = self.drive(
                self.pmcc_prog, ["pmem", "171"],
                ["--loads", "--set", "0:0:3", "--runs", "2",
                 "--keep-trace", trace, *opts])
            for r in runs:
                self.assertEqual((r["outcome"], r["code"]), ("exit", 3))
                self.assertTrue(r["trace"].startswith(runner["dir"]))
            kinds = [e["kind"] for e in tools.events(trace)]
            self.assertIn("REGION_MAP", kinds)
            self.assertIn("LOAD", kinds)
            self.assertIn("STORE_FILL", kinds)
            self.assertEqual(kinds[-1], "EXIT")
            os.unlink(trace)

    # ---- faults -----------------------------------------------------------

    def test_poison(self):
        # Offset 8200 poisons its page, 8192..12287, and no other.
        for opts in ([], ["--no-fork-server"]):
            _, run = self.outcome(self.pmcc_prog,
                                  ["read", "0", "4096", "8191", "8192",
                                   "9000"], ["--poison", "8200", *opts])
            self.assertEqual((run["outcome"], run["code"]), ("signal", 7))
            self.assertEqual(run["stderr"].splitlines()[-1], "read 8192")
            _, run = self.outcome(self.pmcc_prog,
                                  ["read", "0", "4096", "8191", "12288"],
                                  ["--poison", "8200", *opts])
            self.assertEqual(run["outcome"], "pass", run)
        _, run = self.outcome(self.pmcc_prog, ["read", "8200"])
        self.assertEqual(run["outcome"], "pass")  # no fault asked

    def test_fail_alloc(self):
        size = str(os.path.getsize(self.pool))
        cases = [
            ("alloc", "3", "alloc 3 failed 12\n"),
            ("alloc", "0", ""),
            ("txalloc", "3", "aborted after 2: 12\n"),
            ("txnoabort", "2", "tx_xalloc 2 failed 12\n"),
        ]
        for opts in ([], ["--no-fork-server"]):
            for mode, n, want in cases:
                with self.subTest(mode=mode, n=n, opts=opts):
                    _, run = self.outcome(
                        self.pmcc_prog, [mode, POOL_LAYOUT, "5"],
                        ["--load", f"0:{self.pool}", "--fail-alloc", n,
                         *opts], image_size=size)
                    self.assertEqual(run["outcome"], "pass", run)
                    self.assertEqual(run["stderr"], want)

    # ---- speed ------------------------------------------------------------

    def test_speed(self):
        """Runs per second, printed; only their sanity is asserted."""
        tools = e2e.Tools(ARGS.build, ARGS.source)
        list_prog = os.path.join(self.dir, "list")
        tools.compile([os.path.join("workloads", "list", "list.c")],
                      list_prog, flags=["-O1"], libs=["-lpmem"])
        self.programs.add(list_prog)
        figures = []
        for name, command, runs in (
                ("trivial", f"{self.pmcc_prog} pass {{image}}", 2000),
                ("list verify", f"{list_prog} {{image}} verify", 1000)):
            for label, opts, n in (("fork server", [], runs),
                                   ("exec", ["--no-fork-server"], runs // 4)):
                runner, runs_out, summary = self.drive(
                    None, None, ["--runs", str(n), "--quiet", *opts],
                    command=command)
                self.assertEqual(runner["forks"], not opts)
                self.assertEqual(runs_out[-1]["outcome"], "pass", runs_out)
                figures.append((name, label, summary["runs_per_second"]))
        for name, label, rate in figures:
            print(f"  {name:12} {label:12} {rate:8.0f} runs/s",
                  file=sys.stderr)
        self.assertTrue(all(rate > 0 for _, _, rate in figures))


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--driver", required=True)
    p.add_argument("--pmcc-program", required=True)
    p.add_argument("--plain-program", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
