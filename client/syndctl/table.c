/* Tables and figures on a terminal: column-aligned text tables, integer
 * percentages and times. Shared by every command that prints a list, so
 * that all of them look alike. Pure code, unit-tested. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

struct ctl_table {
    size_t ncols, nrows, cap; /* nrows counts the headings as row 0 */
    char align[16];
    char **cells; /* nrows * ncols copies */
    int lost;     /* a row was dropped for want of memory */
};

ctl_table *ctl_table_new(size_t ncols, const char *const *heads, const char *align)
{
    ctl_table *t;

    if (ncols == 0 || ncols >= sizeof(t->align) || strlen(align) != ncols)
        return NULL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->ncols = ncols;
    memcpy(t->align, align, ncols);
    ctl_table_add(t, heads);
    if (t->lost) {
        ctl_table_free(t);
        return NULL;
    }
    return t;
}

void ctl_table_add(ctl_table *t, const char *const *cells)
{
    char **row;

    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        char **grown = realloc(t->cells, cap * t->ncols * sizeof(*grown));
        if (grown == NULL) {
            t->lost = 1;
            return;
        }
        t->cells = grown;
        t->cap = cap;
    }
    row = t->cells + t->nrows * t->ncols;
    for (size_t i = 0; i < t->ncols; i++) {
        row[i] = strdup(cells[i]);
        if (row[i] == NULL) {
            while (i-- > 0)
                free(row[i]);
            t->lost = 1;
            return;
        }
    }
    t->nrows++;
}

/* Writes n copies of c. */
static void repeat(FILE *out, char c, size_t n)
{
    while (n-- > 0)
        fputc(c, out);
}

/* One row, each cell padded to its column's width by its alignment; the
 * line gets no trailing blanks. */
static void print_row(const ctl_table *t, char *const *row, const size_t *widths, FILE *out)
{
    for (size_t i = 0; i < t->ncols; i++) {
        size_t pad = widths[i] - ctl_text_width(row[i]);
        if (i + 1 == t->ncols && row[i][0] == '\0')
            break;
        if (i > 0)
            fputs("  ", out);
        if (t->align[i] == 'r')
            repeat(out, ' ', pad);
        fputs(row[i], out);
        if (t->align[i] != 'r' && i + 1 < t->ncols)
            repeat(out, ' ', pad);
    }
    fputc('\n', out);
}

int ctl_table_print(const ctl_table *t, FILE *out)
{
    size_t *widths;

    if (t->lost)
        return -1;
    widths = calloc(t->ncols, sizeof(*widths));
    if (widths == NULL)
        return -1;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t i = 0; i < t->ncols; i++) {
            size_t w = ctl_text_width(t->cells[r * t->ncols + i]);
            if (w > widths[i])
                widths[i] = w;
        }
    }
    print_row(t, t->cells, widths, out);
    for (size_t i = 0; i < t->ncols; i++) {
        if (i > 0)
            fputs("  ", out);
        repeat(out, '-', widths[i]);
    }
    fputc('\n', out);
    for (size_t r = 1; r < t->nrows; r++)
        print_row(t, t->cells + r * t->ncols, widths, out);
    free(widths);
    return 0;
}

void ctl_table_free(ctl_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

/* East Asian wide and fullwidth code points, which a terminal shows in two
 * columns: Hangul Jamo, CJK (radicals to Yi), Hangul syllables, CJK
 * compatibility, vertical and fullwidth forms, and the ideographs beyond
 * the BMP. */
static int is_wide(unsigned long cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
           (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
           (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
           (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
}

size_t ctl_text_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t width = 0;

    while (*p != '\0') {
        unsigned long cp;
        int n;

        if (*p < 0x80) {
            cp = *p, n = 1;
        } else if ((*p & 0xe0) == 0xc0) {
            cp = *p & 0x1f, n = 2;
        } else if ((*p & 0xf0) == 0xe0) {
            cp = *p & 0x0f, n = 3;
        } else if ((*p & 0xf8) == 0xf0) {
            cp = *p & 0x07, n = 4;
        } else {
            cp = 0, n = 1; /* a stray byte shows as one replacement character */
        }
        for (int i = 1; i < n; i++) {
            if ((p[i] & 0xc0) != 0x80) { /* cut short, maybe by the NUL */
                n = i;
                break;
            }
            cp = cp << 6 | (p[i] & 0x3f);
        }
        p += n;
        width += is_wide(cp) ? 2 : 1;
    }
    return width;
}

char *ctl_pct(int64_t part, int64_t whole, char *out, size_t len)
{
    __extension__ typedef __int128 i128;
    i128 bps;

    if (whole <= 0) {
        snprintf(out, len, "-");
        return out;
    }
    bps = (i128)part * 10000 / whole; /* exact: both factors are below 2^64 */
    if (bps > INT64_MAX || bps < -INT64_MAX) {
        snprintf(out, len, "-");
        return out;
    }
    int64_t v = (int64_t)bps, mag = v < 0 ? -v : v;
    snprintf(out, len, "%s%lld.%02lld%%", v < 0 ? "-" : "", (long long)(mag / 100),
             (long long)(mag % 100));
    return out;
}

char *ctl_time(int64_t ms, char *out, size_t len)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;

    if (ms == 0 || gmtime_r(&secs, &tm) == NULL ||
        strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, len, "-");
    return out;
}
