/* The FCALL plumbing shared by books.c and registry.c: building a call
 * with binary-safe arguments, and turning every reply, refusal or lost
 * connection into a ledger_result in one place, so every function of the
 * ledger reports them the same way. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/internal.h"
#include "log.h"

#define NUM_LEN   24 /* an int64 in decimal, with sign and NUL */
#define CODE_LEN  24 /* the longest code name, "UNAUTHENTICATED", and NUL */
#define HEAD_ARGS 4  /* FCALL fn 1 route */

struct ledger_fcall {
    const char *fn; /* a string literal */
    int n, cap, bad;
    const char **argv;
    size_t *lens;
    char (*nums)[NUM_LEN];
};

/* Copies s to *at and returns the copy; NULL stays NULL. */
static const char *copy_name(char **at, const char *s)
{
    char *out = *at;
    size_t n;

    if (s == NULL)
        return NULL;
    n = strlen(s) + 1;
    memcpy(out, s, n);
    *at += n;
    return out;
}

/* The ids are copied because the caller's strings need not outlive the
 * call, while the result names them after Redis answers. One allocation
 * holds the call and its copies. */
ledger_call *ledger_call_new(ledger_cb cb, void *arg, ledger_parse_fn parse, const char *name0,
                             const char *name1, const char *name2)
{
    const char *in[3] = {name0, name1, name2};
    size_t size = sizeof(ledger_call);
    ledger_call *c;
    char *at;

    for (int i = 0; i < 3; i++)
        size += in[i] ? strlen(in[i]) + 1 : 0;
    if ((c = calloc(1, size)) == NULL)
        return NULL;
    c->cb = cb;
    c->arg = arg;
    c->parse = parse;
    at = (char *)(c + 1);
    for (int i = 0; i < 3; i++)
        c->names[i] = copy_name(&at, in[i]);
    return c;
}

void *ledger_call_items(ledger_call *c, size_t n, size_t size)
{
    c->items = calloc(n ? n : 1, size);
    return c->items;
}

/* One allocation holds the command's argument vector, their lengths, the
 * text of its numbers and extra bytes after them (an FCALL's routing key);
 * it is freed once hiredis has copied the command into its output buffer. */
static ledger_fcall *command_alloc(const char *name, int cap, size_t extra)
{
    ledger_fcall *f =
        malloc(sizeof(*f) + (size_t)cap * (sizeof(char *) + sizeof(size_t) + NUM_LEN) + extra);

    if (f == NULL)
        return NULL;
    *f = (ledger_fcall){.fn = name, .cap = cap};
    f->argv = (const char **)(f + 1);
    f->lens = (size_t *)(f->argv + cap);
    f->nums = (char(*)[NUM_LEN])(f->lens + cap);
    return f;
}

ledger_fcall *ledger_fcall_new(const char *fn, int read_only, int argc, const char *route0,
                               const char *route1, const char *route2)
{
    const char *parts[3] = {route0 ? route0 : "", route1 ? route1 : "", route2 ? route2 : ""};
    size_t lens[3], route_len = 0;
    ledger_fcall *f;
    char *route;

    for (int i = 0; i < 3; i++)
        route_len += lens[i] = strlen(parts[i]);
    if ((f = command_alloc(fn, argc + HEAD_ARGS, route_len + 1)) == NULL)
        return NULL;
    route = (char *)(f->nums + f->cap);
    memcpy(route, parts[0], lens[0]);
    memcpy(route + lens[0], parts[1], lens[1]);
    memcpy(route + lens[0] + lens[1], parts[2], lens[2] + 1);
    ledger_fcall_str(f, read_only ? "FCALL_RO" : "FCALL");
    ledger_fcall_str(f, fn);
    ledger_fcall_str(f, "1");
    ledger_fcall_bytes(f, route, route_len);
    return f;
}

ledger_fcall *ledger_command_new(const char *cmd, int argc)
{
    ledger_fcall *f = command_alloc(cmd, argc + 1, 0);

    ledger_fcall_str(f, cmd);
    return f;
}

