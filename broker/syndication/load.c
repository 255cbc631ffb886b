/* Bringing the service up: the registry file into Redis, then every book
 * Redis holds into the catalog, each open book with its close timer. */
#include <string.h>

#include "log.h"
#include "rpc/envelope.h"
#include "syndication/internal.h"

/* Counts one answered step; the last one decides the load's outcome. */
static void step_done(syndication *s, synd_code code, const char *what, const char *message)
{
    if (code != SYND_OK) {
        log_error("loading %s: %s", what, message);
        s->load_failed = 1;
    }
    if (--s->pending > 0)
        return;
    s->loading = 0;
    if (s->load_failed) {
        s->retry_ms = rpc_now_ms() + 1000;
        log_warn("load incomplete; retrying in 1 s");
        return;
    }
    s->ready = 1;
    log_info("ready: %zu books loaded", catalog_count(s->cat));
}

static void on_put(void *arg, const ledger_result *r)
{
    step_done(arg, r->code, "the registry", r->message);
}

/* Indexes one stored book; a terminal book is kept too, so that reads of
 * it find its group. */
static void on_book(void *arg, const ledger_result *r)
{
    syndication *s = arg;
    const ledger_book *b = r->book;
    Synd__V1__BookTerms *wire;
    synd_status st = {SYND_OK, ""};

    if (r->code == SYND_OK && catalog_find(s->cat, b->book_id) == NULL) {
        wire = synd__v1__book_terms__unpack(NULL, b->terms_len, b->terms);
        if (wire == NULL)
            synd_status_set(&st, SYND_DATA_LOSS, "terms of book %s do not decode", b->book_id);
        else
            catalog_add(s->cat, b->book_id, b->group, b->lead, b->state, b->opened_ms, wire,
                        s->rules, &st);
    }
    step_done(s, r->code != SYND_OK ? r->code : st.code, "a book",
              r->code != SYND_OK ? r->message : st.message);
}

static void on_index(void *arg, const ledger_result *r)
{
    syndication *s = arg;

    for (size_t i = 0; r->code == SYND_OK && i < r->n_items; i++) {
        const char *id = r->ids[2 * i], *group = r->ids[2 * i + 1];
        if (catalog_find(s->cat, id) != NULL)
            continue;
        if (ledger_book_get(s->l, group, id, on_book, s) == 0)
            s->pending++;
        else
            s->load_failed = 1;
    }
    step_done(s, r->code, "the book index", r->message);
}

/* Queues one ledger call of the load, counting it. */
static void queue(syndication *s, int rc)
{
    if (rc == 0)
        s->pending++;
    else
        s->load_failed = 1;
}

static int known_bank(const ledger_result *r, const char *id)
{
    for (size_t i = 0; i < r->n_items; i++) {
        if (strcmp(r->banks[i].bank_id, id) == 0)
            return 1;
    }
    return 0;
}

static int known_borrower(const ledger_result *r, const char *code)
{
    for (size_t i = 0; i < r->n_items; i++) {
        if (strcmp(r->borrowers[i].code, code) == 0)
            return 1;
    }
    return 0;
}

/* The registry file seeds Redis: a bank it lists that Redis does not
 * know yet is added; one Redis knows keeps what operators set since. */
static void on_banks(void *arg, const ledger_result *r)
{
    syndication *s = arg;

    for (size_t i = 0; r->code == SYND_OK && i < registry_bank_count(s->reg); i++) {
        const registry_bank *b = registry_bank_at(s->reg, i);
        ledger_bank lb = {b->id, b->name, b->net_capital_fen, b->tier1_capital_fen};
        if (!known_bank(r, b->id))
            queue(s, ledger_bank_put(s->l, &lb, on_put, s));
    }
    step_done(s, r->code, "the banks", r->message);
}

/* As on_banks, for borrowers: a joint limit an operator set survives a
 * restart with the same file. */
static void on_borrowers(void *arg, const ledger_result *r)
{
    syndication *s = arg;

    for (size_t i = 0; r->code == SYND_OK && i < registry_borrower_count(s->reg); i++) {
        const registry_borrower *b = registry_borrower_at(s->reg, i);
        ledger_borrower lb = {b->code, b->name, b->group, b->joint_limit_fen};
        if (!known_borrower(r, b->code))
            queue(s, ledger_borrower_put(s->l, &lb, on_put, s));
    }
    step_done(s, r->code, "the borrowers", r->message);
}

void syndication_load_start(syndication *s)
{
    s->loading = 1;
    s->load_failed = 0;
    s->pending = 1; /* held until every step is queued */
    if (s->reg != NULL) {
        queue(s, ledger_banks_list(s->l, on_banks, s));
        queue(s, ledger_borrowers_list(s->l, on_borrowers, s));
    }
    queue(s, ledger_book_index(s->l, on_index, s));
    step_done(s, SYND_OK, "", "");
}

void syndication_on_ledger_up(syndication *s)
{
    if (!s->ready && !s->loading)
        syndication_load_start(s);
}
