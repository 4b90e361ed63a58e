/*
 * utf8.c - UTF-8 validity through libxml2 (see utf8.h).
 */
#include "utf8.h"

#include <libxml/xmlstring.h>

bool pmc_utf8_valid(const char *s)
{
    return xmlCheckUTF8((const xmlChar *)s) != 0;
}

void pmc_utf8_fix(char *s)
{
    if (pmc_utf8_valid(s))
        return;
    for (unsigned char *p = (unsigned char *)s; *p != '\0'; p++)
        if (*p >= 0x80)
            *p = '?';
}
