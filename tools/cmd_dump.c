/*
 * cmd_dump.c - `pmcheck dump`: every record of a trace, one per line, in
 * sequence order.
 *
 * End-to-end tests assert on this output, so it carries no run-to-run
 * noise unless --raw asks for it: an address inside a pmem region prints
 * as r<region>+0x<offset>, a region by its number and file name, a thread
 * by its runtime number (not its OS id). A line is
 *     <seq> t<thread> <KIND> <fields> @ <file>:<line>:<col> <function>
 * e.g. `     57 t1 STORE r1+0x40 8 2a00000000000000 @ list.c:42:9 insert`.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

#define DUMP_DATA_MAX 16 /* data bytes shown before "..." */

/* A live pmem region, to print addresses relative to it. */
struct region {
    uint64_t addr;
    uint64_t len;
    uint32_t id;
};

struct dump {
    struct pmc_trace *trace;
    bool events_only; /* hide STRING and SITE */
    bool summary;
    bool raw; /* absolute addresses, OS thread ids, full paths */
    struct region *regions;
    size_t nregions;
    uint64_t records;
    uint64_t per_kind[256];
};

static void dump_usage(FILE *out)
{
    fputs("usage: pmcheck dump [--events] [--summary] [--raw] TRACE\n\n"
          "Prints every record of TRACE, one per line, in sequence order:\n"
          "  <seq> t<thread> <KIND> <fields> @ <file>:<line>:<col> "
          "<function>\n"
          "Addresses inside a pmem region print as r<region>+0x<offset>.\n\n"
          "      --events   hide the metadata records (STRING, SITE)\n"
          "      --summary  print counts per kind, threads, regions, sites "
          "and how\n"
          "                 the program ended, instead of the records\n"
          "      --raw      print absolute addresses, OS thread ids and "
          "full paths\n"
          "  -h, --help     this help\n\n"
          "Exit status: 0, or 2 when the trace is missing or damaged (the "
          "records read\n"
          "before the damage are printed first).\n",
          out);
}

/* ---- regions ---------------------------------------------------------- */

static const struct region *region_find(const struct dump *d, uint64_t addr)
{
    for (size_t i = 0; i < d->nregions; i++)
        if (addr - d->regions[i].addr < d->regions[i].len)
            return &d->regions[i];
    return NULL;
}

static int region_map(struct dump *d, const struct pmc_event *ev)
{
    struct region *r =
        realloc(d->regions, (d->nregions + 1) * sizeof(*d->regions));
    if (r == NULL)
        return -1;
    d->regions = r;
    d->regions[d->nregions++] =
        (struct region){.addr = ev->addr, .len = ev->len, .id = ev->id};
    return 0;
}

static void region_unmap(struct dump *d, uint64_t addr)
{
    const struct region *r = region_find(d, addr);
    if (r != NULL)
        d->regions[r - d->regions] = d->regions[--d->nregions];
}

/* ---- fields ----------------------------------------------------------- */

static void print_addr(const struct dump *d, uint64_t addr)
{
    const struct region *r = d->raw ? NULL : region_find(d, addr);
    if (r != NULL)
        printf(" r%" PRIu32 "+0x%" PRIx64, r->id, addr - r->addr);
    else
        printf(" 0x%" PRIx64, addr);
}

static void print_range(const struct dump *d, uint64_t addr, uint64_t len)
{
    print_addr(d, addr);
    printf(" %" PRIu64, len);
}

static void print_data(const uint8_t *data, uint64_t len)
{
    if (len == 0)
        return;
    putchar(' ');
    for (uint64_t i = 0; i < len && i < DUMP_DATA_MAX; i++)
        printf("%02x", data[i]);
    if (len > DUMP_DATA_MAX)
        fputs("...", stdout);
}

