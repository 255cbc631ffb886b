/* The terms of a book, from book open's flags or from a libconfig terms
 * file. One table lists every term once; the flags, the file settings and
 * the help text all come from it, so the two ways of writing terms cannot
 * drift apart. The client checks only the form of each value: the broker
 * judges the terms against its rules and names the rule it refuses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "book/terms.h"
#include "ctl.h"

/* The book module's enums are the wire's, number for number: its parse
 * functions then give the wire value, spelled as the broker spells it. */
_Static_assert((int)BOOK_LPR_1Y == SYND__V1__REFERENCE_RATE__LPR_1Y &&
                   (int)BOOK_LPR_5Y == SYND__V1__REFERENCE_RATE__LPR_5Y,
               "reference rates");
_Static_assert((int)BOOK_PRO_RATA == SYND__V1__ALLOCATION_METHOD__PRO_RATA &&
                   (int)BOOK_PRICE_PRIORITY == SYND__V1__ALLOCATION_METHOD__PRICE_PRIORITY,
               "allocation methods");
_Static_assert((int)BOOK_UNDERWRITTEN == SYND__V1__SHORTFALL_RULE__UNDERWRITTEN &&
                   (int)BOOK_BEST_EFFORTS == SYND__V1__SHORTFALL_RULE__BEST_EFFORTS,
               "shortfall rules");
_Static_assert((int)BOOK_BASIS_ONE_OFF_BPS == SYND__V1__FEE_BASIS__ONE_OFF_BPS &&
                   (int)BOOK_BASIS_UNDRAWN_BPS == SYND__V1__FEE_BASIS__UNDRAWN_BPS &&
                   (int)BOOK_BASIS_FIXED_YEARLY == SYND__V1__FEE_BASIS__FIXED_YEARLY &&
                   (int)BOOK_BASIS_RATE_ADD_ON == SYND__V1__FEE_BASIS__RATE_ADD_ON,
               "fee bases");

typedef enum term_id {
    T_BORROWER,
    T_INDUSTRY,
    T_PROJECT,
    T_FACILITY,
    T_UNIT,
    T_TENOR,
    T_RATE,
    T_SPREAD_FLOOR,
    T_SPREAD_CAP,
    T_MIN_TICKET,
    T_CLOSE_IN,
    T_CLOSE_AT,
    T_LEAD,
    T_FEE,
    T_TIE_IN,
    T_METHOD,
    T_SHORTFALL,
    T_BORROWER_MIN,
    T_COUNT
} term_id;

/* How a term's value is written: text only, or also a libconfig integer. */
enum { TEXT_ONLY, NUMBER_OK };

typedef struct term_spec {
    const char *name; /* the flag; the setting writes '-' as '_' */
    int number_ok;    /* a file may give it as an integer */
    int list;         /* repeatable flag, list setting */
} term_spec;

static const term_spec specs[T_COUNT] = {
    [T_BORROWER] = {"borrower", TEXT_ONLY, 0},
    [T_INDUSTRY] = {"industry", TEXT_ONLY, 0},
    [T_PROJECT] = {"project", TEXT_ONLY, 0},
    [T_FACILITY] = {"facility", NUMBER_OK, 0},
    [T_UNIT] = {"unit", NUMBER_OK, 0},
    [T_TENOR] = {"tenor", NUMBER_OK, 0},
    [T_RATE] = {"rate", TEXT_ONLY, 0},
    [T_SPREAD_FLOOR] = {"spread-floor", NUMBER_OK, 0},
    [T_SPREAD_CAP] = {"spread-cap", NUMBER_OK, 0},
    [T_MIN_TICKET] = {"min-ticket", NUMBER_OK, 0},
    [T_CLOSE_IN] = {"close-in", NUMBER_OK, 0},
    [T_CLOSE_AT] = {"close-at", NUMBER_OK, 0},
    [T_LEAD] = {"lead", TEXT_ONLY, 1},
    [T_FEE] = {"fee", TEXT_ONLY, 1},
    [T_TIE_IN] = {"tie-in", TEXT_ONLY, 1},
    [T_METHOD] = {"method", TEXT_ONLY, 0},
    [T_SHORTFALL] = {"shortfall", TEXT_ONLY, 0},
    [T_BORROWER_MIN] = {"borrower-min", NUMBER_OK, 0},
};

