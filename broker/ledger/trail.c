/* The audit trail: a hash chain in the Redis stream synd:audit.
 *
 * Each record's hash covers its fields and the hash of the record before
 * it (synd/audit.h). Lua in Redis has no SHA-256, so the hashes are
 * computed here, and the synd library's audit_append is a
 * compare-and-append: it writes the records only if the prev given is
 * still the chain's head (synd:audit:head), else refuses with ABORTED,
 * naming the head. So this ledger keeps one append in flight, carrying
 * every record queued (up to BATCH) in order, and knows the head its last
 * append left. When another broker appended in between, the refusal
 * tells the new head, and the records are relinked to it and sent again
 * at once, MAX_TRIES times at most. The reads are calls of audit_read,
 * which returns the chain's two ends with the records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/books.h"
#include "ledger/internal.h"
#include "log.h"
#include "synd/audit.h"

#define AUDIT_KEY    "synd:audit"
#define HEAD_KEY     "synd:audit:head"
#define AUDIT_MAX    1000000    /* the records kept: audit_append trims to these */
#define BATCH        256        /* records in one append */
#define APPEND_HEAD  2          /* audit_append's ARGV: prev, max_len, then the records */
#define APPEND_WIDTH 8          /* time_ms, bank, role, method, object, code, detail, hash */
#define READ_ARGS    4          /* start, exclusive, end, count */
#define READ_HEAD    2          /* audit_read's reply: base and head, then the records */
#define MAX_TRIES    32         /* appends of the same records that find the head moved */
#define HEAD_IS      "head is " /* where the refusal names the head */

/* One record waiting for its turn, or in flight. Its texts point into
 * text. */
typedef struct trail_rec {
    struct trail_rec *next;
    ledger_audit rec;
    char hash[SYND_AUDIT_HASH_LEN]; /* computed for the append in flight */
    ledger_cb cb;
    void *arg;
    char text[];
} trail_rec;

struct ledger_trail {
    ledger *l;
    trail_rec *first, *last;
    int busy;         /* a read of the head or an append is in flight, or callers are
                         being told: appends made meanwhile only join the queue */
    size_t in_flight; /* the records of that append: the first ones queued */
    int tries;        /* appends of them refused because the head moved */
    int known;        /* head is the chain's head as this ledger last saw it */
    char head[SYND_AUDIT_HASH_LEN];
};

ledger_trail *ledger_trail_new(ledger *l)
{
    ledger_trail *t = calloc(1, sizeof(*t));

    if (t != NULL)
        t->l = l;
    return t;
}

/* Copies s (NULL: "") to *at and returns the copy. */
static const char *copy_text(char **at, const char *s)
{
    char *out = *at;
    size_t n = strlen(s ? s : "") + 1;

    memcpy(out, s ? s : "", n);
    *at += n;
    return out;
}

/* The record and its texts in one allocation, since the caller's strings
 * need not outlive the call while the append may wait its turn. */
static trail_rec *rec_new(const ledger_audit *a, ledger_cb cb, void *arg)
{
    const char *texts[] = {a->bank_id, a->role, a->method, a->object, a->detail};
    size_t size = sizeof(trail_rec);
    trail_rec *r;
    char *at;

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        size += strlen(texts[i] ? texts[i] : "") + 1;
    if ((r = calloc(1, size)) == NULL)
        return NULL;
    at = r->text;
    r->rec.time_ms = a->time_ms;
    r->rec.code = a->code;
    r->rec.bank_id = copy_text(&at, a->bank_id);
    r->rec.role = copy_text(&at, a->role);
    r->rec.method = copy_text(&at, a->method);
    r->rec.object = copy_text(&at, a->object);
    r->rec.detail = copy_text(&at, a->detail);
    r->cb = cb;
    r->arg = arg;
    return r;
}

/* Ends the first record of the queue: tells its caller (or logs a failure
 * no one waits for) and frees it. The caller may append again from cb. */
static void finish(ledger_trail *t, synd_code code, const char *message, const char *id)
{
    trail_rec *r = t->first;
    ledger_result res = {.code = code, .message = message, .id = code == SYND_OK ? id : NULL};

    if ((t->first = r->next) == NULL)
        t->last = NULL;
    if (r->cb != NULL)
        r->cb(r->arg, &res);
    else if (code != SYND_OK)
        log_warn("redis: audit_append failed: %s", message);
    free(r);
}

