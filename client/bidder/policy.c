/* Policy file parsing: every refusal names the file, the line and the
 * setting, so an operator can fix the file without reading code. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libconfig.h>

#include "bidder/policy.h"
#include "book/industry.h"

#define MAX_SPREAD_BPS 10000 /* |min_spread_bps| bound: 100% over the reference rate */
#define MAX_TENOR      1200  /* months: a hundred years */

/* Where s sits in the file: its own line, or failing that (libconfig
 * gives 0 for some list elements) the line of its nearest parent. */
static int line_of(const config_setting_t *s)
{
    for (; s != NULL; s = config_setting_parent(s)) {
        int line = config_setting_source_line(s);
        if (line > 0)
            return line;
    }
    return 0;
}

/* Reads an amount of fen. The int64 form (L suffix) is required: libconfig
 * 1.5 truncates larger plain integers to 32 bits without a word. The upper
 * bound also catches the clamping of a literal beyond int64. */
static synd_code get_fen(const config_setting_t *s, const char *path, const char *name,
                         int64_t *out, synd_status *st)
{
    int line = line_of(s);

    if (config_setting_type(s) == CONFIG_TYPE_INT)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s:%d: %s must be written as a 64-bit integer with an L suffix, "
                               "like 50000000000L (libconfig truncates a plain integer to 32 "
                               "bits)",
                               path, line, name);
    if (config_setting_type(s) != CONFIG_TYPE_INT64)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s:%d: %s must be an integer count of fen, like 50000000000L", path,
                               line, name);
    *out = config_setting_get_int64(s);
    if (*out <= 0 || *out > BOOK_MAX_FACILITY_FEN)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s:%d: %s must be between 1 and %lld fen", path, line, name,
                               (long long)BOOK_MAX_FACILITY_FEN);
    return SYND_OK;
}

/* Reads an integer setting into [lo, hi]. */
static synd_code get_int(const config_setting_t *s, const char *path, const char *name, int32_t lo,
                         int32_t hi, int32_t *out, synd_status *st)
{
    int type = config_setting_type(s);
    long long v = config_setting_get_int64(s);

    if ((type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) || v < lo || v > hi)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s:%d: %s must be an integer from %d to %d", path, line_of(s), name,
                               (int)lo, (int)hi);
    *out = (int32_t)v;
    return SYND_OK;
}

/* Reads one appetite entry, refusing unknown settings (a misspelt cap
 * would otherwise be ignored) and an industry listed twice. */
static synd_code add_appetite(bidder_policy *p, const config_setting_t *e, const char *path,
                              synd_status *st)
{
    bidder_appetite *a = &p->appetite[p->n_appetite];
    const char *code = NULL;
    int line = line_of(e);
    synd_status why;

    if (!config_setting_is_group(e))
        return synd_status_set(
            st, SYND_INVALID_ARGUMENT,
            "%s:%d: appetite entries must be groups like { industry = \"C30\"; }", path, line);
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < config_setting_length(e); i++) {
        const config_setting_t *s = config_setting_get_elem(e, (unsigned)i);
        const char *name = config_setting_name(s);

        if (strcmp(name, "industry") == 0) {
            code = config_setting_get_string(s);
            if (code == NULL)
                return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                       "%s:%d: appetite industry must be a string like \"C30\"",
                                       path, line_of(s));
        } else if (strcmp(name, "max_ticket_fen") == 0) {
            if (get_fen(s, path, "appetite max_ticket_fen", &a->max_ticket_fen, st) != SYND_OK)
                return st->code;
        } else {
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "%s:%d: unknown appetite setting '%s' (known: industry, "
                                   "max_ticket_fen)",
                                   path, line_of(s), name);
        }
    }
    if (code == NULL)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s:%d: appetite entry needs industry = \"<GB/T 4754 code>\";", path,
                               line);
    if (book_industry_normalize(code, a->industry, &why) != SYND_OK)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: appetite industry: %s", path,
                               line, why.message);
    for (size_t i = 0; i < p->n_appetite; i++) {
        if (strcmp(p->appetite[i].industry, a->industry) == 0)
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "%s:%d: appetite industry %s is listed twice", path, line,
                                   a->industry);
    }
    p->n_appetite++;
    return SYND_OK;
}