const char ctl_terms_help[] =
    "TERMS, as flags or as settings of a libconfig --file (flags win; the file\n"
    "writes '-' as '_', and a repeatable flag as a list of strings):\n"
    "  --borrower CODE         unified social credit code (18 characters)\n"
    "  --industry CODE         GB/T 4754-2017 industry code, e.g. C3011\n"
    "  --project TEXT          what the loan finances\n"
    "  --facility AMOUNT       amount raised, leads included\n"
    "  --unit AMOUNT           allocation unit (default: the broker's)\n"
    "  --tenor MONTHS\n"
    "  --rate LPR_1Y|LPR_5Y    reference rate\n"
    "  --spread-floor BPS      price talk over the reference rate: floor\n"
    "  --spread-cap BPS        and cap\n"
    "  --min-ticket AMOUNT     smallest participant share\n"
    "  --close-in SECONDS      close time from now, or\n"
    "  --close-at UNIX_MS      close time\n"
    "  --lead BANK:HOLD        a lead and its hold (repeatable)\n"
    "  --fee KIND:BASIS:VALUE  KIND arrangement|commitment|agency; BASIS\n"
    "                          one_off_bps|undrawn_bps|fixed_yearly|rate_add_on;\n"
    "                          VALUE bps, or AMOUNT for fixed_yearly (repeatable)\n"
    "  --tie-in TEXT           a tie-in condition (repeatable; the broker refuses it)\n"
    "  --method PRO_RATA|PRICE_PRIORITY        (default PRO_RATA)\n"
    "  --shortfall UNDERWRITTEN|BEST_EFFORTS   (default UNDERWRITTEN)\n"
    "  --borrower-min AMOUNT   best efforts: the least the borrower accepts\n"
    "AMOUNT is yuan: 1234.56, 500k, 250m, 1.5bn, ¥3,000,000,000.\n"
    "Example: examples/terms-3bn.conf.\n";

Synd__V1__BookTerms *ctl_terms_new(void)
{
    Synd__V1__BookTerms *t = malloc(sizeof(*t));

    if (t != NULL)
        synd__v1__book_terms__init(t);
    return t;
}

void ctl_terms_free(Synd__V1__BookTerms *t)
{
    if (t != NULL)
        protobuf_c_message_free_unpacked(&t->base, NULL);
}

/* Sets a string field to a copy of text, freeing what it held unless that
 * was protobuf-c's shared empty string. */
static int set_string(char **field, const char *text, synd_status *st)
{
    char *copy = strdup(text);

    if (copy == NULL) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    if (*field != protobuf_c_empty_string)
        free(*field);
    *field = copy;
    return 0;
}

/* Splits text at its colons into at most n non-empty parts, copied into
 * buf; returns how many parts there were, or -1 if one was empty. */
static int split_colons(const char *text, char *buf, size_t len, char **parts, int n)
{
    int count = 0;

    if (snprintf(buf, len, "%s", text) >= (int)len)
        return -1;
    for (char *p = buf;; p++) {
        char *colon = strchr(p, ':');
        if (count == n)
            return -1;
        parts[count++] = p;
        if (colon == NULL)
            break;
        *colon = '\0';
        p = colon;
    }
    for (int i = 0; i < count; i++) {
        if (parts[i][0] == '\0')
            return -1;
    }
    return count;
}

Synd__V1__LeadHold *ctl_lead_parse(const char *text, synd_status *st)
{
    char buf[256], *parts[2];
    Synd__V1__LeadHold *lead;
    synd_status inner;
    int64_t hold;

    if (split_colons(text, buf, sizeof(buf), parts, 2) != 2) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "lead '%s': write BANK:HOLD, e.g. ICBC:450m",
                        text);
        return NULL;
    }
    if (synd_money_parse(parts[1], 0, &hold, &inner) != 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "lead '%s': hold %s", text, inner.message);
        return NULL;
    }
    lead = malloc(sizeof(*lead));
    if (lead == NULL) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    synd__v1__lead_hold__init(lead);
    lead->hold_fen = hold;
    if (set_string(&lead->bank_id, parts[0], st) != 0) {
        protobuf_c_message_free_unpacked(&lead->base, NULL);
        return NULL;
    }
    return lead;
}

