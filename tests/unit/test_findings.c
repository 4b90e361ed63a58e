/*
 * test_findings.c - the rule table (checker/rules.h) and the finding set
 * that merges repeats (checker/finding.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "finding.h"
#include "rules.h"

static void test_every_rule_is_described(void **state)
{
    (void)state;
    for (unsigned r = 0; r < PMC_RULE_COUNT; r++) {
        const struct pmc_rule_info *info = pmc_rule_info((enum pmc_rule)r);
        assert_non_null(info);
        assert_int_equal(info->rule, r);
        assert_true(strlen(info->id) > 0);
        assert_true(strlen(info->description) > 0);
        assert_true(strlen(info->help) > strlen(info->description));
        assert_true(info->severity == PMC_SEV_ERROR ||
                    info->severity == PMC_SEV_WARNING);
        assert_ptr_equal(pmc_rule_by_id(info->id), info);
    }
    assert_null(pmc_rule_info(PMC_RULE_COUNT));
}

static void test_rule_ids_are_stable(void **state)
{
    (void)state;
    /* DESIGN.md section 2: ids and severities are a promise to users. */
    static const struct {
        enum pmc_rule rule;
        const char *id;
        enum pmc_severity sev;
    } promised[] = {
        {PMC_RULE_UNPERSISTED_STORE, "unpersisted-store", PMC_SEV_ERROR},
        {PMC_RULE_MISSING_FENCE, "missing-fence", PMC_SEV_ERROR},
        {PMC_RULE_ASSERT_PERSISTED, "assert-persisted", PMC_SEV_ERROR},
        {PMC_RULE_ASSERT_ORDERED, "assert-ordered", PMC_SEV_ERROR},
        {PMC_RULE_TX_UNLOGGED_STORE, "tx-unlogged-store", PMC_SEV_ERROR},
        {PMC_RULE_CRASH_RECOVERY_FAILED, "crash-recovery-failed",
         PMC_SEV_ERROR},
        {PMC_RULE_CROSS_FAILURE_READ, "cross-failure-read", PMC_SEV_ERROR},
        {PMC_RULE_REDUNDANT_FLUSH, "redundant-flush", PMC_SEV_WARNING},
        {PMC_RULE_REDUNDANT_FENCE, "redundant-fence", PMC_SEV_WARNING},
        {PMC_RULE_TX_REDUNDANT_ADD, "tx-redundant-add", PMC_SEV_WARNING},
        {PMC_RULE_FLUSH_NON_PMEM, "flush-non-pmem", PMC_SEV_WARNING},
        {PMC_RULE_IN_FLIGHT_READ, "in-flight-read", PMC_SEV_WARNING},
    };
    for (size_t i = 0; i < sizeof(promised) / sizeof(promised[0]); i++) {
        const struct pmc_rule_info *info = pmc_rule_info(promised[i].rule);
        assert_string_equal(info->id, promised[i].id);
        assert_int_equal(info->severity, promised[i].sev);
    }
}

static void test_unknown_rule_id(void **state)
{
    (void)state;
    assert_null(pmc_rule_by_id("no-such-rule"));
    assert_null(pmc_rule_by_id(""));
    assert_null(pmc_rule_by_id("Missing-Fence"));
    assert_null(pmc_rule_by_id(NULL));
}

static void test_severity_names(void **state)
{
    (void)state;
    assert_string_equal(pmc_severity_name(PMC_SEV_ERROR), "error");
    assert_string_equal(pmc_severity_name(PMC_SEV_WARNING), "warning");
    assert_int_equal(pmc_severity_parse("error"), PMC_SEV_ERROR);
    assert_int_equal(pmc_severity_parse("warning"), PMC_SEV_WARNING);
    assert_int_equal(pmc_severity_parse("never"), 0);
    assert_int_equal(pmc_severity_parse("Error"), 0);
    assert_int_equal(pmc_severity_parse(NULL), 0);
}

static void test_finding_init_and_notes(void **state)
{
    (void)state;
    struct pmc_finding f;
    memset(&f, 0x5a, sizeof(f));
    pmc_finding_init(&f, PMC_RULE_MISSING_FENCE, 7, 99);
    assert_int_equal(f.rule, PMC_RULE_MISSING_FENCE);
    assert_int_equal(f.site, 7);
    assert_int_equal(f.first_seq, 99);
    assert_int_equal(f.count, 1);
    assert_int_equal(f.nnotes, 0);
    assert_string_equal(f.message, "");
    for (unsigned i = 0; i < PMC_MAX_NOTES + 2; i++)
        pmc_finding_note(&f, PMC_NOTE_FLUSH, 10 + i, "note %u", i);
    assert_int_equal(f.nnotes, PMC_MAX_NOTES);
    assert_int_equal(f.notes[0].site, 10);
    assert_string_equal(f.notes[0].message, "note 0");
    assert_int_equal(f.notes[PMC_MAX_NOTES - 1].site, 10 + PMC_MAX_NOTES - 1);

    char long_text[400];
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    pmc_finding_init(&f, PMC_RULE_MISSING_FENCE, 7, 99);
    pmc_finding_note(&f, PMC_NOTE_STORE, 1, "%s", long_text);
    assert_int_equal(strlen(f.notes[0].message),
                     sizeof(f.notes[0].message) - 1);
}