static synd_code load_appetite(bidder_policy *p, const config_setting_t *list, const char *path,
                               synd_status *st)
{
    int n = config_setting_length(list);

    if (!config_setting_is_list(list) || n == 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s:%d: appetite must be a non-empty list ( { industry = \"C\"; }, "
                               "... )",
                               path, line_of(list));
    if (n > BIDDER_MAX_APPETITE)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s:%d: appetite lists %d industries; at most %d", path,
                               line_of(list), n, BIDDER_MAX_APPETITE);
    for (int i = 0; i < n; i++) {
        if (add_appetite(p, config_setting_get_elem(list, (unsigned)i), path, st) != SYND_OK)
            return st->code;
    }
    return SYND_OK;
}

/* Reads one top-level setting into p. Unknown names are refused, so that
 * a typo never silently leaves a limit unset. */
static synd_code load_setting(bidder_policy *p, const config_setting_t *s, const char *path,
                              synd_status *st)
{
    const char *name = config_setting_name(s);

    if (strcmp(name, "appetite") == 0)
        return load_appetite(p, s, path, st);
    if (strcmp(name, "max_ticket_fen") == 0)
        return get_fen(s, path, name, &p->max_ticket_fen, st);
    if (strcmp(name, "min_spread_bps") == 0)
        return get_int(s, path, name, -MAX_SPREAD_BPS, MAX_SPREAD_BPS, &p->min_spread_bps, st);
    if (strcmp(name, "headroom_share_bps") == 0)
        return get_int(s, path, name, 1, BOOK_BPS, &p->headroom_share_bps, st);
    if (strcmp(name, "max_tenor_months") == 0)
        return get_int(s, path, name, 1, MAX_TENOR, &p->max_tenor_months, st);
    return synd_status_set(st, SYND_INVALID_ARGUMENT,
                           "%s:%d: unknown setting '%s' (known: appetite, max_ticket_fen, "
                           "min_spread_bps, headroom_share_bps, max_tenor_months)",
                           path, line_of(s), name);
}

/* Checks that the settings without a default are all present. */
static synd_code check_required(const config_t *cfg, const char *path, synd_status *st)
{
    static const char *const required[] = {"appetite", "max_ticket_fen", "min_spread_bps",
                                           "headroom_share_bps"};

    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (config_lookup(cfg, required[i]) == NULL)
            return synd_status_set(st, SYND_INVALID_ARGUMENT, "%s: missing setting %s", path,
                                   required[i]);
    }
    return SYND_OK;
}

/* Opens the file itself so that a missing one is reported with errno,
 * where libconfig says only "file I/O error". */
static synd_code load(config_t *cfg, const char *path, bidder_policy *p, synd_status *st)
{
    const config_setting_t *root;
    FILE *f = fopen(path, "r");
    int ok;

    if (f == NULL)
        return synd_status_set(st, SYND_NOT_FOUND, "%s: cannot open: %s", path, strerror(errno));
    ok = config_read(cfg, f);
    fclose(f);
    if (!ok)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: %s", path, config_error_line(cfg),
                               config_error_text(cfg));
    if (check_required(cfg, path, st) != SYND_OK)
        return st->code;
    root = config_root_setting(cfg);
    for (int i = 0; i < config_setting_length(root); i++) {
        if (load_setting(p, config_setting_get_elem(root, (unsigned)i), path, st) != SYND_OK)
            return st->code;
    }
    return SYND_OK;
}

synd_code bidder_policy_load(const char *path, bidder_policy *p, synd_status *st)
{
    config_t cfg;
    synd_code rc;

    memset(p, 0, sizeof(*p));
    config_init(&cfg);
    rc = load(&cfg, path, p, st);
    config_destroy(&cfg);
    if (rc == SYND_OK)
        st->message[0] = '\0';
    st->code = rc;
    return rc;
}
