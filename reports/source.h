/*
 * source.h - the source lines findings point at.
 *
 * Sites record a file as the compiler saw it and the compilation
 * directory. A relative file is looked for as dir/file, then as file from
 * the current directory (the user may check where they built); an
 * absolute file as itself. A file is read once per cache and kept in
 * memory, so a report of a thousand findings in one file reads it once.
 * A file that cannot be read (or is larger than PMC_SOURCE_MAX_BYTES, or
 * not text) has no lines: callers fall back to what the database kept.
 *
 * Returned lines are valid UTF-8 (invalid bytes become '?'), so they can
 * go into JSON and XML as they are.
 */
#ifndef PMC_SOURCE_H
#define PMC_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#define PMC_SOURCE_MAX_BYTES (64u << 20)

struct pmc_source_cache;

/* NULL without memory. */
struct pmc_source_cache *pmc_source_cache_new(void);
void pmc_source_cache_free(struct pmc_source_cache *cache);

/*
 * Line `line` (from 1) of the site's file without its line end, or NULL
 * when the file cannot be read or is shorter. Valid until the cache is
 * freed.
 */
const char *pmc_source_line(struct pmc_source_cache *cache, const char *file,
                            const char *dir, uint32_t line);

/* Lines in the file (0 when it cannot be read). */
uint32_t pmc_source_line_count(struct pmc_source_cache *cache, const char *file,
                               const char *dir);

#endif /* PMC_SOURCE_H */
