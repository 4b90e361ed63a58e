/*
 * fingerprint.c - hashing what identifies a finding (see fingerprint.h).
 */
#include "fingerprint.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pmtrace_crc32c.h"

void pmc_fingerprint_normalize(const char *text, char *buf, size_t size)
{
    size_t n = 0;
    bool blank = false;
    if (size == 0)
        return;
    for (const char *s = text; *s != '\0' && n + 1 < size; s++) {
        if (isspace((unsigned char)*s)) {
            blank = n > 0;
            continue;
        }
        if (blank) {
            if (n + 2 >= size)
                break;
            buf[n++] = ' ';
        }
        blank = false;
        buf[n++] = *s;
    }
    buf[n] = '\0';
}

/* Each part is hashed with its terminating NUL, so ("ab", "c") and
 * ("a", "bc") differ. */
static uint32_t crc_part(uint32_t crc, const char *part)
{
    return pmt_crc32c(crc, part, strlen(part) + 1);
}

/* file below dir when it is an absolute path there, else file. */
static const char *checkout_relative(const char *file, const char *dir)
{
    size_t n = dir != NULL ? strlen(dir) : 0;
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (file[0] == '/' && n > 1 && strncmp(file, dir, n) == 0 &&
        file[n] == '/' && file[n + 1] != '\0')
        return file + n + 1;
    return file;
}

static uint32_t crc_site(uint32_t crc, const struct pmc_fingerprint_site *s)
{
    char text[4096];
    if (s->line_text != NULL)
        pmc_fingerprint_normalize(s->line_text, text, sizeof(text));
    else
        snprintf(text, sizeof(text), "\001line %" PRIu32, s->line);
    crc = crc_part(crc, checkout_relative(s->file != NULL ? s->file : "",
                                          s->dir));
    crc = crc_part(crc, s->function != NULL ? s->function : "");
    return crc_part(crc, text);
}

void pmc_fingerprint_sites(const char *rule,
                           const struct pmc_fingerprint_site *sites, size_t n,
                           char out[PMC_FINGERPRINT_SIZE])
{
    uint32_t crc = crc_part(0, rule);
    for (size_t i = 0; i < n; i++)
        crc = crc_site(crc, &sites[i]);
    snprintf(out, PMC_FINGERPRINT_SIZE, "%08" PRIx32, crc);
}

void pmc_fingerprint(const char *rule, const char *file, const char *dir,
                     const char *function, const char *line_text, uint32_t line,
                     char out[PMC_FINGERPRINT_SIZE])
{
    struct pmc_fingerprint_site site = {file, dir, function, line_text, line};
    pmc_fingerprint_sites(rule, &site, 1, out);
}
