/*
 * cmdline.c - splitting a recovery command template (see cmdline.h).
 *
 * Words are built in open_memstream buffers: a word's length is known
 * only once its quotes are undone.
 */
#include "cmdline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLACEHOLDER "{image"

struct images {
    const char *const *names;
    const char *const *paths;
    size_t count;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Characters a shell interprets wherever they stand outside quotes. */
static bool is_shell_char(char c)
{
    return strchr("|&;<>()$`*?[", c) != NULL;
}

/* The path of the image a placeholder names; the placeholder starts at s
 * and its length goes to *len. NULL with err set when it names no image;
 * NULL with *len 0 when s is not a placeholder. */
static const char *placeholder_path(const char *s, const struct images *im,
                                    size_t *len, struct pmc_error *err)
{
    *len = 0;
    size_t p = strlen(PLACEHOLDER);
    if (strncmp(s, PLACEHOLDER, p) != 0 || (s[p] != '}' && s[p] != ':'))
        return NULL;
    if (s[p] == '}') {
        *len = p + 1;
        if (im->count == 0) {
            pmc_error_set(err, "recovery command: {image} but no image");
            return NULL;
        }
        return im->paths[0];
    }
    const char *name = s + p + 1;
    const char *close = strchr(name, '}');
    if (close == NULL)
        return NULL; /* "{image:..." without its brace: plain text */
    *len = (size_t)(close - s) + 1;
    size_t name_len = (size_t)(close - name);
    for (size_t i = 0; i < im->count; i++)
        if (strlen(im->names[i]) == name_len &&
            strncmp(im->names[i], name, name_len) == 0)
            return im->paths[i];
    pmc_error_set(err, "recovery command: no image named '%.*s'", (int)name_len,
                  name);
    return NULL;
}

/* Can the path stand in a shell command unquoted? */
static bool shell_safe(const char *path)
{
    for (const char *c = path; *c != '\0'; c++)
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789_./+,:@%=-",
                   *c) == NULL)
            return false;
    return path[0] != '\0';
}

static void put_shell_quoted(FILE *out, const char *path)
{
    if (shell_safe(path)) {
        fputs(path, out);
        return;
    }
    fputc('\'', out);
    for (const char *c = path; *c != '\0'; c++)
        fputs(*c == '\'' ? "'\\''" : (char[]){*c, '\0'}, out);
    fputc('\'', out);
}

/* text with its placeholders replaced (shell: quoted for the shell), into
 * a new string; NULL on error. */
static char *substitute(const char *text, size_t len, bool shell,
                        const struct images *im, struct pmc_error *err)
{
    char *result = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&result, &size);
    if (out == NULL) {
        pmc_error_set(err, "out of memory");
        return NULL;
    }
    int failed = 0;
    for (size_t i = 0; i < len && !failed;) {
        size_t ph_len = 0;
        const char *path = NULL;
        if (text[i] == '{')
            path = placeholder_path(text + i, im, &ph_len, err);
        if (ph_len == 0) {
            fputc(text[i++], out);
        } else if (path == NULL) {
            failed = 1;
        } else {
            if (shell)
                put_shell_quoted(out, path);
            else
                fputs(path, out);
            i += ph_len;
        }
    }
    if (fclose(out) != 0 && !failed) {
        failed = 1;
        pmc_error_set(err, "out of memory");
    }
    if (failed) {
        free(result);
        return NULL;
    }
    return result;
}

/* Is the word so far (an unquoted prefix) a shell variable name, so that
 * '=' after it makes the word an assignment? */
static bool is_name(const char *s, size_t len)
{
    if (len == 0 || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') ||
                      (s[0] >= 'a' && s[0] <= 'z')))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

enum scan {
    SCAN_WORD,  /* a word ended */
    SCAN_SHELL, /* shell syntax: give the text to /bin/sh */
    SCAN_ERROR, /* unterminated quote */
};

