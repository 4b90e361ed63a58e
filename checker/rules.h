/*
 * rules.h - the rules pmcheck checks: stable ids, severities, and the words
 * reports use for them. DESIGN.md section 2 is the list; an id never changes
 * meaning once released, and new rules are added at the end.
 */
#ifndef PMC_RULES_H
#define PMC_RULES_H

enum pmc_severity {
    PMC_SEV_WARNING = 1, /* wasted work or a likely mistake */
    PMC_SEV_ERROR = 2,   /* data can be lost or corrupted */
};

/*
 * X(enum suffix, id, severity, short description, help)
 * The short description is the message of a finding; the help text says
 * what the rule means and how to fix what it reports (SARIF fullDescription,
 * HTML report).
 */
#define PMC_RULES(X)                                                           \
    X(UNPERSISTED_STORE, "unpersisted-store", PMC_SEV_ERROR,                   \
      "store to pmem is never made persistent",                                \
      "A store to persistent memory was not flushed (clwb, clflushopt, "       \
      "clflush or pmem_persist) before a durability point (program exit, "     \
      "unmap or pool close, PMT_DURABLE()). After a power failure its data "   \
      "may be lost. Flush the stored range and fence after the store.")        \
    X(MISSING_FENCE, "missing-fence", PMC_SEV_ERROR,                           \
      "store to pmem is flushed but never fenced",                             \
      "The store was written back with clwb or clflushopt, or was a "          \
      "non-temporal store, but no sfence, mfence or locked instruction "       \
      "ordered it before the durability point, so it may still be in "         \
      "flight when power fails. Add _mm_sfence() or pmem_drain() after the "   \
      "flush.")                                                                \
    X(ASSERT_PERSISTED, "assert-persisted", PMC_SEV_ERROR,                     \
      "range asserted persistent is not",                                      \
      "A PMT_ASSERT_PERSISTED(addr, len) annotation did not hold: some byte "  \
      "of the range has a store that is not guaranteed persistent there.")     \
    X(ASSERT_ORDERED, "assert-ordered", PMC_SEV_ERROR,                         \
      "range may persist after a range asserted to follow it",                 \
      "A PMT_ASSERT_ORDERED(a, alen, b, blen) annotation did not hold: a "     \
      "crash can leave range b's latest store persistent while range a's is "  \
      "not. Persist a (flush and fence) before storing to b.")                 \
    X(TX_UNLOGGED_STORE, "tx-unlogged-store", PMC_SEV_ERROR,                   \
      "store inside a transaction to pmem not added to it",                    \
      "Inside a PMDK transaction the program stored to persistent memory "     \
      "that was neither added to the transaction (TX_ADD, "                    \
      "pmemobj_tx_add_range) nor allocated in it. An abort or a crash "        \
      "cannot roll the store back. A store the program flushes itself "        \
      "inside the transaction is taken as a deliberate write around the "      \
      "undo log and not reported.")                                            \
    X(CRASH_RECOVERY_FAILED, "crash-recovery-failed", PMC_SEV_ERROR,           \
      "recovery failed on a reachable crash state",                            \
      "The recovery command exited with an error, was killed by a signal "     \
      "or hung on a state of persistent memory that a power failure at the "   \
      "crash point can leave.")                                                \
    X(CROSS_FAILURE_READ, "cross-failure-read", PMC_SEV_ERROR,                 \
      "recovery read data that may never have persisted",                      \
      "After a crash, the recovery read bytes whose last store before the "    \
      "crash was not guaranteed persistent, before writing them itself.")      \
    X(REDUNDANT_FLUSH, "redundant-flush", PMC_SEV_WARNING,                     \
      "flush of a line with nothing to write back",                            \
      "The flushed cache lines hold no store that is not already flushed "     \
      "(or, under eADR, no flush is needed at all). The flush costs time "     \
      "and does nothing.")                                                     \
    X(REDUNDANT_FENCE, "redundant-fence", PMC_SEV_WARNING,                     \
      "fence with no flush or non-temporal store to order",                    \
      "No flush or non-temporal store was issued by this thread since its "    \
      "previous fence, so this fence orders nothing for persistence.")         \
    X(TX_REDUNDANT_ADD, "tx-redundant-add", PMC_SEV_WARNING,                   \
      "range added to a transaction twice",                                    \
      "The range was already added to (or allocated in) the same "             \
      "transaction; adding it again copies it to the undo log for nothing.")   \
    X(FLUSH_NON_PMEM, "flush-non-pmem", PMC_SEV_WARNING,                       \
      "flush of an address outside every pmem region",                         \
      "The flushed address is not in any persistent memory region pmcheck "    \
      "knows of. Either the flush is useless, or the memory is pmem that "     \
      "pmcheck was not told of (pmcheck run --pmem PATH, "                     \
      "pmtrace_register()).")                                                  \
    X(IN_FLIGHT_READ, "in-flight-read", PMC_SEV_WARNING,                       \
      "recovery read a value whose persist was in flight at the crash",        \
      "After a crash, the recovery read bytes whose last store before the "    \
      "crash was not guaranteed persistent, at a crash point where every "     \
      "such store is a word in one cache line, newer than everything "         \
      "persistent: the read sees the old or the new value, as after a crash "  \
      "between two instructions. Fine when the recovery validates it "         \
      "(declare it with PMT_COMMIT_VAR); a bug when something persisted "      \
      "earlier vouches for it.")

enum pmc_rule {
#define PMC_RULE_ENUM(name, id, sev, desc, help) PMC_RULE_##name,
    PMC_RULES(PMC_RULE_ENUM)
#undef PMC_RULE_ENUM
        PMC_RULE_COUNT
};

struct pmc_rule_info {
    enum pmc_rule rule;
    const char *id;
    enum pmc_severity severity;
    const char *description;
    const char *help;
};

/* The rule's description; rule must be < PMC_RULE_COUNT. */
const struct pmc_rule_info *pmc_rule_info(enum pmc_rule rule);

/* Look a rule up by its id ("missing-fence"); NULL if there is none. */
const struct pmc_rule_info *pmc_rule_by_id(const char *id);

/* "error" or "warning"; pmc_severity_parse returns 0 for anything else. */
const char *pmc_severity_name(enum pmc_severity sev);
enum pmc_severity pmc_severity_parse(const char *name);

#endif /* PMC_RULES_H */
