/*
 * fuzz_cli.c - pmcheck's command line, in-process, on made-up arguments
 * and input files.
 *
 * An input is up to four sections separated by SECTION_SEP:
 *
 *   ARGS  --8<--  BASELINE  --8<--  DATABASE  --8<--  TRACE
 *
 * ARGS are the arguments after "pmcheck", separated by NUL bytes. The
 * other sections, when present, become the files in.json, in.db and in.pmt
 * (the trace in the compact form of trace_image.h) of a private working
 * directory, which ARGS may name. So `check --db in.db --baseline in.json
 * in.pmt` reads all three, and `report --db in.db -f sarif` a database of
 * any content.
 *
 * Only the commands that read and write files run: check, report,
 * baseline, dump, merge (and the global options). `run` and `crash` start
 * programs, so an input that asks for them, or names a file outside the
 * working directory (a '/'), is skipped; so is a check of a trace of a
 * pmem footprint beyond what the model is meant for (footprint.h). The
 * promise checked beyond no crash, leak or undefined behaviour: the exit
 * status is 0, 1 or 2 (DESIGN.md section 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "footprint.h"
#include "fuzz.h"
#include "sandbox.h"
#include "trace_image.h"

#define SECTION_SEP "\n--8<--\n"
#define MAX_ARGS 32

enum section { ARGS, BASELINE, DATABASE, TRACE, SECTIONS };

static const char *const section_file[SECTIONS] = {
    [BASELINE] = "in.json",
    [DATABASE] = "in.db",
    [TRACE] = "in.pmt",
};

struct cli_input {
    const uint8_t *part[SECTIONS];
    size_t len[SECTIONS];
    bool present[SECTIONS];
};

static void split(const uint8_t *data, size_t size, struct cli_input *in)
{
    const size_t sep_len = sizeof(SECTION_SEP) - 1;
    memset(in, 0, sizeof(*in));
    for (int s = 0; s < SECTIONS; s++) {
        in->part[s] = data;
        in->present[s] = true;
        const uint8_t *sep =
            s + 1 < SECTIONS ? memmem(data, size, SECTION_SEP, sep_len) : NULL;
        if (sep == NULL) {
            in->len[s] = size;
            return;
        }
        in->len[s] = (size_t)(sep - data);
        size -= in->len[s] + sep_len;
        data = sep + sep_len;
    }
}

/* Commands that only read and write files. */
static bool command_allowed(const char *cmd)
{
    static const char *const allowed[] = {"check", "report", "baseline",
                                          "dump", "merge"};
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (strcmp(cmd, allowed[i]) == 0)
            return true;
    return false;
}

/* argv from the NUL-separated ARGS, in `store`, and the command (NULL:
 * none); 0, or -1 to skip the input. The command is where pmcheck's
 * global getopt ("+hV") stops. */
static int make_argv(const struct cli_input *in, char *store, char **argv,
                     int *argc, const char **command)
{
    memcpy(store, in->part[ARGS], in->len[ARGS]);
    store[in->len[ARGS]] = '\0';
    int n = 0;
    argv[n++] = "pmcheck";
    for (size_t at = 0; at < in->len[ARGS] && n < MAX_ARGS;) {
        argv[n++] = store + at;
        at += strlen(store + at) + 1;
    }
    argv[n] = NULL;
    *argc = n;
    const char *cmd = NULL;
    for (int i = 1; i < n && cmd == NULL; i++) {
        if (strcmp(argv[i], "--") == 0)
            cmd = i + 1 < n ? argv[i + 1] : "";
        else if (argv[i][0] != '-' || argv[i][1] == '\0')
            cmd = argv[i];
    }
    if (cmd != NULL && !command_allowed(cmd))
        return -1;
    *command = cmd;
    for (int i = 1; i < n; i++)
        if (strchr(argv[i], '/') != NULL)
            return -1;
    return 0;
}

static int write_files(const struct cli_input *in)
{
    for (int s = BASELINE; s < SECTIONS; s++) {
        if (!in->present[s])
            continue;
        const uint8_t *data = in->part[s];
        size_t size = in->len[s];
        uint8_t *image = NULL;
        if (s == TRACE) {
            image = trace_image(data, size, &size);
            if (image == NULL)
                return -1;
            data = image;
        }
        int rc = sandbox_write(section_file[s], data, size);
        free(image);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* With PMCHECK_FUZZ_VERBOSE set, say what ran: for replaying a finding. */
static void print_run(int argc, char **argv, int status)
{
    fputs("fuzz_cli:", stderr);
    for (int i = 0; i < argc; i++)
        fprintf(stderr, " '%s'", argv[i]);
    fprintf(stderr, " -> exit %d\n", status);
}

/* Set up once, whichever driver calls first: no input ever runs outside
 * the sandbox. */
static void setup_once(void)
{
    static bool ready;
    if (ready)
        return;
    ready = true;
    /* Reports go nowhere; errors stay on stderr (libFuzzer's
     * -close_fd_mask=2 silences them). */
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    FUZZ_ASSERT(devnull >= 0 && dup2(devnull, STDOUT_FILENO) >= 0,
                "cannot silence stdout: %s", strerror(errno));
    close(devnull);
    FUZZ_ASSERT(sandbox_make() == 0, "cannot make the sandbox: %s",
                strerror(errno));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setup_once();
    return 0;
}

/* Put the input's files in the sandbox. false: skip the input (a check
 * of a file whose pmem footprint the model is not meant for). */
static bool prepare(const struct cli_input *in, const char *cmd)
{
    FUZZ_ASSERT(sandbox_clear() == 0 && write_files(in) == 0,
                "cannot set up the sandbox: %s", strerror(errno));
    if (cmd == NULL || strcmp(cmd, "check") != 0)
        return true;
    for (int s = BASELINE; s < SECTIONS; s++)
        if (in->present[s] && trace_footprint(sandbox_path(section_file[s])) >
                                  FOOTPRINT_CHECK_MAX)
            return false;
    return true;
}

static void run(int argc, char **argv)
{
    FUZZ_ASSERT(sandbox_enter() == 0, "cannot enter the sandbox: %s",
                strerror(errno));
    optind = 0;
    int status = pmcheck_main(argc, argv);
    fflush(stdout);
    clearerr(stdout);
    FUZZ_ASSERT(sandbox_leave() == 0, "cannot leave the sandbox: %s",
                strerror(errno));
    if (getenv("PMCHECK_FUZZ_VERBOSE") != NULL)
        print_run(argc, argv, status);
    FUZZ_ASSERT(status >= 0 && status <= 2, "exit status %d", status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    struct cli_input in;
    split(data, size, &in);
    char *store = malloc(in.len[ARGS] + 1);
    FUZZ_ASSERT(store != NULL, "out of memory");
    char *argv[MAX_ARGS + 1];
    int argc;
    const char *cmd = NULL;
    if (make_argv(&in, store, argv, &argc, &cmd) == 0 && prepare(&in, cmd))
        run(argc, argv);
    free(store);
    return 0;
}
