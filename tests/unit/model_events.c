/*
 * model_events.c - the model tests' fixture, event feeding and finding
 * lookups (see model_events.h).
 */
#include "model_events.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "rules.h"

void model_fx_init(struct model_fx *f)
{
    memset(f, 0, sizeof(*f));
    f->set = pmc_findings_new();
    assert_non_null(f->set);
    f->seq = 1;
}

void model_fx_fini(struct model_fx *f)
{
    pmc_model_free(f->m);
    pmc_findings_free(f->set);
}

int model_fx_setup(void **state)
{
    static struct model_fx f;
    model_fx_init(&f);
    *state = &f;
    return 0;
}

int model_fx_teardown(void **state)
{
    model_fx_fini(*state);
    return 0;
}

void model_open(struct model_fx *f, const struct pmc_model_options *o)
{
    struct pmc_error err;
    assert_int_equal(pmc_model_new(o, f->set, &f->m, &err), 0);
}

uint64_t model_feed(struct model_fx *f, struct pmc_event ev)
{
    struct pmc_error err = {{0}};
    ev.seq = f->seq++;
    if (pmc_model_event(f->m, &ev, &err) != 0)
        fail_msg("pmc_model_event: %s", err.msg);
    return ev.seq;
}

uint64_t model_event(struct model_fx *f, uint32_t thread, enum pmt_kind kind,
                     uint32_t flags, uint32_t site)
{
    return model_feed(f, (struct pmc_event){
                             .kind = kind,
                             .flags = flags,
                             .thread = thread,
                             .site = site,
                         });
}

uint64_t model_range(struct model_fx *f, uint32_t thread, enum pmt_kind kind,
                     uint32_t flags, uint32_t site, uint64_t addr, uint64_t len,
                     const uint8_t *data)
{
    return model_feed(f, (struct pmc_event){
                             .kind = kind,
                             .flags = flags,
                             .thread = thread,
                             .site = site,
                             .addr = addr,
                             .len = len,
                             .data = data,
                         });
}

void model_map(struct model_fx *f, uint32_t flags, uint32_t region,
               uint64_t addr, uint64_t len, uint32_t path)
{
    model_feed(f, (struct pmc_event){
                      .kind = PMT_REGION_MAP,
                      .flags = flags,
                      .thread = 1,
                      .addr = addr,
                      .len = len,
                      .id = region,
                      .str = path,
                  });
}

void model_end(struct model_fx *f, uint32_t end_kind)
{
    struct pmc_trace_info info = {.end_kind = end_kind};
    struct pmc_error err;
    assert_int_equal(pmc_model_end(f->m, &info, &err), 0);
}

size_t count_rule(const struct model_fx *f, enum pmc_rule rule)
{
    size_t n = 0;
    for (size_t i = 0; i < pmc_findings_count(f->set); i++)
        n += pmc_findings_get(f->set, i)->rule == rule;
    return n;
}

const struct pmc_finding *only_finding(const struct model_fx *f,
                                       enum pmc_rule rule)
{
    const struct pmc_finding *found = NULL;
    for (size_t i = 0; i < pmc_findings_count(f->set); i++) {
        const struct pmc_finding *x = pmc_findings_get(f->set, i);
        if (x->rule != rule)
            continue;
        if (found != NULL)
            fail_msg("more than one %s finding", pmc_rule_info(rule)->id);
        found = x;
    }
    if (found == NULL)
        fail_msg("no %s finding", pmc_rule_info(rule)->id);
    return found;
}

void assert_no_findings(const struct model_fx *f)
{
    if (pmc_findings_count(f->set) != 0) {
        const struct pmc_finding *x = pmc_findings_get(f->set, 0);
        fail_msg("unexpected finding %s at site %u: %s",
                 pmc_rule_info(x->rule)->id, x->site, x->message);
    }
}

const struct pmc_note *note_of(const struct pmc_finding *x,
                               enum pmc_note_role role)
{
    for (uint32_t i = 0; i < x->nnotes; i++) {
        if (x->notes[i].role == role)
            return &x->notes[i];
    }
    fail_msg("finding at site %u has no note of role %d", x->site, role);
    return NULL;
}

bool has_note(const struct pmc_finding *x, enum pmc_note_role role)
{
    for (uint32_t i = 0; i < x->nnotes; i++) {
        if (x->notes[i].role == role)
            return true;
    }
    return false;
}
