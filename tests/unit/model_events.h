/*
 * model_events.h - what the persistency-model tests share (test_model.c,
 * test_tx.c, test_crash_persist.c): a model writing into a findings set,
 * events fed to it in program order as a traced program would produce
 * them, and lookups of the findings it made.
 *
 * Every helper fails the running cmocka test on error, so a test reads as
 * the sequence of events it replays and the findings it expects.
 */
#ifndef MODEL_EVENTS_H
#define MODEL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "model.h"

/* A test's model: created by the test (model_open), since each test picks
 * its persistency; seq numbers the events as the runtime would. */
struct model_fx {
    struct pmc_findings *set;
    struct pmc_model *m;
    uint64_t seq;
};

/* cmocka setup and teardown for a test whose state is a struct model_fx. */
int model_fx_setup(void **state);
int model_fx_teardown(void **state);
/* The same for a fixture that holds a struct model_fx among other things. */
void model_fx_init(struct model_fx *f);
void model_fx_fini(struct model_fx *f);

/* Create f's model with options o, its findings going to f->set. */
void model_open(struct model_fx *f, const struct pmc_model_options *o);

/* Feed ev with the next seq; returns the seq it was given. */
uint64_t model_feed(struct model_fx *f, struct pmc_event ev);
/* An event with no range (fence, exit, durable, tx stages ...). */
uint64_t model_event(struct model_fx *f, uint32_t thread, enum pmt_kind kind,
                     uint32_t flags, uint32_t site);
/* An event over [addr, addr + len); data: the bytes written, or NULL. */
uint64_t model_range(struct model_fx *f, uint32_t thread, enum pmt_kind kind,
                     uint32_t flags, uint32_t site, uint64_t addr, uint64_t len,
                     const uint8_t *data);
/* Map region number `region` (path: a string id, 0 for none) on thread 1. */
void model_map(struct model_fx *f, uint32_t flags, uint32_t region,
               uint64_t addr, uint64_t len, uint32_t path);
/* Tell the model how the trace ended (end_kind: PMT_END_*). */
void model_end(struct model_fx *f, uint32_t end_kind);

/* How many findings of rule there are. */
size_t count_rule(const struct model_fx *f, enum pmc_rule rule);
/* The one finding of rule; fails unless there is exactly one. */
const struct pmc_finding *only_finding(const struct model_fx *f,
                                       enum pmc_rule rule);
/* Fails naming the first finding, if there is any. */
void assert_no_findings(const struct model_fx *f);
/* x's note of role; fails if it has none. */
const struct pmc_note *note_of(const struct pmc_finding *x,
                               enum pmc_note_role role);
bool has_note(const struct pmc_finding *x, enum pmc_note_role role);

#endif /* MODEL_EVENTS_H */