/* Ends the n first records with the same outcome. */
static void finish_all(ledger_trail *t, size_t n, synd_code code, const char *message)
{
    for (size_t i = 0; i < n && t->first != NULL; i++)
        finish(t, code, message, NULL);
}

/* GET synd:audit:head's reply: the head, or the genesis for an empty
 * chain. Anything but a hash is refused rather than built upon. */
static synd_code parse_head(ledger_call *c, const redisReply *r, ledger_result *out)
{
    if (r->type == REDIS_REPLY_NIL)
        out->id = SYND_AUDIT_GENESIS;
    else if (r->type == REDIS_REPLY_STRING && synd_audit_is_hash(r->str))
        out->id = r->str;
    else
        return SYND_INTERNAL;
    return SYND_OK;
}

/* audit_append's reply: the records' stream ids. */
static synd_code parse_append(ledger_call *c, const redisReply *r, ledger_result *out)
{
    const char **ids;

    if (r->type != REDIS_REPLY_ARRAY)
        return SYND_INTERNAL;
    if ((ids = ledger_call_items(c, r->elements, sizeof(*ids))) == NULL)
        return SYND_RESOURCE_EXHAUSTED;
    for (size_t i = 0; i < r->elements; i++)
        if ((ids[i] = ledger_reply_str(r, i)) == NULL)
            return SYND_INTERNAL;
    out->ids = ids;
    out->n_items = r->elements;
    return SYND_OK;
}

static void pump(ledger_trail *t);

static void on_head(void *arg, const ledger_result *r)
{
    ledger_trail *t = arg;

    if (r->code == SYND_OK) {
        memcpy(t->head, r->id, SYND_AUDIT_HASH_LEN);
        t->known = 1;
    } else {
        finish(t, r->code, r->message, NULL);
    }
    t->busy = 0;
    pump(t);
}

/* Takes the head an ABORTED refusal names ("... head is <hash>, ..."), so
 * that the retry needs no read of its own. Returns 0, or -1 if the
 * message names none. */
static int refused_head(const char *message, char head[SYND_AUDIT_HASH_LEN])
{
    const char *at = strstr(message, HEAD_IS);
    char hash[SYND_AUDIT_HASH_LEN];

    if (at == NULL || strlen(at + strlen(HEAD_IS)) < SYND_AUDIT_HASH_LEN - 1)
        return -1;
    memcpy(hash, at + strlen(HEAD_IS), SYND_AUDIT_HASH_LEN - 1);
    hash[SYND_AUDIT_HASH_LEN - 1] = '\0';
    if (!synd_audit_is_hash(hash))
        return -1;
    memcpy(head, hash, SYND_AUDIT_HASH_LEN);
    return 0;
}

/* An append refused because the head moved is sent again, relinked to
 * the head the refusal names; after MAX_TRIES its records fail with
 * ABORTED. Any other failure leaves the head unknown, since Redis may
 * have restarted. */
static void on_append(void *arg, const ledger_result *r)
{
    ledger_trail *t = arg;
    size_t n = t->in_flight;
    trail_rec *last = t->first;

    t->in_flight = 0;
    if (r->code == SYND_OK && r->n_items == n) {
        for (size_t i = 1; i < n; i++)
            last = last->next;
        memcpy(t->head, last->hash, SYND_AUDIT_HASH_LEN);
        t->known = 1;
        t->tries = 0;
        for (size_t i = 0; i < n; i++)
            finish(t, SYND_OK, "", r->ids[i]);
    } else if (r->code == SYND_ABORTED && ++t->tries < MAX_TRIES) {
        t->known = refused_head(r->message, t->head) == 0;
        log_debug("audit trail: another broker appended (%s); relinking %zu records", r->message,
                  n);
    } else {
        t->known = 0;
        t->tries = 0;
        finish_all(t, n, r->code == SYND_OK ? SYND_INTERNAL : r->code,
                   r->code == SYND_OK ? "unexpected reply from redis" : r->message);
    }
    t->busy = 0;
    pump(t);
}