Synd__V1__Fee *ctl_fee_parse(const char *text, synd_status *st)
{
    char buf[256], *parts[3];
    Synd__V1__Fee *fee;
    book_fee_basis basis;
    synd_status inner;
    int64_t fen = 0;
    int32_t bps = 0;

    if (split_colons(text, buf, sizeof(buf), parts, 3) != 3) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "fee '%s': write KIND:BASIS:VALUE, e.g. arrangement:one_off_bps:25", text);
        return NULL;
    }
    if (book_fee_basis_parse(parts[1], &basis) != 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "fee '%s': basis '%s' is not one_off_bps, undrawn_bps, fixed_yearly or "
                        "rate_add_on",
                        text, parts[1]);
        return NULL;
    }
    if (basis == BOOK_BASIS_FIXED_YEARLY ? synd_money_parse(parts[2], 0, &fen, &inner) != 0
                                         : ctl_parse_i32("bps", parts[2], &bps, &inner) != 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "fee '%s': %s", text, inner.message);
        return NULL;
    }
    fee = malloc(sizeof(*fee));
    if (fee == NULL) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    synd__v1__fee__init(fee);
    fee->basis = (Synd__V1__FeeBasis)basis;
    fee->bps = bps;
    fee->fen = fen;
    if (set_string(&fee->kind, parts[0], st) != 0) {
        protobuf_c_message_free_unpacked(&fee->base, NULL);
        return NULL;
    }
    return fee;
}

/* Room for one more pointer in a repeated field. */
static void *grow(void *array, size_t n, size_t size, synd_status *st)
{
    void *grown = realloc(array, (n + 1) * size);

    if (grown == NULL)
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
    return grown;
}

/* Appends one element of a repeated term parsed from text. */
static int add_to_list(Synd__V1__BookTerms *t, term_id id, const char *text, synd_status *st)
{
    if (id == T_LEAD) {
        Synd__V1__LeadHold *lead = ctl_lead_parse(text, st), **leads;
        if (lead == NULL)
            return -1;
        leads = grow(t->leads, t->n_leads, sizeof(*leads), st);
        if (leads == NULL) {
            protobuf_c_message_free_unpacked(&lead->base, NULL);
            return -1;
        }
        t->leads = leads;
        t->leads[t->n_leads++] = lead;
    } else if (id == T_FEE) {
        Synd__V1__Fee *fee = ctl_fee_parse(text, st), **fees;
        if (fee == NULL)
            return -1;
        fees = grow(t->fees, t->n_fees, sizeof(*fees), st);
        if (fees == NULL) {
            protobuf_c_message_free_unpacked(&fee->base, NULL);
            return -1;
        }
        t->fees = fees;
        t->fees[t->n_fees++] = fee;
    } else {
        char *copy = strdup(text), **tie_ins;
        if (copy == NULL) {
            synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
            return -1;
        }
        tie_ins = grow(t->tie_ins, t->n_tie_ins, sizeof(*tie_ins), st);
        if (tie_ins == NULL) {
            free(copy);
            return -1;
        }
        t->tie_ins = tie_ins;
        t->tie_ins[t->n_tie_ins++] = copy;
    }
    return 0;
}

/* Empties a repeated term, so that flags replace the file's list. */
static void clear_list(Synd__V1__BookTerms *t, term_id id)
{
    if (id == T_LEAD) {
        for (size_t i = 0; i < t->n_leads; i++)
            protobuf_c_message_free_unpacked(&t->leads[i]->base, NULL);
        free(t->leads);
        t->leads = NULL;
        t->n_leads = 0;
    } else if (id == T_FEE) {
        for (size_t i = 0; i < t->n_fees; i++)
            protobuf_c_message_free_unpacked(&t->fees[i]->base, NULL);
        free(t->fees);
        t->fees = NULL;
        t->n_fees = 0;
    } else {
        for (size_t i = 0; i < t->n_tie_ins; i++)
            free(t->tie_ins[i]);
        free(t->tie_ins);
        t->tie_ins = NULL;
        t->n_tie_ins = 0;
    }
}

/* Parses one of the enum names, as the book module spells them. */
static int set_enum(term_id id, const char *text, Synd__V1__BookTerms *t, synd_status *st)
{
    book_ref_rate rate;
    book_method method;
    book_shortfall shortfall;

    if (id == T_RATE && book_ref_rate_parse(text, &rate) == 0) {
        t->reference_rate = (Synd__V1__ReferenceRate)rate;
        return 0;
    }
    if (id == T_METHOD && book_method_parse(text, &method) == 0) {
        t->method = (Synd__V1__AllocationMethod)method;
        return 0;
    }
    if (id == T_SHORTFALL && book_shortfall_parse(text, &shortfall) == 0) {
        t->shortfall = (Synd__V1__ShortfallRule)shortfall;
        return 0;
    }
    synd_status_set(st, SYND_INVALID_ARGUMENT, "'%s' is not %s", text,
                    id == T_RATE     ? "LPR_1Y or LPR_5Y"
                    : id == T_METHOD ? "PRO_RATA or PRICE_PRIORITY"
                                     : "UNDERWRITTEN or BEST_EFFORTS");
    return -1;
}