void ledger_fcall_bytes(ledger_fcall *f, const void *p, size_t len)
{
    if (f == NULL)
        return;
    if (f->n == f->cap) { /* more arguments than ledger_fcall_new() was told */
        f->bad = 1;
        return;
    }
    f->argv[f->n] = len ? p : "";
    f->lens[f->n++] = len;
}

void ledger_fcall_str(ledger_fcall *f, const char *s)
{
    ledger_fcall_bytes(f, s ? s : "", s ? strlen(s) : 0);
}

void ledger_fcall_i64(ledger_fcall *f, int64_t v)
{
    if (f == NULL)
        return;
    if (f->n == f->cap) {
        f->bad = 1;
        return;
    }
    snprintf(f->nums[f->n], NUM_LEN, "%" PRId64, v);
    ledger_fcall_str(f, f->nums[f->n]);
}

/* A refusal of the library starts with a code name and gives the reason
 * after it; any other error is Redis's own and is passed on whole. */
static void read_error(const ledger_call *c, const redisReply *e, ledger_result *r)
{
    const char *space = memchr(e->str, ' ', e->len);
    size_t n = space ? (size_t)(space - e->str) : 0;
    char word[CODE_LEN];
    synd_code code;

    if (space != NULL && n < sizeof(word)) {
        memcpy(word, e->str, n);
        word[n] = '\0';
        if (synd_code_parse(word, &code) == 0 && code != SYND_OK) {
            r->code = code;
            r->message = space + 1;
            return;
        }
    }
    log_warn("redis refused %s: %s", c->fn, e->str);
    r->code = SYND_INTERNAL;
    r->message = e->str;
}

/* hiredis calls this once per call: with the reply, or with NULL when the
 * connection went (or the ledger was freed) before the reply came. A call
 * that no one waits for (cb NULL) logs its failure, or it would be lost. */
static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    ledger_call *c = privdata;
    const redisReply *rep = reply;
    ledger_result r = {.code = SYND_OK, .message = ""};
    synd_code code;

    if (rep == NULL) {
        r.code = SYND_UNAVAILABLE;
        r.message = "redis is not available";
    } else if (rep->type == REDIS_REPLY_ERROR) {
        read_error(c, rep, &r);
    } else if ((code = c->parse(c, rep, &r)) != SYND_OK) {
        if (code == SYND_INTERNAL)
            log_error("redis answered %s with a reply of the wrong shape", c->fn);
        r = (ledger_result){.code = code,
                            .message = code == SYND_INTERNAL ? "unexpected reply from redis"
                                                             : "out of memory reading a reply"};
    }
    if (c->cb != NULL)
        c->cb(c->arg, &r);
    else if (r.code != SYND_OK)
        log_warn("redis: %s failed: %s", c->fn, r.message);
    free(c->items);
    free(c);
}

int ledger_fcall_send(ledger *l, ledger_fcall *f, ledger_call *c)
{
    int rc = -1;

    if (f != NULL && f->bad)
        log_error("ledger: %s was built with too many arguments", f->fn);
    else if (f != NULL && c != NULL) {
        c->fn = f->fn;
        rc = ledger_send(l, on_reply, c, f->n, f->argv, f->lens);
    }
    free(f);
    if (rc != 0)
        free(c);
    return rc;
}

const char *ledger_reply_str(const redisReply *r, size_t i)
{
    if (r->type != REDIS_REPLY_ARRAY || i >= r->elements ||
        r->element[i]->type != REDIS_REPLY_STRING)
        return NULL;
    return r->element[i]->str;
}

int ledger_reply_i64(const redisReply *r, int64_t *out)
{
    char *end;

    if (r->type == REDIS_REPLY_INTEGER) {
        *out = r->integer;
        return 0;
    }
    if (r->type != REDIS_REPLY_STRING || ledger_i64(r->str, &end, out) != 0 ||
        end != r->str + r->len)
        return -1;
    return 0;
}

int ledger_i64(const char *s, char **end, int64_t *out)
{
    long long v;

    if (*s != '-' && (*s < '0' || *s > '9'))
        return -1;
    errno = 0;
    v = strtoll(s, end, 10);
    if (errno != 0 || *end == s)
        return -1;
    *out = v;
    return 0;
}
