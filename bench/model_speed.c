/*
 * model_speed.c - events per second of the persistency model
 * (checker/model.h), on synthetic streams of store/flush/fence events.
 *
 *     model_speed [EVENTS]      (default 4000000 per stream)
 *
 * Streams, each replayed from a fresh model:
 *   persist   4 stores to lines spread over a 64 MiB pool, 4 clwb, sfence:
 *             the shape of a program that persists as it goes
 *   backlog   the same, but only every 1024th group is fenced: thousands
 *             of flushed stores wait, a large live table
 *   eadr      the persist stream under --model eadr
 *   history   the persist stream with history on (assert-ordered)
 * Events are generated in chunks outside the timed region, so the figure is
 * the model's alone (not the trace reader's).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "finding.h"
#include "model.h"

#define POOL 0x10000000ull
#define POOL_LEN (64ull << 20)
#define CHUNK 65536u

static const uint8_t payload[64];

struct stream {
    const char *name;
    enum pmc_persistency persistency;
    bool history;
    unsigned groups_per_fence; /* groups of 4 stores + 4 flushes */
};

struct generator {
    uint64_t seq;
    uint64_t rng;
    unsigned group;  /* position in the 9-event group */
    unsigned groups; /* groups since the last fence */
    uint64_t lines[4];
};

static uint64_t next_random(uint64_t *state)
{
    /* xorshift64: cheap and good enough to spread lines. */
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static struct pmc_event next_event(struct generator *g, const struct stream *s)
{
    struct pmc_event ev = {.thread = 1, .seq = g->seq++};
    unsigned step = g->group++;
    if (step < 4) {
        g->lines[step] = POOL + (next_random(&g->rng) % (POOL_LEN / 64)) * 64;
        ev.kind = PMT_STORE;
        ev.site = 1 + step;
        ev.addr = g->lines[step] + 8 * step;
        ev.len = 8;
        ev.data = payload;
        return ev;
    }
    if (step < 8) {
        ev.kind = PMT_FLUSH;
        ev.flags = PMT_FLUSH_CLWB;
        ev.site = 5 + (step - 4);
        ev.addr = g->lines[step - 4];
        ev.len = 64;
        return ev;
    }
    g->group = 0;
    if (++g->groups < s->groups_per_fence)
        return next_event(g, s);
    g->groups = 0;
    ev.kind = PMT_FENCE;
    ev.flags = PMT_FENCE_SFENCE;
    ev.site = 9;
    return ev;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run_stream(const struct stream *s, uint64_t events)
{
    struct pmc_findings *set = pmc_findings_new();
    struct pmc_model_options o = {.persistency = s->persistency,
                                  .history = s->history};
    struct pmc_model *m;
    struct pmc_error err;
    static struct pmc_event chunk[CHUNK];
    if (set == NULL || pmc_model_new(&o, set, &m, &err) != 0) {
        fprintf(stderr, "model_speed: out of memory\n");
        return -1;
    }
    struct generator g = {.seq = 1, .rng = 0x9e3779b97f4a7c15ull};
    struct pmc_event map = {.kind = PMT_REGION_MAP,
                            .seq = g.seq++,
                            .addr = POOL,
                            .len = POOL_LEN,
                            .id = 1};
    pmc_model_event(m, &map, &err);
    double spent = 0;
    for (uint64_t done = 0; done < events;) {
        unsigned n = events - done < CHUNK ? (unsigned)(events - done) : CHUNK;
        for (unsigned i = 0; i < n; i++)
            chunk[i] = next_event(&g, s);
        double t0 = now();
        for (unsigned i = 0; i < n; i++) {
            if (pmc_model_event(m, &chunk[i], &err) != 0) {
                fprintf(stderr, "model_speed: %s\n", err.msg);
                return -1;
            }
        }
        spent += now() - t0;
        done += n;
    }
    struct pmc_model_stats st;
    pmc_model_stats(m, &st);
    printf("%-8s %10" PRIu64 " events %7.3f s %8.2f M events/s  peak live "
           "stores %" PRIu64 ", findings %zu\n",
           s->name, events, spent, (double)events / spent / 1e6,
           st.peak_live_stores, pmc_findings_count(set));
    pmc_model_free(m);
    pmc_findings_free(set);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 10) : 4000000;
    static const struct stream streams[] = {
        {"persist", PMC_PERSIST_ADR, false, 1},
        {"backlog", PMC_PERSIST_ADR, false, 1024},
        {"eadr", PMC_PERSIST_EADR, false, 1},
        {"history", PMC_PERSIST_ADR, true, 1},
    };
    for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
        if (run_stream(&streams[i], events) != 0)
            return 1;
    }
    return 0;
}
