#!/usr/bin/python3
"""Every workload twin, end to end: built with pmcc, run under `pmcheck run`,
checked with `pmcheck check` under --model adr and --model eadr.

For each program of workloads/manifest.json and each bug whose `found_by` is
`check`, the buggy twin must be reported with exactly the rules at exactly
the file:line of the source's expect comments, and the fixed twin with
nothing at all under adr. Under eadr the models differ, and the test says
how: a missing flush is no bug (expect(adr) comments do not apply), and
every flush of pmem is a redundant-flush warning - so under eadr, besides
the expected findings, each flush site of the trace must be reported as
redundant and the only other warnings allowed are redundant fences.

usage: test_workloads.py --build DIR --source DIR [-k NAME]
"""
import os
import sys
import unittest

import e2e

ARGS = None


class Workload:
    """One program built as one twin, run once, checked under both models."""

    def __init__(self, tools, name, spec, bug, workdir):
        self.name, self.spec, self.bug = name, spec, bug
        variant = bug.lower() if bug else "fixed"
        self.binary = os.path.join(workdir, f"{name}-{variant}")
        self.pool = os.path.join(workdir, f"{name}-{variant}.pool")
        self.trace = os.path.join(workdir, f"{name}-{variant}.pmt")
        self.db = os.path.join(workdir, f"{name}-{variant}.db")
        self.sources = [(os.path.join("workloads", s),
                         os.path.join(tools.source, "workloads", s))
                        for s in spec["sources"]]
        flags = ["-O1"] + ([f"-D{bug}"] if bug else [])
        tools.compile([rel for rel, _ in self.sources], self.binary, flags,
                      spec["libs"])
        argv = [self.binary] + [a.replace("{pool}", self.pool)
                                for a in spec["run"]]
        pmem = [self.pool] if spec["pmem"] == "file" else []
        tools.run(self.trace, argv, pmem=pmem)
        self.tools = tools

    def check(self, model):
        _, report = self.tools.check_json(self.trace, self.db, model)
        return report

    def expected(self, model):
        if not self.bug:
            return set()
        return {k for k in e2e.expectations(self.sources, self.bug, model)
                if k[0] not in e2e.CRASH_RULES}

    def flush_sites(self):
        """(file, line) of every flush of pmem in the trace: its address
        prints region-relative (r1+0x40), a DRAM address as plain hex."""
        return {(ev["file"], ev["line"]) for ev in self.tools.events(self.trace)
                if ev["kind"] == "FLUSH" and ev["fields"][0].startswith("r")}

    def fence_sites(self):
        return {(ev["file"], ev["line"]) for ev in self.tools.events(self.trace)
                if ev["kind"] == "FENCE"}


class Twins(unittest.TestCase):
    tmp = None

    @classmethod
    def setUpClass(cls):
        cls.tools = e2e.Tools(ARGS.build, ARGS.source)
        cls.tmp = e2e.scratch_dir("pmcheck-workloads-")
        cls.built = {}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def workload(self, name, bug):
        key = (name, bug)
        if key not in self.built:
            spec = e2e.load_manifest(ARGS.source)[name]
            self.built[key] = Workload(self.tools, name, spec, bug,
                                       self.tmp.name)
        return self.built[key]

    def assert_adr(self, w):
        report = w.check("adr")
        self.assertEqual(w.expected("adr"), e2e.finding_keys(report),
                         f"{w.name} {w.bug or 'fixed'} under adr")

    def assert_eadr(self, w):
        report = w.check("eadr")
        expected = w.expected("eadr")
        self.assertEqual({k for k in expected if is_error(k)},
                         e2e.finding_keys(report, ("error",)),
                         f"{w.name} {w.bug or 'fixed'}: errors under eadr")
        warnings = e2e.finding_keys(report, ("warning",))
        self.assertLessEqual({k for k in expected if not is_error(k)},
                             warnings)
        flushes = {("redundant-flush", f, l) for f, l in w.flush_sites()}
        self.assertLessEqual(flushes, warnings,
                             "under eADR every flush of pmem is redundant")
        fences = {("redundant-fence", f, l) for f, l in w.fence_sites()}
        extra = warnings - flushes - fences - expected
        self.assertEqual(set(), extra,
                         f"{w.name} {w.bug or 'fixed'}: unexpected warnings "
                         "under eadr")


def is_error(key):
    return key[0] not in ("redundant-flush", "redundant-fence",
                          "tx-redundant-add", "flush-non-pmem")


def add_tests():
    """One adr and one eadr test per twin, named after it, so a failure says
    which program, which bug and which model."""
    for name, spec in e2e.load_manifest(ARGS.source).items():
        bugs = [None] + [b for b, how in spec["bugs"].items()
                         if "check" in e2e.found_by(how)]
        for bug in bugs:
            variant = bug.lower() if bug else "fixed"
            for model in ("adr", "eadr"):
                def test(self, name=name, bug=bug, model=model):
                    w = self.workload(name, bug)
                    getattr(self, f"assert_{model}")(w)
                setattr(Twins, f"test_{name}_{variant}_{model}", test)


def main():
    global ARGS
    ARGS = e2e.build_source_args()
    add_tests()
    return e2e.run_case(Twins, ARGS.pattern)


if __name__ == "__main__":
    sys.exit(main())
