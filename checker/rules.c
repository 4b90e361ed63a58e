/*
 * rules.c - the table behind rules.h, generated from PMC_RULES so the ids,
 * severities and texts live in one place.
 */
#include "rules.h"

#include <stddef.h>
#include <string.h>

static const struct pmc_rule_info rule_table[PMC_RULE_COUNT] = {
#define PMC_RULE_ROW(name, id, sev, desc, help)                                \
    {PMC_RULE_##name, id, sev, desc, help},
    PMC_RULES(PMC_RULE_ROW)
#undef PMC_RULE_ROW
};

const struct pmc_rule_info *pmc_rule_info(enum pmc_rule rule)
{
    if ((unsigned)rule >= PMC_RULE_COUNT)
        return NULL;
    return &rule_table[rule];
}

const struct pmc_rule_info *pmc_rule_by_id(const char *id)
{
    if (id == NULL)
        return NULL;
    for (size_t i = 0; i < PMC_RULE_COUNT; i++) {
        if (strcmp(rule_table[i].id, id) == 0)
            return &rule_table[i];
    }
    return NULL;
}

const char *pmc_severity_name(enum pmc_severity sev)
{
    switch (sev) {
    case PMC_SEV_WARNING:
        return "warning";
    case PMC_SEV_ERROR:
        return "error";
    }
    return "unknown";
}

enum pmc_severity pmc_severity_parse(const char *name)
{
    if (name == NULL)
        return 0;
    if (strcmp(name, "warning") == 0)
        return PMC_SEV_WARNING;
    if (strcmp(name, "error") == 0)
        return PMC_SEV_ERROR;
    return 0;
}
