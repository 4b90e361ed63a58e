"""e2e - what the end-to-end tests share: building programs with pmcc,
running them under `pmcheck run`, reading `pmcheck dump` and the JSON
report, and the expectations written in workload sources.

Every test script takes --build DIR (the meson build root) and --source DIR
(the source root); Tools(args) finds pmcc and pmcheck there.
"""
import argparse
import json
import os
import re
import subprocess
import tempfile
import unittest

# "/* expect BUG_NAME: rule */" or "/* expect(adr) BUG_NAME: rule */": the
# line pmcheck must report rule on, for the build with -DBUG_NAME, under
# both persistency models or only the one named.
EXPECT_RE = re.compile(
    r"expect(?:\((?P<model>adr|eadr)\))?\s+(?P<bug>BUG_[A-Z0-9_]+):\s+"
    r"(?P<rule>[a-z][a-z-]*)")

# A line of `pmcheck dump`: seq, thread, kind, fields, and the site after " @ ".
DUMP_RE = re.compile(r"^\s*(?P<seq>\d+)\s+t(?P<thread>\d+)\s+(?P<kind>[A-Z_]+)"
                     r"(?P<fields>.*?)(?:\s+@\s+(?P<site>.*))?$")


class Tools:
    def __init__(self, build, source):
        self.build = os.path.abspath(build)
        self.source = os.path.abspath(source)
        self.pmcc = os.path.join(self.build, "tools", "pmcc")
        self.pmcheck = os.path.join(self.build, "tools", "pmcheck")

    def compile(self, sources, out, flags=(), libs=(), cwd=None):
        """pmcc -g FLAGS SOURCES -o OUT LIBS; sources relative to the source
        root are compiled from there, so sites record them relative."""
        cmd = [self.pmcc, "-g", *flags, *sources, "-o", out, *libs]
        proc = subprocess.run(cmd, cwd=cwd or self.source,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed:\n{proc.stderr}")

    def run(self, trace, argv, pmem=(), loads=False, check=True, env=None):
        cmd = [self.pmcheck, "run", "-o", trace]
        for p in pmem:
            cmd += ["--pmem", p]
        if loads:
            cmd.append("--loads")
        proc = subprocess.run(cmd + ["--", *argv], capture_output=True,
                              text=True, env=env)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd + argv)} exited "
                                 f"{proc.returncode}:\n{proc.stderr}")
        return proc

    def dump(self, trace, *flags):
        proc = subprocess.run([self.pmcheck, "dump", *flags, trace],
                              capture_output=True, text=True)
        return proc

    def events(self, trace):
        """The records of a trace as dicts (kind, fields, file, line, ...),
        metadata records left out."""
        proc = self.dump(trace, "--events")
        if proc.returncode != 0:
            raise AssertionError(f"pmcheck dump {trace}: {proc.stderr}")
        return [parse_dump_line(l) for l in proc.stdout.splitlines() if l]

    def check_json(self, trace, db, model="adr", extra=()):
        """pmcheck check --format json; returns (exit status, report)."""
        proc = subprocess.run(
            [self.pmcheck, "check", "--db", db, "--model", model,
             "--format", "json", "--fail-on", "never", *extra, trace],
            capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            raise AssertionError(f"pmcheck check {trace} exited "
                                 f"{proc.returncode}:\n{proc.stderr}")
        return proc.returncode, json.loads(proc.stdout)


def parse_dump_line(line):
    m = DUMP_RE.match(line)
    if not m:
        raise AssertionError(f"unparsable dump line: {line!r}")
    ev = {"seq": int(m["seq"]), "thread": int(m["thread"]),
          "kind": m["kind"], "fields": m["fields"].split(),
          "file": None, "line": 0, "function": None}
    if m["site"]:
        loc, _, func = m["site"].partition(" ")
        parts = loc.split(":")
        ev["file"] = parts[0]
        ev["line"] = int(parts[1]) if len(parts) > 1 else 0
        ev["function"] = func or None
    return ev


def expectations(source_paths, bug, model):
    """{(rule, file, line)} the build with -D<bug> must report under model,
    from the expect comments of the sources (paths relative to the source
    root, as pmcc records them)."""
    found = set()
    for rel, path in source_paths:
        with open(path) as f:
            for n, text in enumerate(f, 1):
                for m in EXPECT_RE.finditer(text):
                    if m["bug"] == bug and m["model"] in (None, model):
                        found.add((m["rule"], rel, n))
    return found


# Rules found by running recoveries (`pmcheck crash`), not by `pmcheck check`.
CRASH_RULES = {"crash-recovery-failed", "cross-failure-read",
               "in-flight-read"}


def found_by(bug_spec):
    """The commands that must find a bug: the manifest's found_by, a name
    or a list of names."""
    how = bug_spec["found_by"]
    return [how] if isinstance(how, str) else list(how)


def finding_keys(report, severities=("error", "warning")):
    return {(f["rule"], f["location"]["file"], f["location"]["line"])
            for f in report["findings"] if f["severity"] in severities}


def load_manifest(source):
    with open(os.path.join(source, "workloads", "manifest.json")) as f:
        return json.load(f)["programs"]


def tmpfs():
    """Where scratch files go: tmpfs when there is one (pools there behave
    like emulated pmem and cost no disk), else the default temporary
    directory (None)."""
    return "/dev/shm" if os.path.isdir("/dev/shm") else None


def scratch_dir(prefix):
    """A temporary directory on tmpfs, removed with the object."""
    return tempfile.TemporaryDirectory(prefix=prefix, dir=tmpfs())


def scratch_path(prefix):
    """A temporary directory on tmpfs that stays until the caller removes
    it (a test may keep it for a look)."""
    return tempfile.mkdtemp(prefix=prefix, dir=tmpfs())


def build_source_args():
    """The --build and --source every test script is given."""
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("-k", dest="pattern", action="append",
                   help="only the tests whose name contains PATTERN")
    return p.parse_args()


def run_case(case, patterns=None):
    """Run the tests of one unittest.TestCase class (those whose name
    contains one of patterns, when given): the exit status."""
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = [f"*{k}*" for k in patterns]
    suite = loader.loadTestsFromTestCase(case)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1
