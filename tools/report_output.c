/*
 * report_output.c - writing a command's output to stdout or, whole, to a
 * file (see report_output.h).
 */
#include "report_output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int report_output_open(struct report_output *o, const char *path,
                       struct pmc_error *err)
{
    memset(o, 0, sizeof(*o));
    if (path == NULL || strcmp(path, "-") == 0) {
        o->stream = stdout;
        return 0;
    }
    o->path = path;
    if (asprintf(&o->tmp_path, "%s.tmp.%ld", path, (long)getpid()) < 0) {
        o->tmp_path = NULL;
        return pmc_error_errno(err, ENOMEM, "%s", path);
    }
    o->stream = fopen(o->tmp_path, "w");
    if (o->stream == NULL) {
        int e = errno;
        free(o->tmp_path);
        o->tmp_path = NULL;
        return pmc_error_errno(err, e, "%s", path);
    }
    return 0;
}

int report_output_close(struct report_output *o, bool ok, struct pmc_error *err)
{
    int rc = 0;
    if (o->path == NULL) {
        if (ok && (fflush(stdout) != 0 || ferror(stdout)))
            rc = pmc_error_errno(err, errno, "writing to standard output");
        return rc;
    }
    if (fclose(o->stream) != 0 && ok)
        rc = pmc_error_errno(err, errno, "%s", o->path);
    if (ok && rc == 0 && rename(o->tmp_path, o->path) != 0)
        rc = pmc_error_errno(err, errno, "%s", o->path);
    if (!ok || rc != 0)
        unlink(o->tmp_path);
    free(o->tmp_path);
    o->tmp_path = NULL;
    return rc;
}

int report_output_write_run(struct pmc_db *db, int64_t run,
                            enum pmc_report_format format, const char *path)
{
    struct report_output out;
    struct pmc_error err;
    if (report_output_open(&out, path, &err) != 0) {
        cli_print_error(&err);
        return -1;
    }
    bool ok = pmc_report_write(db, run, format, out.stream, &err) == 0;
    if (!ok)
        cli_print_error(&err);
    if (report_output_close(&out, ok, &err) != 0) {
        cli_print_error(&err);
        return -1;
    }
    return ok ? 0 : -1;
}