/* Reads the head, which this ledger does not know. */
static int send_head_read(ledger_trail *t)
{
    ledger_fcall *call = ledger_command_new("GET", 1);

    ledger_fcall_str(call, HEAD_KEY);
    return ledger_fcall_send(t->l, call, ledger_call_new(on_head, t, parse_head, NULL, NULL, NULL));
}

/* Sends the queued records (BATCH at most), each hashed and linked to the
 * one before it, the first to the head. Returns 0 if sent, or -1 with the
 * reason in *code and *message. */
static int send_append(ledger_trail *t, synd_code *code, const char **message)
{
    const char *prev = t->head;
    ledger_fcall *call;
    trail_rec *r;
    size_t n = 0;

    for (r = t->first; r != NULL && n < BATCH; r = r->next, n++) {
        const ledger_audit *a = &r->rec;
        synd_audit_fields f = {a->time_ms, a->bank_id, a->role,   a->method,
                               a->object,  a->code,    a->detail, prev};

        if (synd_audit_hash(&f, r->hash) != 0) {
            *code = SYND_INTERNAL;
            *message = "the audit record cannot be hashed";
            return -1;
        }
        prev = r->hash;
    }
    call = ledger_fcall_new("audit_append", 0, APPEND_HEAD + APPEND_WIDTH * (int)n, AUDIT_KEY, NULL,
                            NULL);
    ledger_fcall_str(call, t->head);
    ledger_fcall_i64(call, AUDIT_MAX);
    r = t->first;
    for (size_t i = 0; i < n; i++, r = r->next) {
        ledger_fcall_i64(call, r->rec.time_ms);
        ledger_fcall_str(call, r->rec.bank_id);
        ledger_fcall_str(call, r->rec.role);
        ledger_fcall_str(call, r->rec.method);
        ledger_fcall_str(call, r->rec.object);
        ledger_fcall_i64(call, r->rec.code);
        ledger_fcall_str(call, r->rec.detail);
        ledger_fcall_str(call, r->hash);
    }
    if (ledger_fcall_send(t->l, call,
                          ledger_call_new(on_append, t, parse_append, NULL, NULL, NULL)) != 0)
        return -1;
    t->in_flight = n;
    return 0;
}

/* Sends the next step for the queue: a read of the head if this ledger
 * does not know it, else the append. Returns 0 if sent (t is then busy),
 * or -1 with the reason in *code and *message. */
static int start(ledger_trail *t, synd_code *code, const char **message)
{
    *code = SYND_UNAVAILABLE;
    *message = "redis is not available";
    if ((t->known ? send_append(t, code, message) : send_head_read(t)) != 0)
        return -1;
    t->busy = 1;
    return 0;
}

/* Starts the next step, failing the first record while none can start
 * (Redis went away: each record is told, in order). */
static void pump(ledger_trail *t)
{
    synd_code code;
    const char *message;

    while (!t->busy && t->first != NULL && start(t, &code, &message) != 0) {
        t->busy = 1;
        finish(t, code, message, NULL);
        t->busy = 0;
    }
}

void ledger_trail_free(ledger_trail *t)
{
    if (t == NULL)
        return;
    t->busy = 1;
    while (t->first != NULL)
        finish(t, SYND_UNAVAILABLE, "redis is not available", NULL);
    free(t);
}

/* An append that cannot start at once returns -1 without calling cb, as
 * every call of the ledger does when Redis is down. One made while the
 * queue is busy joins it and goes with the next append. An idle queue is
 * empty, so a record that cannot start is the only one. */
int ledger_audit_append(ledger *l, const ledger_audit *rec, ledger_cb cb, void *arg)
{
    ledger_trail *t = ledger_trail_of(l);
    synd_code code;
    const char *message;
    trail_rec *r;

    if (!ledger_is_up(l) || (r = rec_new(rec, cb, arg)) == NULL)
        return -1;
    if (t->last != NULL)
        t->last->next = r;
    else
        t->first = r;
    t->last = r;
    if (t->busy || start(t, &code, &message) == 0)
        return 0;
    t->first = t->last = NULL;
    free(r);
    return -1;
}

/* Where an audit record keeps the text field of this name; NULL for a
 * number or a field this version does not know (a later one may add). */
