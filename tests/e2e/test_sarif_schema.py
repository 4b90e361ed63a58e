#!/usr/bin/python3
"""pmcheck's SARIF is valid SARIF 2.1.0, and its HTML is one well-formed,
self-contained file.

The SARIF is validated against the OASIS schema (.deps/sarif-schema-2.1.0.json,
fetched by scripts/fetch-sarif-schema when missing) with Debian's
python3-jsonschema, formats checked. It comes from `pmcheck check` on real
traces: one written by the unit-test binary's trace builder (always
available), and, once the pass plugin and the runtime are built, one of
workloads/list built with pmcc and run under `pmcheck run`. The unit-test
binary also writes a SARIF report with every feature the synthetic
findings exercise (notes without a site, absolute files, several compilation
directories), validated the same way. A cross-failure-read (two sites:
the store, and the recovery's load as a related location) comes from
`pmcheck crash --loads` on workloads/record BUG_FLAG_FIRST, and an
in-flight-read (a warning, the same two sites) from BUG_FLAG_UNDECLARED.

usage: test_sarif_schema.py --pmcheck PMCHECK --tools BUILD/tools
                            --test-reports TEST_REPORTS --schema SCHEMA
                            --fetch-schema SCRIPT --source-root DIR
                            --plugin PLUGIN --runtime LIBPMTRACE
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

SKIP = 77
ARGS = None

try:
    import jsonschema
except ImportError:  # python3-jsonschema is in scripts/install-deps
    jsonschema = None


def load_schema():
    if not os.path.exists(ARGS.schema):
        subprocess.run([ARGS.fetch_schema], check=False)
    if not os.path.exists(ARGS.schema):
        return None
    with open(ARGS.schema, encoding="utf-8") as f:
        return json.load(f)


def run(cmd, cwd, expect=None):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(
            f"{' '.join(cmd)}: exit {proc.returncode}, expected {expect}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


class Reports(unittest.TestCase):
    schema = None

    @classmethod
    def setUpClass(cls):
        cls.schema = load_schema()
        cls.tmp = tempfile.TemporaryDirectory(prefix="pmcheck-sarif-")
        cls.dir = cls.tmp.name
        run([ARGS.test_reports, "--sample", cls.dir], cls.dir, expect=0)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def validate_sarif(self, path):
        if jsonschema is None or self.schema is None:
            self.skipTest("no SARIF schema (offline?) or no python3-jsonschema")
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        cls = jsonschema.validators.validator_for(self.schema)
        validator = cls(self.schema, format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        self.assertEqual(
            [], [f"{list(e.path)}: {e.message}" for e in errors[:20]],
            f"{path} is not valid SARIF 2.1.0")
        return doc

    def check_html(self, path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        root = ET.fromstring(text)  # well-formed XML, or this raises
        self.assertEqual(root.tag, "html")
        self.assertNotRegex(text, r"(?i)https?:", "HTML refers outside")
        for el in root.iter():
            self.assertNotIn(el.tag, ("script", "link", "img", "iframe",
                                      "object", "embed"), path)
            self.assertNotIn("src", el.attrib, path)
            href = el.attrib.get("href")
            if href is not None:
                self.assertTrue(href.startswith("#"), href)
        self.assertIsNotNone(root.find("head/style"), "CSS is inline")
        return root

    def test_sample_sarif_is_valid(self):
        doc = self.validate_sarif(os.path.join(self.dir, "sample.sarif"))
        results = doc["runs"][0]["results"]
        self.assertEqual(4, len(results))
        self.assertIn("originalUriBaseIds", doc["runs"][0])

    def test_sample_html_is_self_contained(self):
        root = self.check_html(os.path.join(self.dir, "sample.html"))
        self.assertEqual(4, len(root.findall(".//section")))

    def test_sample_junit_is_well_formed(self):
        root = ET.parse(os.path.join(self.dir, "sample.xml")).getroot()
        self.assertEqual("testsuites", root.tag)
        self.assertEqual("4", root.get("failures"))

    def test_check_sarif_on_a_trace(self):
        """SARIF straight from `pmcheck check` on a builder-made trace."""
        d = self.dir
        db = os.path.join(d, "check.db")
        run([ARGS.pmcheck, "check", "--db", db, "--format", "sarif",
             "-o", "check.sarif", "sample.pmt"], d, expect=1)
        doc = self.validate_sarif(os.path.join(d, "check.sarif"))
        [result] = doc["runs"][0]["results"]
        self.assertEqual("unpersisted-store", result["ruleId"])
        loc = result["locations"][0]["physicalLocation"]
        self.assertEqual("list.c", loc["artifactLocation"]["uri"])
        self.assertEqual(5, loc["region"]["startLine"])
        self.assertEqual(16, loc["region"]["startColumn"])
        # The same run, reported again from the database, is the same.
        run([ARGS.pmcheck, "report", "--db", db, "--format", "sarif",
             "-o", "report.sarif"], d, expect=0)
        with open(os.path.join(d, "report.sarif"), encoding="utf-8") as f:
            self.assertEqual(doc, json.load(f))
        run([ARGS.pmcheck, "report", "--db", db, "--format", "html",
             "-o", "check.html"], d, expect=0)
        self.check_html(os.path.join(d, "check.html"))

    def test_check_sarif_with_baseline(self):
        d = self.dir
        db = os.path.join(d, "baseline.db")
        run([ARGS.pmcheck, "check", "--db", db, "sample.pmt"], d, expect=1)
        run([ARGS.pmcheck, "baseline", "--db", db, "-o", "base.json"], d,
            expect=0)
        run([ARGS.pmcheck, "check", "--db", db, "--baseline", "base.json",
             "--format", "sarif", "-o", "base.sarif", "sample.pmt"], d,
            expect=0)
        doc = self.validate_sarif(os.path.join(d, "base.sarif"))
        states = [r["baselineState"] for r in doc["runs"][0]["results"]]
        self.assertEqual(["unchanged"], states)

    def test_workload_sarif(self):
        """workloads/list with its node never flushed, built with pmcc."""
        if not (os.path.exists(ARGS.plugin) and os.path.exists(ARGS.runtime)):
            self.skipTest("the pass plugin or the runtime is not built")
        d = self.dir
        src = os.path.join(ARGS.source_root, "workloads", "list", "list.c")
        pmcc = os.path.join(ARGS.tools, "pmcc")
        run([pmcc, "-g", "-O1", "-DBUG_NODE_UNFLUSHED", src, "-o", "list",
             "-lpmem"], d, expect=0)
        run([ARGS.pmcheck, "run", "-o", "list.pmt", "--", "./list",
             os.path.join(d, "list.pool"), "insert", "20"], d, expect=0)
        run([ARGS.pmcheck, "check", "--db", "list.db", "--format", "sarif",
             "-o", "list.sarif", "list.pmt"], d, expect=1)
        doc = self.validate_sarif(os.path.join(d, "list.sarif"))
        with open(src, encoding="utf-8") as f:
            expected = {n for n, line in enumerate(f, 1) if re.search(
                r"expect(\(adr\))? BUG_NODE_UNFLUSHED: unpersisted-store",
                line)}
        found = {r["locations"][0]["physicalLocation"]["region"]["startLine"]
                 for r in doc["runs"][0]["results"]
                 if r["ruleId"] == "unpersisted-store"}
        self.assertEqual(expected, found)
        run([ARGS.pmcheck, "report", "--db", "list.db", "--format", "html",
             "-o", "list.html"], d, expect=0)
        self.check_html(os.path.join(d, "list.html"))

    def test_cross_failure_read_sarif(self):
        """workloads/record with its flag persisted before its data, under
        `pmcheck crash --loads`: a cross-failure-read has two sites, the
        store (its location) and the recovery's load, and the crash point,
        as related locations."""
        self.check_read_sarif("BUG_FLAG_FIRST", "cross-failure-read", "error")

    def test_in_flight_read_sarif(self):
        """workloads/record with its flag not declared a commit variable:
        its read in flight is an in-flight-read, a warning with the same
        two sites."""
        self.check_read_sarif("BUG_FLAG_UNDECLARED", "in-flight-read",
                              "warning")

    def check_read_sarif(self, bug, rule, level):
        if not (os.path.exists(ARGS.plugin) and os.path.exists(ARGS.runtime)):
            self.skipTest("the pass plugin or the runtime is not built")
        d = self.dir
        stem = f"record-{bug.lower()}"  # the class's directory is shared
        src = os.path.join(ARGS.source_root, "workloads", "record",
                           "record.c")
        pmcc = os.path.join(ARGS.tools, "pmcc")
        run([pmcc, "-g", "-O1", f"-D{bug}", src, "-o", stem, "-lpmem"], d,
            expect=0)
        run([ARGS.pmcheck, "run", "-o", f"{stem}.pmt", "--", f"./{stem}",
             os.path.join(d, f"{stem}.pool"), "put", "4"], d, expect=0)
        run([ARGS.pmcheck, "crash", f"{stem}.pmt", "--db", f"{stem}.db",
             "--quiet", "--loads", "--fail-on", "warning", "--recover",
             os.path.join(d, stem) + " {image} dump"], d, expect=1)
        run([ARGS.pmcheck, "report", "--db", f"{stem}.db", "--format",
             "sarif", "-o", f"{stem}.sarif"], d, expect=0)
        doc = self.validate_sarif(os.path.join(d, f"{stem}.sarif"))
        with open(src, encoding="utf-8") as f:
            lines = f.read().splitlines()
        store = 1 + next(i for i, t in enumerate(lines) if re.search(
            rf"expect {bug}: {rule}", t))
        load = 1 + next(i for i, t in enumerate(lines) if re.search(
            rf"xfail {bug}: load", t))
        [result] = doc["runs"][0]["results"]
        self.assertEqual(rule, result["ruleId"])
        self.assertEqual(level, result["level"])
        region = result["locations"][0]["physicalLocation"]["region"]
        self.assertEqual(store, region["startLine"])
        related = [r["physicalLocation"]["region"]["startLine"]
                   for r in result["relatedLocations"]]
        self.assertGreaterEqual(len(related), 2)
        self.assertEqual(load, related[0])

def main():
    global ARGS
    p = argparse.ArgumentParser()
    for opt in ("--pmcheck", "--tools", "--test-reports", "--schema",
                "--fetch-schema", "--source-root", "--plugin", "--runtime"):
        p.add_argument(opt, required=True)
    ARGS = p.parse_args()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Reports)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        return 1
    return SKIP if len(result.skipped) == result.testsRun else 0


if __name__ == "__main__":
    sys.exit(main())