static void print_quoted(const char *s)
{
    putchar(' ');
    putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_string_id(const struct dump *d, uint32_t id)
{
    const char *s = pmc_trace_string(d->trace, id);
    if (s != NULL)
        print_quoted(s);
    else
        printf(" #%" PRIu32, id);
}

/* A region's name without its directory, which differs between runs. */
static void print_region_name(const struct dump *d, uint32_t id)
{
    const char *s = pmc_trace_string(d->trace, id);
    const char *slash = s != NULL ? strrchr(s, '/') : NULL;
    if (s != NULL && slash != NULL && slash[1] != '\0' && !d->raw)
        print_quoted(slash + 1);
    else
        print_string_id(d, id);
}

/* Flag names by value (FLUSH, FENCE) or by bit (STORE, REGION_MAP). */
static void print_flag_value(uint32_t flags, const char *const *names,
                             size_t count)
{
    if (flags < count && names[flags] != NULL)
        printf(" %s", names[flags]);
    else
        printf(" flags=0x%" PRIx32, flags);
}

static void print_flag_bits(uint32_t flags, const char *const *names,
                            size_t count)
{
    for (size_t bit = 0; bit < count; bit++) {
        if (names[bit] != NULL && (flags & (1u << bit))) {
            printf(" %s", names[bit]);
            flags &= ~(1u << bit);
        }
    }
    if (flags != 0)
        printf(" flags=0x%" PRIx32, flags);
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static void print_store_flags(uint32_t flags)
{
    static const char *const bits[] = {[3] = "locked", [4] = "atomic"};
    print_flag_bits(flags, bits, COUNT_OF(bits));
}

static void print_region_flags(uint32_t flags)
{
    static const char *const bits[] = {"file", "pmdk", "user"};
    print_flag_bits(flags, bits, COUNT_OF(bits));
}

static void print_flush_kind(uint32_t flags)
{
    static const char *const names[] = {[PMT_FLUSH_CLFLUSH] = "clflush",
                                        [PMT_FLUSH_CLFLUSHOPT] = "clflushopt",
                                        [PMT_FLUSH_CLWB] = "clwb",
                                        [PMT_FLUSH_LIB] = "lib"};
    print_flag_value(flags, names, COUNT_OF(names));
}

static void print_fence_kind(uint32_t flags)
{
    static const char *const names[] = {[PMT_FENCE_SFENCE] = "sfence",
                                        [PMT_FENCE_MFENCE] = "mfence",
                                        [PMT_FENCE_LOCKED] = "locked",
                                        [PMT_FENCE_LIB] = "lib"};
    print_flag_value(flags, names, COUNT_OF(names));
}

static void print_lib_call(const struct dump *d, const struct pmc_event *ev)
{
    static const char *const names[] = {
        [PMT_LIB_CALL_BEGIN] = "begin", [PMT_LIB_CALL_END] = "end"};
    print_flag_value(ev->flags, names, COUNT_OF(names));
    print_string_id(d, ev->id);
    if (ev->flags == PMT_LIB_CALL_END)
        printf(" = %" PRId32, ev->value);
}

static void print_site(const struct pmc_site *s)
{
    printf("%s", s->file[0] ? s->file : "?");
    if (s->line != 0) {
        printf(":%" PRIu32, s->line);
        if (s->column != 0)
            printf(":%" PRIu32, s->column);
    }
    if (s->function[0] != '\0')
        printf(" %s", s->function);
}

static void print_site_ref(const struct dump *d, uint32_t id)
{
    const struct pmc_site *s = pmc_trace_site(d->trace, id);
    if (s != NULL)
        print_site(s);
    else
        printf("site#%" PRIu32, id);
}

static void print_region_map(const struct dump *d, const struct pmc_event *ev)
{
    printf(" r%" PRIu32, ev->id);
    if (d->raw)
        printf(" 0x%" PRIx64, ev->addr);
    printf(" %" PRIu64, ev->len);
    print_region_name(d, ev->str);
    print_region_flags(ev->flags);
    if (ev->file_offset != 0)
        printf(" offset=0x%" PRIx64, ev->file_offset);
}

/* The fields of kinds whose records say where they wrote. */
static bool print_memory_fields(const struct dump *d,
                                const struct pmc_event *ev)
{
    switch (ev->kind) {
    case PMT_STORE:
    case PMT_NT_STORE:
    case PMT_LIB_WRITE:
    case PMT_REGION_DATA:
        print_range(d, ev->addr, ev->len);
        print_data(ev->data, ev->len);
        print_store_flags(ev->flags);
        return true;
    case PMT_STORE_FILL:
        print_range(d, ev->addr, ev->len);
        printf(" fill=%02x", ev->data[0]);
        return true;
    case PMT_FLUSH:
        print_range(d, ev->addr, ev->len);
        print_flush_kind(ev->flags);
        return true;
    case PMT_LOAD:
    case PMT_REGION_UNMAP:
    case PMT_ASSERT_PERSISTED:
    case PMT_COMMIT_VAR:
    case PMT_TX_ADD:
    case PMT_TX_ALLOC:
    case PMT_TX_FREE:
        print_range(d, ev->addr, ev->len);
        return true;
    case PMT_ASSERT_ORDERED:
        print_range(d, ev->addr, ev->len);
        print_range(d, ev->addr2, ev->len2);
        return true;
    case PMT_LOCK:
    case PMT_UNLOCK:
        print_addr(d, ev->addr);
        return true;
    default:
        return false;
    }
}

static void print_fields(const struct dump *d, const struct pmc_event *ev)
{
    if (print_memory_fields(d, ev))
        return;
    switch (ev->kind) {
    case PMT_STRING:
        printf(" #%" PRIu32, ev->id);
        print_quoted((const char *)ev->data);
        break;
    case PMT_SITE:
        printf(" #%" PRIu32 " ", ev->site);
        print_site_ref(d, ev->site);
        break;
    case PMT_THREAD:
        if (d->raw)
            printf(" tid=%" PRIu64, ev->addr);
        break;
    case PMT_REGION_MAP:
        print_region_map(d, ev);
        break;
    case PMT_EXIT:
        printf(" %" PRId32, ev->value);
        break;
    case PMT_FENCE:
        print_fence_kind(ev->flags);
        break;
    case PMT_MARKER:
        print_string_id(d, ev->id);
        break;
    case PMT_LIB_CALL:
        print_lib_call(d, ev);
        break;
    default: /* no fields */
        break;
    }
}

static void print_event(const struct dump *d, const struct pmc_event *ev)
{
    printf("%7" PRIu64 " t%" PRIu32 " %s", ev->seq, ev->thread,
           pmc_kind_name(ev->kind));
    print_fields(d, ev);
    if (ev->site != 0 && ev->kind != PMT_SITE) {
        fputs(" @ ", stdout);
        print_site_ref(d, ev->site);
    }
    putchar('\n');
}

/* ---- the walk --------------------------------------------------------- */

static int dump_event(struct dump *d, const struct pmc_event *ev)
{
    bool metadata = ev->kind == PMT_STRING || ev->kind == PMT_SITE;
    d->records++;
    d->per_kind[ev->kind & 0xff]++;
    if (ev->kind == PMT_REGION_MAP && region_map(d, ev) != 0) {
        cli_error("out of memory (region table)");
        return -1;
    }
    if (!d->summary && !(metadata && d->events_only))
        print_event(d, ev);
    if (ev->kind == PMT_REGION_UNMAP)
        region_unmap(d, ev->addr);
    return 0;
}

static void print_summary(const struct dump *d)
{
    const struct pmc_trace_info *info = pmc_trace_info(d->trace);
    char end[128];
    cli_describe_end(info->end_kind, info->end_code, end, sizeof(end));
    printf("trace:    %s\n", pmc_trace_path(d->trace));
    printf("command:  %s\n", info->cmdline);
    printf("end:      program %s\n", end);
    printf("threads:  %" PRIu32 "\n", info->threads);
    printf("blocks:   %" PRIu64 "%s\n", info->blocks,
           info->unsealed_tail ? " (a thread's last block is unsealed)" : "");
    printf("regions:  %" PRIu64 "\n", d->per_kind[PMT_REGION_MAP]);
    printf("sites:    %" PRIu64 "\n", d->per_kind[PMT_SITE]);
    printf("strings:  %" PRIu64 "\n", d->per_kind[PMT_STRING]);
    printf("records:  %" PRIu64 "\n", d->records);
    for (unsigned k = 0; k < COUNT_OF(d->per_kind); k++)
        if (d->per_kind[k] != 0)
            printf("  %-17s %" PRIu64 "\n", pmc_kind_name(k), d->per_kind[k]);
}

static int dump_trace(struct dump *d, const char *path)
{
    struct pmc_error err;
    if (pmc_trace_open(path, &d->trace, &err) != 0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    struct pmc_event ev;
    int rc;
    while ((rc = pmc_trace_next(d->trace, &ev, &err)) > 0)
        if (dump_event(d, &ev) != 0)
            break;
    if (d->summary)
        print_summary(d);
    if (rc < 0)
        cli_print_error(&err);
    pmc_trace_close(d->trace);
    return rc == 0 ? PMC_EXIT_OK : PMC_EXIT_USAGE;
}

/* 0: parsed; 1: --help given; -1: usage error. */
static int dump_parse(int argc, char **argv, struct dump *d)
{
    enum { OPT_EVENTS = 256, OPT_SUMMARY, OPT_RAW };
    static const struct option options[] = {
        {"events", no_argument, NULL, OPT_EVENTS},
        {"summary", no_argument, NULL, OPT_SUMMARY},
        {"raw", no_argument, NULL, OPT_RAW},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (opt == OPT_EVENTS) {
            d->events_only = true;
        } else if (opt == OPT_SUMMARY) {
            d->summary = true;
        } else if (opt == OPT_RAW) {
            d->raw = true;
        } else if (opt == 'h') {
            dump_usage(stdout);
            return 1;
        } else {
            return -1;
        }
    }
    if (argc - optind != 1) {
        cli_error("dump takes one trace (%d given)", argc - optind);
        return -1;
    }
    return 0;
}

int cmd_dump(int argc, char **argv)
{
    struct dump *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        cli_error("out of memory");
        return PMC_EXIT_USAGE;
    }
    int rc = dump_parse(argc, argv, d);
    if (rc == 0)
        rc = dump_trace(d, argv[optind]);
    else
        rc = rc > 0 ? PMC_EXIT_OK : cli_usage_error("dump");
    free(d->regions);
    free(d);
    return rc;
}