/* A close time from now: seconds to unix ms, checked for overflow. */
static int set_close_in(Synd__V1__BookTerms *t, const char *text, int64_t now_ms, synd_status *st)
{
    int64_t secs;

    if (ctl_parse_int("seconds", text, 1, INT64_MAX / 1000, &secs, st) != 0)
        return -1;
    if (__builtin_add_overflow(now_ms, secs * 1000, &t->close_ms)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s seconds from now is too late", text);
        return -1;
    }
    return 0;
}

/* Sets term id from its text, whether a flag's value or a setting's. The
 * message in st is about the value; the caller says where it came from. */
static int set_term(Synd__V1__BookTerms *t, term_id id, const char *text, int64_t now_ms,
                    synd_status *st)
{
    switch (id) {
    case T_BORROWER:
        return set_string(&t->borrower_code, text, st);
    case T_INDUSTRY:
        return set_string(&t->industry_code, text, st);
    case T_PROJECT:
        return set_string(&t->project, text, st);
    case T_FACILITY:
        return synd_money_parse(text, 0, &t->facility_fen, st);
    case T_UNIT:
        return synd_money_parse(text, 0, &t->unit_fen, st);
    case T_MIN_TICKET:
        return synd_money_parse(text, 0, &t->min_ticket_fen, st);
    case T_BORROWER_MIN:
        return synd_money_parse(text, 0, &t->borrower_min_fen, st);
    case T_TENOR:
        return ctl_parse_i32("months", text, &t->tenor_months, st);
    case T_SPREAD_FLOOR:
        return ctl_parse_i32("bps", text, &t->spread_floor_bps, st);
    case T_SPREAD_CAP:
        return ctl_parse_i32("bps", text, &t->spread_cap_bps, st);
    case T_CLOSE_IN:
        return set_close_in(t, text, now_ms, st);
    case T_CLOSE_AT:
        return ctl_parse_int("unix ms", text, 1, INT64_MAX, &t->close_ms, st);
    case T_RATE:
    case T_METHOD:
    case T_SHORTFALL:
        return set_enum(id, text, t, st);
    case T_LEAD:
    case T_FEE:
    case T_TIE_IN:
    case T_COUNT:
        break;
    }
    return add_to_list(t, id, text, st);
}

/* True if a setting's name is the flag's, with '_' for each '-'. */
static int setting_is(const char *setting, const char *flag)
{
    for (; *flag != '\0'; flag++, setting++) {
        if (*setting != (*flag == '-' ? '_' : *flag))
            return 0;
    }
    return *setting == '\0';
}

/* Fails a file with "path:line: setting: why". */
static int file_error(synd_status *st, const char *path, const config_setting_t *s,
                      const char *name, const char *why)
{
    synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: %s: %s", path, config_setting_source_line(s),
                    name, why);
    return -1;
}

/* A scalar setting as text: a string as it is, an integer in decimal (only
 * where the term is a number). */
static const char *setting_text(const config_setting_t *s, int number_ok, char *buf, size_t len)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_STRING:
        return config_setting_get_string(s);
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        if (!number_ok)
            return NULL;
        snprintf(buf, len, "%lld", config_setting_get_int64(s));
        return buf;
    default:
        return NULL;
    }
}

/* Applies one setting of a terms file. A list term takes a string or a
 * list or array of strings. */
static int apply_setting(Synd__V1__BookTerms *t, term_id id, const config_setting_t *s,
                         const char *path, int64_t now_ms, synd_status *st)
{
    const char *name = config_setting_name(s);
    synd_status inner;
    char buf[32], where[96];
    const char *text;

    if (specs[id].list && (config_setting_is_list(s) || config_setting_is_array(s))) {
        for (int i = 0; i < config_setting_length(s); i++) {
            const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
            snprintf(where, sizeof(where), "%s[%d]", name, i);
            if (config_setting_type(e) != CONFIG_TYPE_STRING)
                return file_error(st, path, e, where, "must be a string");
            if (add_to_list(t, id, config_setting_get_string(e), &inner) != 0)
                return file_error(st, path, e, where, inner.message);
        }
        return 0;
    }
    text = setting_text(s, specs[id].number_ok, buf, sizeof(buf));
    if (text == NULL) {
        return file_error(st, path, s, name,
                          specs[id].list        ? "must be a string or a list of strings"
                          : specs[id].number_ok ? "must be a string or an integer (amounts: "
                                                  "\"1.5bn\" or whole yuan, never a float)"
                                                : "must be a string");
    }
    if (set_term(t, id, text, now_ms, &inner) != 0)
        return file_error(st, path, s, name, inner.message);
    return 0;
}