static void add(struct pmc_findings *set, enum pmc_rule rule, uint32_t site,
                uint64_t seq, const char *msg)
{
    struct pmc_finding f;
    pmc_finding_init(&f, rule, site, seq);
    snprintf(f.message, sizeof(f.message), "%s", msg);
    pmc_finding_note(&f, PMC_NOTE_DURABILITY, 0, "%s", msg);
    assert_int_equal(pmc_findings_add(set, &f), 0);
}

static void test_same_rule_and_site_merge(void **state)
{
    (void)state;
    struct pmc_findings *set = pmc_findings_new();
    add(set, PMC_RULE_UNPERSISTED_STORE, 5, 10, "first");
    add(set, PMC_RULE_UNPERSISTED_STORE, 6, 11, "other site");
    add(set, PMC_RULE_MISSING_FENCE, 5, 12, "other rule");
    add(set, PMC_RULE_UNPERSISTED_STORE, 5, 13, "repeat");
    add(set, PMC_RULE_UNPERSISTED_STORE, 5, 14, "repeat");
    assert_int_equal(pmc_findings_count(set), 3);
    const struct pmc_finding *f = pmc_findings_get(set, 0);
    assert_int_equal(f->count, 3);
    assert_int_equal(f->first_seq, 10);
    assert_string_equal(f->message, "first");
    assert_string_equal(f->notes[0].message, "first");
    assert_int_equal(pmc_findings_get(set, 1)->site, 6);
    assert_int_equal(pmc_findings_get(set, 1)->count, 1);
    assert_int_equal(pmc_findings_get(set, 2)->rule, PMC_RULE_MISSING_FENCE);
    assert_null(pmc_findings_get(set, 3));
    pmc_findings_free(set);
}

static void test_merge_adds_counts(void **state)
{
    (void)state;
    struct pmc_findings *set = pmc_findings_new();
    struct pmc_finding f;
    pmc_finding_init(&f, PMC_RULE_REDUNDANT_FENCE, 3, 1);
    f.count = 40; /* a finding merged elsewhere (another trace) */
    assert_int_equal(pmc_findings_add(set, &f), 0);
    f.count = 2;
    assert_int_equal(pmc_findings_add(set, &f), 0);
    f.count = 0; /* taken as one occurrence */
    assert_int_equal(pmc_findings_add(set, &f), 0);
    assert_int_equal(pmc_findings_count(set), 1);
    assert_int_equal(pmc_findings_get(set, 0)->count, 43);
    pmc_findings_free(set);
}

static void test_many_sites_keep_their_order(void **state)
{
    (void)state;
    struct pmc_findings *set = pmc_findings_new();
    const uint32_t n = 20000;
    for (int round = 0; round < 2; round++) {
        for (uint32_t s = 0; s < n; s++)
            add(set, (enum pmc_rule)(s % PMC_RULE_COUNT), s, s, "x");
    }
    assert_int_equal(pmc_findings_count(set), n);
    for (uint32_t s = 0; s < n; s++) {
        const struct pmc_finding *f = pmc_findings_get(set, s);
        assert_int_equal(f->site, s);
        assert_int_equal(f->rule, s % PMC_RULE_COUNT);
        assert_int_equal(f->count, 2);
    }
    pmc_findings_free(set);
}

static void test_clear_forgets(void **state)
{
    (void)state;
    struct pmc_findings *set = pmc_findings_new();
    add(set, PMC_RULE_UNPERSISTED_STORE, 5, 10, "before");
    pmc_findings_clear(set);
    assert_int_equal(pmc_findings_count(set), 0);
    add(set, PMC_RULE_UNPERSISTED_STORE, 5, 20, "after");
    assert_int_equal(pmc_findings_count(set), 1);
    assert_int_equal(pmc_findings_get(set, 0)->count, 1);
    assert_string_equal(pmc_findings_get(set, 0)->message, "after");
    pmc_findings_free(set);
    pmc_findings_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_is_described),
        cmocka_unit_test(test_rule_ids_are_stable),
        cmocka_unit_test(test_unknown_rule_id),
        cmocka_unit_test(test_severity_names),
        cmocka_unit_test(test_finding_init_and_notes),
        cmocka_unit_test(test_same_rule_and_site_merge),
        cmocka_unit_test(test_merge_adds_counts),
        cmocka_unit_test(test_many_sites_keep_their_order),
        cmocka_unit_test(test_clear_forgets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