/* One word from *pos, unquoted, into out. first: the command's first word. */
static enum scan scan_word(const char *t, size_t *pos, FILE *out, bool first)
{
    size_t i = *pos;
    bool quoted = false;
    if (t[i] == '~' || t[i] == '#')
        return SCAN_SHELL;
    size_t word_start = i;
    while (t[i] != '\0' && !is_blank(t[i])) {
        char c = t[i];
        if (c == '\'') {
            const char *close = strchr(t + i + 1, '\'');
            if (close == NULL)
                return SCAN_ERROR;
            fwrite(t + i + 1, 1, (size_t)(close - t - i - 1), out);
            i = (size_t)(close - t) + 1;
            quoted = true;
        } else if (c == '"') {
            for (i++; t[i] != '"'; i++) {
                if (t[i] == '\0')
                    return SCAN_ERROR;
                if (t[i] == '$' || t[i] == '`')
                    return SCAN_SHELL;
                if (t[i] == '\\' && t[i + 1] != '\0' &&
                    strchr("\"\\$`\n", t[i + 1]) != NULL) {
                    i++; /* escaped; an escaped newline joins lines */
                    if (t[i] == '\n')
                        continue;
                }
                fputc(t[i], out);
            }
            i++;
            quoted = true;
        } else if (c == '\\') {
            if (t[i + 1] == '\0')
                return SCAN_ERROR;
            if (t[i + 1] != '\n') /* backslash-newline joins lines */
                fputc(t[i + 1], out);
            i += 2;
        } else if (is_shell_char(c) ||
                   (c == '=' && first && !quoted &&
                    is_name(t + word_start, i - word_start))) {
            return SCAN_SHELL;
        } else {
            fputc(c, out);
            i++;
        }
    }
    *pos = i;
    return SCAN_WORD;
}

static void free_argv(char **argv)
{
    if (argv == NULL)
        return;
    for (char **a = argv; *a != NULL; a++)
        free(*a);
    free(argv);
}

/* The words of t; SCAN_SHELL or SCAN_ERROR stop it. */
static enum scan split_words(const char *t, const struct images *im,
                             char ***argv_out, struct pmc_error *err)
{
    size_t cap = strlen(t) / 2 + 2, n = 0;
    char **argv = calloc(cap, sizeof(*argv));
    if (argv == NULL) {
        pmc_error_set(err, "out of memory");
        return SCAN_ERROR;
    }
    enum scan result = SCAN_WORD;
    for (size_t pos = 0;;) {
        while (is_blank(t[pos]))
            pos++;
        if (t[pos] == '\0')
            break;
        char *word = NULL;
        size_t word_len = 0;
        FILE *out = open_memstream(&word, &word_len);
        if (out == NULL) {
            result = SCAN_ERROR;
            pmc_error_set(err, "out of memory");
            break;
        }
        result = scan_word(t, &pos, out, n == 0);
        fclose(out);
        if (result == SCAN_ERROR)
            pmc_error_set(
                err, "recovery command: unterminated quote or escape: %s", t);
        char *subst = result == SCAN_WORD
                          ? substitute(word, word_len, false, im, err)
                          : NULL;
        free(word);
        if (result == SCAN_WORD && subst == NULL)
            result = SCAN_ERROR;
        if (result != SCAN_WORD)
            break;
        argv[n++] = subst; /* cap: a word takes at least two characters
                              of t with its blank, or is the last */
    }
    if (result == SCAN_WORD && n == 0) {
        pmc_error_set(err, "recovery command is empty");
        result = SCAN_ERROR;
    }
    if (result != SCAN_WORD) {
        free_argv(argv);
        return result;
    }
    *argv_out = argv;
    return SCAN_WORD;
}

int pmc_cmdline_parse(const char *tmpl, const char *const *names,
                      const char *const *paths, size_t nimages,
                      struct pmc_cmdline *out, struct pmc_error *err)
{
    struct images im = {names, paths, nimages};
    out->argv = NULL;
    out->shell = false;
    enum scan scan = split_words(tmpl, &im, &out->argv, err);
    if (scan == SCAN_WORD)
        return 0;
    if (scan == SCAN_ERROR)
        return -1;
    char *text = substitute(tmpl, strlen(tmpl), true, &im, err);
    char **argv = calloc(4, sizeof(*argv));
    if (text == NULL || argv == NULL || (argv[0] = strdup("/bin/sh")) == NULL ||
        (argv[1] = strdup("-c")) == NULL) {
        if (text != NULL)
            pmc_error_set(err, "out of memory");
        free(text);
        free_argv(argv);
        return -1;
    }
    argv[2] = text;
    out->argv = argv;
    out->shell = true;
    return 0;
}

void pmc_cmdline_free(struct pmc_cmdline *c)
{
    free_argv(c->argv);
    c->argv = NULL;
}
