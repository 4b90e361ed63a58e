/*
 * hint_parse.c - just enough reading of one line of C for hints: the
 * lvalue of a plain assignment, and the arguments of a macro call.
 *
 * This is not a C parser and does not try to be: it accepts the common
 * shapes (`p->a[i].b = x;`, `*p = x;`, `PMT_ASSERT_ORDERED(a, 8, b, 8);`)
 * and says "no" to anything else, so a hint is either right or generic.
 */
#include "hint.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_NESTING 32

static const char *skip_space(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* s points at a quote; the position after the literal, NULL if it does
 * not end on this line. */
static const char *skip_literal(const char *s)
{
    char quote = *s++;
    while (*s != '\0' && *s != quote) {
        if (*s == '\\' && s[1] != '\0')
            s++;
        s++;
    }
    return *s == quote ? s + 1 : NULL;
}

static char closing_of(char open)
{
    return open == '(' ? ')' : open == '[' ? ']' : '}';
}

/* s points at an opening bracket; the position after its match, NULL if
 * it is unbalanced or holds a statement end. */
static const char *skip_group(const char *s)
{
    char expect[MAX_NESTING];
    size_t depth = 0;
    while (*s != '\0') {
        char c = *s;
        if (c == '"' || c == '\'') {
            s = skip_literal(s);
            if (s == NULL)
                return NULL;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') {
            if (depth == MAX_NESTING)
                return NULL;
            expect[depth++] = closing_of(c);
        } else if (c == ')' || c == ']' || c == '}') {
            if (depth == 0 || expect[--depth] != c)
                return NULL;
            if (depth == 0)
                return s + 1;
        } else if (c == ';') {
            return NULL;
        }
        s++;
    }
    return NULL;
}

/*
 * The lvalue runs from start to the `=`: member accesses, subscripts,
 * parenthesised parts and leading `*`s, with no space inside (a space
 * followed by more than `=` means a declaration, a keyword or an
 * operator). Returns the `=`, or NULL.
 */
static const char *scan_lvalue(const char *start, const char **end)
{
    const char *s = start;
    bool in_space = false, only_stars = true, has_name = false;
    while (*s != '\0' && *s != '=') {
        char c = *s;
        if (isspace((unsigned char)c)) {
            if (!in_space)
                *end = s;
            in_space = true;
            s++;
            continue;
        }
        if (in_space)
            return NULL;
        if (c == '(' || c == '[') {
            s = skip_group(s);
            if (s == NULL)
                return NULL;
            has_name = true;
        } else if (is_ident_char(c) || c == '.') {
            has_name = has_name || is_ident_char(c);
            s++;
        } else if (c == '-' && s[1] == '>') {
            s += 2;
        } else if (c == '*' && only_stars) {
            s++;
            continue;
        } else {
            return NULL;
        }
        only_stars = false;
    }
    if (*s != '=' || s[1] == '=' || !has_name)
        return NULL;
    if (!in_space)
        *end = s;
    return s;
}

/* After the `=`: no other assignment up to the `;` (or the end of the
 * line: the expression may continue), then only a comment. */
static bool rest_is_plain(const char *s)
{
    const char *rhs = s;
    while (*s != '\0' && *s != ';') {
        char c = *s;
        if (c == '(' || c == '[' || c == '{') {
            s = skip_group(s);
        } else if (c == '"' || c == '\'') {
            s = skip_literal(s);
        } else if (c == '=') {
            bool comparison =
                s[1] == '=' || (s > rhs && strchr("!<>=", s[-1]) != NULL);
            if (!comparison)
                return false;
            s += s[1] == '=' ? 2 : 1;
        } else {
            s++;
        }
        if (s == NULL)
            return false;
    }
    if (s == rhs || skip_space(rhs) == s)
        return false; /* `x = ;` or nothing assigned */
    if (*s == '\0')
        return true;
    s = skip_space(s + 1);
    return *s == '\0' || strncmp(s, "//", 2) == 0 || strncmp(s, "/*", 2) == 0;
}

static void copy_span(const char *from, const char *to, char *buf, size_t size)
{
    size_t n = (size_t)(to - from);
    if (n >= size)
        n = size - 1;
    memcpy(buf, from, n);
    buf[n] = '\0';
}

bool pmc_hint_lvalue(const char *line, char *buf, size_t size)
{
    if (size == 0)
        return false;
    const char *start = skip_space(line);
    const char *end = NULL;
    const char *eq = scan_lvalue(start, &end);
    if (eq == NULL || !rest_is_plain(eq + 1))
        return false;
    copy_span(start, end, buf, size);
    return true;
}

/* The call of macro on line: the position after its `(`, or NULL. */
static const char *find_call(const char *line, const char *macro)
{
    size_t n = strlen(macro);
    for (const char *s = strstr(line, macro); s != NULL;
         s = strstr(s + 1, macro)) {
        bool starts_word = s == line || !is_ident_char(s[-1]);
        const char *after = skip_space(s + n);
        if (starts_word && *after == '(')
            return after + 1;
    }
    return NULL;
}

static void store_arg(const char *from, const char *to,
                      char (*args)[PMC_HINT_ARG_SIZE], size_t i, size_t max)
{
    if (i >= max)
        return;
    from = skip_space(from);
    while (to > from && isspace((unsigned char)to[-1]))
        to--;
    copy_span(from, to, args[i], PMC_HINT_ARG_SIZE);
}

size_t pmc_hint_macro_args(const char *line, const char *macro,
                           char (*args)[PMC_HINT_ARG_SIZE], size_t max)
{
    const char *s = find_call(line, macro);
    if (s == NULL)
        return 0;
    const char *arg = s;
    size_t count = 0;
    while (*s != '\0') {
        char c = *s;
        if (c == '(' || c == '[' || c == '{') {
            s = skip_group(s);
        } else if (c == '"' || c == '\'') {
            s = skip_literal(s);
        } else if (c == ',' || c == ')') {
            store_arg(arg, s, args, count++, max);
            if (c == ')')
                return count;
            arg = ++s;
        } else {
            s++;
        }
        if (s == NULL)
            return 0;
    }
    return 0; /* the call goes on to the next line */
}
