/* The bank and borrower registry in Redis: each API function is one call
 * of the synd library's function of the same name (broker/ledger/synd.lua),
 * routed by the registry's set of ids, and each parser reads its reply. */
#include "ledger/books.h"
#include "ledger/internal.h"

#define RECORD_FIELDS 3 /* a bank's or borrower's fields, without its id */

/* Checks an array reply of whole records, each of width strings. */
static int records(const redisReply *r, size_t width)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements % width != 0)
        return -1;
    for (size_t i = 0; i < r->elements; i++)
        if (ledger_reply_str(r, i) == NULL)
            return -1;
    return 0;
}

/* Reads a bank's fields from r, from element at: name, net, tier-1. */
static int read_bank(const redisReply *r, size_t at, ledger_bank *b)
{
    b->name = r->element[at]->str;
    if (ledger_reply_i64(r->element[at + 1], &b->net_capital_fen) != 0 ||
        ledger_reply_i64(r->element[at + 2], &b->tier1_capital_fen) != 0)
        return -1;
    return 0;
}

/* Reads a borrower's fields from r, from element at: name, group, limit. */
static int read_borrower(const redisReply *r, size_t at, ledger_borrower *b)
{
    b->name = r->element[at]->str;
    b->group = r->element[at + 1]->str;
    return ledger_reply_i64(r->element[at + 2], &b->joint_limit_fen);
}

/* bank_put's and bank_get's reply: one bank, whose id the call holds. */
static synd_code parse_bank(ledger_call *c, const redisReply *r, ledger_result *out)
{
    ledger_bank *b = &c->one.bank;

    if (records(r, RECORD_FIELDS) != 0 || r->elements != RECORD_FIELDS || read_bank(r, 0, b) != 0)
        return SYND_INTERNAL;
    b->bank_id = c->names[0];
    out->bank = b;
    return SYND_OK;
}

/* banks_list's reply: id and fields of every bank. */
static synd_code parse_banks(ledger_call *c, const redisReply *r, ledger_result *out)
{
    size_t n = r->elements / (RECORD_FIELDS + 1);
    ledger_bank *banks;

    if (records(r, RECORD_FIELDS + 1) != 0)
        return SYND_INTERNAL;
    if ((banks = ledger_call_items(c, n, sizeof(*banks))) == NULL)
        return SYND_RESOURCE_EXHAUSTED;
    for (size_t i = 0; i < n; i++) {
        banks[i].bank_id = r->element[i * (RECORD_FIELDS + 1)]->str;
        if (read_bank(r, i * (RECORD_FIELDS + 1) + 1, &banks[i]) != 0)
            return SYND_INTERNAL;
    }
    out->banks = banks;
    out->n_items = n;
    return SYND_OK;
}

/* borrower_put's and borrower_get's reply: one borrower, whose code the
 * call holds. */
static synd_code parse_borrower(ledger_call *c, const redisReply *r, ledger_result *out)
{
    ledger_borrower *b = &c->one.borrower;

    if (records(r, RECORD_FIELDS) != 0 || r->elements != RECORD_FIELDS ||
        read_borrower(r, 0, b) != 0)
        return SYND_INTERNAL;
    b->code = c->names[0];
    out->borrower = b;
    return SYND_OK;
}

/* borrowers_list's reply: code and fields of every borrower. */
static synd_code parse_borrowers(ledger_call *c, const redisReply *r, ledger_result *out)
{
    size_t n = r->elements / (RECORD_FIELDS + 1);
    ledger_borrower *list;

    if (records(r, RECORD_FIELDS + 1) != 0)
        return SYND_INTERNAL;
    if ((list = ledger_call_items(c, n, sizeof(*list))) == NULL)
        return SYND_RESOURCE_EXHAUSTED;
    for (size_t i = 0; i < n; i++) {
        list[i].code = r->element[i * (RECORD_FIELDS + 1)]->str;
        if (read_borrower(r, i * (RECORD_FIELDS + 1) + 1, &list[i]) != 0)
            return SYND_INTERNAL;
    }
    out->borrowers = list;
    out->n_items = n;
    return SYND_OK;
}

int ledger_bank_put(ledger *l, const ledger_bank *b, ledger_cb cb, void *arg)
{
    ledger_fcall *f = ledger_fcall_new("bank_put", 0, 4, "synd:banks", NULL, NULL);

    ledger_fcall_str(f, b->bank_id);
    ledger_fcall_str(f, b->name);
    ledger_fcall_i64(f, b->net_capital_fen);
    ledger_fcall_i64(f, b->tier1_capital_fen);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_bank, b->bank_id, NULL, NULL));
}

int ledger_bank_get(ledger *l, const char *bank_id, ledger_cb cb, void *arg)
{
    ledger_fcall *f = ledger_fcall_new("bank_get", 1, 1, "synd:banks", NULL, NULL);

    ledger_fcall_str(f, bank_id);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_bank, bank_id, NULL, NULL));
}

int ledger_banks_list(ledger *l, ledger_cb cb, void *arg)
{
    ledger_fcall *f = ledger_fcall_new("banks_list", 1, 0, "synd:banks", NULL, NULL);

    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_banks, NULL, NULL, NULL));
}

int ledger_borrower_put(ledger *l, const ledger_borrower *b, ledger_cb cb, void *arg)
{
    ledger_fcall *f = ledger_fcall_new("borrower_put", 0, 4, "synd:borrowers", NULL, NULL);

    ledger_fcall_str(f, b->code);
    ledger_fcall_str(f, b->name);
    ledger_fcall_str(f, b->group);
    ledger_fcall_i64(f, b->joint_limit_fen);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_borrower, b->code, NULL, NULL));
}

int ledger_borrower_get(ledger *l, const char *code, ledger_cb cb, void *arg)
{
    ledger_fcall *f = ledger_fcall_new("borrower_get", 1, 1, "synd:borrowers", NULL, NULL);

    ledger_fcall_str(f, code);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_borrower, code, NULL, NULL));
}

int ledger_borrowers_list(ledger *l, ledger_cb cb, void *arg)
{
    ledger_fcall *f = ledger_fcall_new("borrowers_list", 1, 0, "synd:borrowers", NULL, NULL);

    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_borrowers, NULL, NULL, NULL));
}