int ctl_terms_read_file(Synd__V1__BookTerms *t, const char *path, int64_t now_ms, synd_status *st)
{
    config_t cfg;
    config_setting_t *root, *close = NULL;
    FILE *f = fopen(path, "r");
    int rc = 0;

    if (f == NULL) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "cannot read terms file %s: %s", path,
                        strerror(errno));
        return -1;
    }
    config_init(&cfg);
    if (config_read(&cfg, f) != CONFIG_TRUE) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: %s", path, config_error_line(&cfg),
                        config_error_text(&cfg));
        rc = -1;
    }
    fclose(f);
    root = config_root_setting(&cfg);
    for (int i = 0; rc == 0 && i < config_setting_length(root); i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        term_id id = 0;

        while (id < T_COUNT && !setting_is(name, specs[id].name))
            id++;
        if (id == T_COUNT) {
            rc = file_error(st, path, s, name, "unknown setting (see syndctl book open --help)");
        } else if ((id == T_CLOSE_IN || id == T_CLOSE_AT) && close != NULL) {
            rc = file_error(st, path, s, name, "give close_in or close_at, not both");
        } else {
            if (id == T_CLOSE_IN || id == T_CLOSE_AT)
                close = s;
            rc = apply_setting(t, id, s, path, now_ms, st);
        }
    }
    config_destroy(&cfg);
    return rc;
}

int ctl_terms_from_args(Synd__V1__BookTerms *t, int argc, char **argv, int64_t now_ms,
                        synd_status *st)
{
    enum { OPT_FILE = T_COUNT, OPT_HELP };
    struct option opts[T_COUNT + 3];
    const char *file = NULL;
    int *ids = calloc((size_t)argc, sizeof(*ids));
    char **values = calloc((size_t)argc, sizeof(*values));
    int n = 0, seen_close = 0, rc = 0, o;
    unsigned cleared = 0;
    synd_status inner;

    if (ids == NULL || values == NULL) {
        free(ids);
        free(values);
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    for (int i = 0; i < T_COUNT; i++)
        opts[i] = (struct option){specs[i].name, required_argument, NULL, i};
    opts[T_COUNT] = (struct option){"file", required_argument, NULL, OPT_FILE};
    opts[T_COUNT + 1] = (struct option){"help", no_argument, NULL, OPT_HELP};
    opts[T_COUNT + 2] = (struct option){NULL, 0, NULL, 0};

    optind = 0; /* glibc: start afresh on a new argv */
    opterr = 0;
    while (rc == 0 && (o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (o == OPT_HELP) {
            rc = 1;
        } else if (o == OPT_FILE) {
            file = optarg;
        } else if (o >= 0 && o < T_COUNT) {
            if (o == T_CLOSE_IN || o == T_CLOSE_AT) {
                if (seen_close++ > 0) {
                    synd_status_set(st, SYND_INVALID_ARGUMENT,
                                    "give --close-in or --close-at, once");
                    rc = -1;
                }
            }
            ids[n] = o;
            values[n++] = optarg;
        } else {
            ctl_opt_error(o, argv, st);
            rc = -1;
        }
    }
    if (rc == 0 && optind < argc) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "unexpected argument '%s'", argv[optind]);
        rc = -1;
    }
    if (rc == 0 && file == NULL && n == 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "no terms: give --file FILE or the terms as "
                        "flags");
        rc = -1;
    }
    if (rc == 0 && file != NULL)
        rc = ctl_terms_read_file(t, file, now_ms, st);
    for (int i = 0; rc == 0 && i < n; i++) {
        if (specs[ids[i]].list && !(cleared & 1u << ids[i])) {
            clear_list(t, (term_id)ids[i]);
            cleared |= 1u << ids[i];
        }
        if (set_term(t, (term_id)ids[i], values[i], now_ms, &inner) != 0) {
            synd_status_set(st, inner.code, "--%s: %s", specs[ids[i]].name, inner.message);
            rc = -1;
        }
    }
    free(ids);
    free(values);
    return rc;
}
