#!/usr/bin/python3
"""Mutated copies of PMDK's examples: each bug must be caught with the
right rule at the right line (suite 'pmdk').

Each mutation copies the examples, changes one source the way a programmer
could get it wrong, builds the program with pmcc, runs it as the corpus
does and checks the traces. The site is found by its text in the installed
source, so the expected line is computed from the mutated source, and a
mutation whose text is not found fails (the examples changed) rather than
passing vacuously. The unmutated programs give no error finding
(test_examples.py), so every error here is the mutation's doing:

- persist deleted: data_store's store_item_construct loses its
  pmemobj_persist; the constructor's store of item_data is never made
  persistent (hashmap_atomic and hashmap_rp allocate items with it).
- TX_ADD deleted: hashmap_tx's insert no longer adds the count it then
  increments; the increment is a tx-unlogged-store (mapcli: one
  transaction per insert, so the hashmap is not new in it).
- publication moved before its initialisation: obj_pmemlog_simple's append
  moves the write offset forward before it adds the log header to the
  transaction and before it copies the data; a crash before the commit
  would roll back to a snapshot that already holds the new offset, over
  data never written: tx-unlogged-store at the moved line.

Every error finding must be at the mutated line, and the expected rule
among them.

usage: test_mutations.py --build DIR --source DIR [--examples DIR]
                         [-k NAME]...
"""
import argparse
import os
import shutil
import sys
import tempfile
import unittest

import corpus

SKIP = 77
ARGS = None


class Mutation:
    """Edit one source of a copy: find `anchor` (the first line containing
    it), then apply `edit` to the list of lines at that index; edit returns
    the new lines and the index of the line the bug must be reported at."""

    def __init__(self, rel, anchor, edit):
        self.rel, self.anchor, self.edit = rel, anchor, edit

    def apply(self, path):
        """Mutate the file; the line number the bug must be reported at."""
        with open(path) as f:
            lines = f.read().split("\n")
        at = [i for i, text in enumerate(lines) if self.anchor in text]
        if not at:
            raise AssertionError(f"{self.rel}: no line holds {self.anchor!r}")
        lines, target = self.edit(lines, at[0])
        os.chmod(path, 0o644)
        with open(path, "w") as f:
            f.write("\n".join(lines))
        return target + 1


def delete_line_before(target_text):
    """Delete the anchor's line; the bug is at the last line before it that
    holds target_text."""
    def edit(lines, i):
        target = max(k for k in range(i) if target_text in lines[k])
        return lines[:i] + lines[i + 1:], target
    return edit


def delete_line_after(target_text):
    """Delete the anchor's line; the bug is at the first line after it that
    holds target_text."""
    def edit(lines, i):
        target = next(k for k in range(i + 1, len(lines))
                      if target_text in lines[k])
        return lines[:i] + lines[i + 1:], target - 1
    return edit


def move_line_after(anchor_text):
    """Move the anchor's line to just after the last line before it that
    holds anchor_text; the bug is at the moved line."""
    def edit(lines, i):
        to = max(k for k in range(i) if anchor_text in lines[k])
        moved = lines[i]
        rest = lines[:i] + lines[i + 1:]
        return rest[:to + 1] + [moved] + rest[to + 1:], to + 1
    return edit


class Mutations(unittest.TestCase):
    work = None

    @classmethod
    def setUpClass(cls):
        cls.tools = corpus.e2e.Tools(ARGS.build, ARGS.source)
        cls.work = tempfile.mkdtemp(
            prefix="pmcheck-mutations-",
            dir="/dev/shm" if os.path.isdir("/dev/shm") else None)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def caught(self, name, mutation, runs, rule):
        c = corpus.Corpus(self.tools, os.path.join(self.work, name),
                          ARGS.examples)
        line = mutation.apply(c.path(mutation.rel))
        wanted = [r for r in corpus.runs() if r.name in runs]
        self.assertEqual(len(wanted), len(runs), runs)
        for run in wanted:
            binaries = {p: c.build(p) for p in c.programs(run)}
            errors = set()
            for trace in c.execute(run, binaries):
                errors |= {(rule_, file, ln) for sev, rule_, file, ln, _, _
                           in c.check(trace) if sev == "error"}
            self.assertIn((rule, mutation.rel, line), errors,
                          f"{run.name}: {rule} at {mutation.rel}:{line}")
            stray = {e for e in errors if e[1:] != (mutation.rel, line)}
            self.assertEqual(set(), stray,
                             f"{run.name}: errors away from the mutation")

    def test_persist_deleted(self):
        m = Mutation("map/data_store.c",
                     "pmemobj_persist(pop, item, sizeof(*item));",
                     delete_line_before("item->item_data = rand();"))
        self.caught("persist", m,
                    ["data_store-hashmap_atomic", "data_store-hashmap_rp"],
                    "unpersisted-store")

    def test_tx_add_deleted(self):
        m = Mutation("hashmap/hashmap_tx.c", "TX_ADD_FIELD(hashmap, count);",
                     delete_line_after("D_RW(hashmap)->count++;"))
        self.caught("tx_add", m, ["mapcli-hashmap_tx"], "tx-unlogged-store")

    def test_publication_before_initialisation(self):
        m = Mutation("pmemlog/obj_pmemlog_simple.c",
                     "D_RW(logp)->hdr.write_offset += count;",
                     move_line_after("char *dst = D_RW(logp)->data"))
        self.caught("publish", m, ["obj_pmemlog_simple"],
                    "tx-unlogged-store")


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--examples", default=corpus.EXAMPLES)
    p.add_argument("-k", dest="pattern", action="append")
    ARGS = p.parse_args()
    if not os.path.isdir(ARGS.examples):
        print(f"skipped: {ARGS.examples} is not installed")
        return SKIP
    loader = unittest.defaultTestLoader
    if ARGS.pattern:
        loader.testNamePatterns = [f"*{k}*" for k in ARGS.pattern]
    suite = loader.loadTestsFromTestCase(Mutations)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
