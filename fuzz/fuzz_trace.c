/*
 * fuzz_trace.c - the trace reader and `pmcheck check`'s replay on any
 * input (trace_image.h says how an input becomes a trace file).
 *
 * The promises checked, beyond "no crash, no leak, no undefined
 * behaviour" (checker/trace.h, check.h):
 * - records come in strictly increasing sequence order;
 * - damage is an error that names the trace and a byte offset inside it,
 *   and it is sticky: every later call returns the same error;
 * - rewinding reads the same records and ends the same way;
 * - every site and string a record uses resolves to NUL-terminated text;
 * - the check stops exactly where the reader does, and says why.
 * The check runs on traces of a bounded pmem footprint (footprint.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "footprint.h"
#include "fuzz.h"
#include "trace.h"
#include "trace_image.h"

/* One read of the whole trace, summed up. */
struct pass {
    uint64_t records;
    uint64_t last_seq;
    uint64_t digest; /* of every seq and data byte, in order */
    int rc;          /* of the last pmc_trace_next */
    struct pmc_error err;
};

/* Write the image with holes where it is zero, as the runtime's files
 * are: most of a block is zero, and a hole costs the file system nothing. */
static int write_sparse(int fd, const uint8_t *image, size_t len)
{
    static const uint8_t zero[4096];
    if (ftruncate(fd, (off_t)len) != 0)
        return -1;
    for (size_t at = 0; at < len; at += sizeof(zero)) {
        size_t n = len - at < sizeof(zero) ? len - at : sizeof(zero);
        if (memcmp(image + at, zero, n) != 0 &&
            pwrite(fd, image + at, n, (off_t)at) != (ssize_t)n)
            return -1;
    }
    return 0;
}

/* The input as a file the reader can open by name. */
static int input_file(const uint8_t *data, size_t size, char *path,
                      size_t path_size)
{
    size_t len;
    uint8_t *image = trace_image(data, size, &len);
    if (image == NULL)
        return -1;
    int fd = memfd_create("fuzz-trace", MFD_CLOEXEC);
    if (fd >= 0 && write_sparse(fd, image, len) != 0) {
        close(fd);
        fd = -1;
    }
    free(image);
    if (fd >= 0)
        snprintf(path, path_size, "/proc/self/fd/%d", fd);
    return fd;
}

static void touch_text(const char *s)
{
    FUZZ_ASSERT(s != NULL, "a site string is NULL");
    (void)strlen(s);
}

/* What a checker does with an event's references. */
static uint64_t touch_event(const struct pmc_trace *t,
                            const struct pmc_event *ev)
{
    uint64_t digest = ev->seq;
    const struct pmc_site *site = pmc_trace_site(t, ev->site);
    if (site != NULL) {
        touch_text(site->file);
        touch_text(site->dir);
        touch_text(site->function);
    }
    if (ev->kind == PMT_STRING)
        digest += strlen((const char *)ev->data);
    else if (ev->data != NULL && ev->kind != PMT_STORE_FILL)
        for (uint64_t i = 0; i < ev->len; i++)
            digest = digest * 31 + ev->data[i];
    if (ev->kind == PMT_REGION_MAP || ev->kind == PMT_MARKER) {
        const char *s =
            pmc_trace_string(t, ev->kind == PMT_MARKER ? ev->id : ev->str);
        if (s != NULL)
            touch_text(s);
    }
    return digest;
}

static void check_damage(const struct pmc_trace *t, const struct pass *p)
{
    const struct pmc_trace_info *info = pmc_trace_info(t);
    const char *path = pmc_trace_path(t);
    FUZZ_ASSERT(strncmp(p->err.msg, path, strlen(path)) == 0,
                "damage does not name the trace: %s", p->err.msg);
    const char *at = strstr(p->err.msg, ": byte ");
    FUZZ_ASSERT(at != NULL, "damage without a byte offset: %s", p->err.msg);
    uint64_t off = strtoull(at + 7, NULL, 10);
    FUZZ_ASSERT(off <= info->file_size,
                "damage at byte %" PRIu64 " of a %" PRIu64 "-byte file: %s",
                off, info->file_size, p->err.msg);
}

static void read_all(struct pmc_trace *t, struct pass *p)
{
    struct pmc_event ev;
    memset(p, 0, sizeof(*p));
    while ((p->rc = pmc_trace_next(t, &ev, &p->err)) > 0) {
        FUZZ_ASSERT(p->records == 0 || ev.seq > p->last_seq,
                    "seq %" PRIu64 " after %" PRIu64, ev.seq, p->last_seq);
        p->records++;
        p->last_seq = ev.seq;
        p->digest = p->digest * 1000003u + touch_event(t, &ev);
    }
    FUZZ_ASSERT(p->rc == 0 || p->rc == -1, "pmc_trace_next returned %d", p->rc);
    if (p->rc < 0) {
        check_damage(t, p);
        struct pmc_error again;
        FUZZ_ASSERT(pmc_trace_next(t, &ev, &again) == -1 &&
                        strcmp(again.msg, p->err.msg) == 0,
                    "damage is not sticky: %s", p->err.msg);
    }
}

static void same_pass(const struct pass *a, const struct pass *b)
{
    FUZZ_ASSERT(a->records == b->records && a->digest == b->digest &&
                    a->rc == b->rc,
                "a rewound read differs: %" PRIu64 " then %" PRIu64 " records",
                a->records, b->records);
    FUZZ_ASSERT(a->rc == 0 || strcmp(a->err.msg, b->err.msg) == 0,
                "a rewound read ends otherwise: '%s' then '%s'", a->err.msg,
                b->err.msg);
}

/* The check replays what the reader yields: it fails exactly on damage
 * (or on a limit of the model, which it must explain). */
static void check_replay(struct pmc_trace *t, const struct pass *read,
                         enum pmc_persistency model)
{
    struct pmc_findings *set = pmc_findings_new();
    FUZZ_ASSERT(set != NULL, "out of memory");
    struct pmc_check_options opts = {.persistency = model};
    struct pmc_check_stats stats;
    struct pmc_error err;
    int rc = pmc_check_trace(t, &opts, set, &stats, &err);
    if (read->rc < 0)
        FUZZ_ASSERT(rc < 0 && stats.damaged, "the check missed the damage");
    if (rc < 0)
        FUZZ_ASSERT(err.msg[0] != '\0', "the check failed without a word");
    for (size_t i = 0; i < pmc_findings_count(set); i++)
        FUZZ_ASSERT(pmc_findings_get(set, i)->rule < PMC_RULE_COUNT,
                    "a finding of no rule");
    pmc_findings_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = input_file(data, size, path, sizeof(path));
    FUZZ_ASSERT(fd >= 0, "cannot make the trace file: %s", strerror(errno));
    struct pmc_trace *t;
    struct pmc_error err;
    if (pmc_trace_open(path, &t, &err) != 0) {
        FUZZ_ASSERT(err.msg[0] != '\0', "open failed without a word");
        close(fd);
        return 0;
    }
    struct pass first, second;
    read_all(t, &first);
    pmc_trace_rewind(t);
    read_all(t, &second);
    same_pass(&first, &second);
    if (trace_footprint(path) <= FOOTPRINT_CHECK_MAX) {
        check_replay(t, &first, PMC_PERSIST_ADR);
        check_replay(t, &first, PMC_PERSIST_EADR);
    }
    pmc_trace_close(t);
    close(fd);
    return 0;
}