static const char **audit_text(ledger_audit *a, const char *name)
{
    static const char *const names[] = {"bank",   "role", "method", "object",
                                        "detail", "prev", "hash"};
    const char **fields[] = {&a->bank_id, &a->role, &a->method, &a->object,
                             &a->detail,  &a->prev, &a->hash};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i]) == 0)
            return fields[i];
    }
    return NULL;
}

/* Reads one stream entry, {id, {field, value, ...}}, by field name. A
 * missing text is ""; the time and the code must be there. */
static int read_audit(const redisReply *e, ledger_audit *a)
{
    const redisReply *f = e->type == REDIS_REPLY_ARRAY && e->elements == 2 ? e->element[1] : NULL;
    int64_t code = INT64_MIN;
    const char **text;

    if (f == NULL || f->type != REDIS_REPLY_ARRAY || f->elements % 2 != 0 ||
        (a->id = ledger_reply_str(e, 0)) == NULL)
        return -1;
    a->time_ms = INT64_MIN;
    a->bank_id = a->role = a->method = a->object = a->detail = a->prev = a->hash = "";
    for (size_t i = 0; i < f->elements; i += 2) {
        const char *name = ledger_reply_str(f, i), *value = ledger_reply_str(f, i + 1);

        if (name == NULL || value == NULL)
            return -1;
        if ((text = audit_text(a, name)) != NULL)
            *text = value;
        else if (strcmp(name, "time_ms") == 0 &&
                 ledger_reply_i64(f->element[i + 1], &a->time_ms) != 0)
            return -1;
        else if (strcmp(name, "code") == 0 && ledger_reply_i64(f->element[i + 1], &code) != 0)
            return -1;
    }
    if (a->time_ms == INT64_MIN || code < INT32_MIN || code > INT32_MAX)
        return -1;
    a->code = (int32_t)code;
    return 0;
}

/* audit_read's reply: the base and the head, then the entries, oldest
 * first. */
static synd_code parse_read(ledger_call *c, const redisReply *r, ledger_result *out)
{
    size_t n =
        r->type == REDIS_REPLY_ARRAY && r->elements >= READ_HEAD ? r->elements - READ_HEAD : 0;
    ledger_audit *list;

    if (r->type != REDIS_REPLY_ARRAY || r->elements < READ_HEAD ||
        (out->audit_base = ledger_reply_str(r, 0)) == NULL ||
        (out->audit_head = ledger_reply_str(r, 1)) == NULL)
        return SYND_INTERNAL;
    if ((list = ledger_call_items(c, n, sizeof(*list))) == NULL)
        return SYND_RESOURCE_EXHAUSTED;
    for (size_t i = 0; i < n; i++)
        if (read_audit(r->element[READ_HEAD + i], &list[i]) != 0)
            return SYND_INTERNAL;
    out->audit = list;
    out->n_items = n;
    return SYND_OK;
}

/* Calls audit_read from start (after it when exclusive) to end. */
static int read_range(ledger *l, const char *start, int exclusive, const char *end, int64_t end_ms,
                      size_t limit, ledger_cb cb, void *arg)
{
    ledger_fcall *f = ledger_fcall_new("audit_read", 1, READ_ARGS, AUDIT_KEY, NULL, NULL);

    ledger_fcall_str(f, start);
    ledger_fcall_str(f, exclusive ? "1" : "0");
    if (end != NULL)
        ledger_fcall_str(f, end);
    else
        ledger_fcall_i64(f, end_ms < 0 ? 0 : end_ms);
    ledger_fcall_i64(f, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_read, NULL, NULL, NULL));
}

/* A stream id given as a bare time means its first sequence number as
 * XRANGE's start and its last as its end, so to_ms is inclusive. */
int ledger_audit_range(ledger *l, int64_t from_ms, int64_t to_ms, size_t limit, ledger_cb cb,
                       void *arg)
{
    char from[24];

    snprintf(from, sizeof(from), "%lld", (long long)(from_ms < 0 ? 0 : from_ms));
    return read_range(l, from, 0, NULL, to_ms, limit, cb, arg);
}

int ledger_audit_after(ledger *l, const char *after_id, int64_t to_ms, size_t limit, ledger_cb cb,
                       void *arg)
{
    return read_range(l, after_id, 1, to_ms == 0 ? "+" : NULL, to_ms, limit, cb, arg);
}
