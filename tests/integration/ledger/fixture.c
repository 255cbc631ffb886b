/* The ledger's integration-test fixture; see fixture.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "fixture.h"
#include "rpc/envelope.h"

#define START_ATTEMPTS 3  /* a free port can be taken before Redis binds it */
#define LOOP_SLICE_MS  20 /* the longest the loop waits before checking again */

harness fx_h;
ledger *fx_l;

/* Everything copied for the test, freed by fx_stop(). */
static void **kept;
static size_t n_kept, cap_kept;
static redisReply **replies;
static size_t n_replies, cap_replies;

/* The call that fx_next() handed out last. */
typedef struct fx_call {
    int times;
    ledger_result r;
} fx_call;
static fx_call *current;

/* Remembers p for fx_stop() to free; asserts it was allocated. */
static void *keep(void *p)
{
    cr_assert_not_null(p, "out of memory");
    if (n_kept == cap_kept) {
        cap_kept = cap_kept ? 2 * cap_kept : 64;
        kept = realloc(kept, cap_kept * sizeof(*kept));
        cr_assert_not_null(kept, "out of memory");
    }
    kept[n_kept++] = p;
    return p;
}

const char *fx_keep_str(const char *s)
{
    return s ? keep(strdup(s)) : NULL;
}

/* A copy of n bytes, NUL-terminated so text can be compared as text. */
static const void *keep_mem(const void *p, size_t n)
{
    char *q = keep(malloc(n + 1));

    memcpy(q, p, n);
    q[n] = '\0';
    return q;
}

/* A free loopback port, from binding port 0. */
static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    cr_assert_geq(fd, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

void fx_redis_start(void)
{
    int rc = -1;

    /* A write to a Redis that was killed must fail, not kill the test. */
    signal(SIGPIPE, SIG_IGN);
    memset(&fx_h, 0, sizeof(fx_h));
    cr_assert_eq(harness_mkdtemp(fx_h.dir), 0);
    snprintf(fx_h.redis_log, sizeof(fx_h.redis_log), "%s/redis.log", fx_h.dir);
    for (int i = 0; rc != 0 && i < START_ATTEMPTS; i++) {
        fx_h.redis_port = free_port();
        rc = harness_redis_start(&fx_h);
    }
    cr_assert_eq(rc, 0, "redis-server did not start");
}

void fx_ledger_start(void)
{
    char address[64];
    synd_status st;

    snprintf(address, sizeof(address), "127.0.0.1:%d", fx_h.redis_port);
    fx_l = ledger_new(address, NULL, NULL, &st);
    cr_assert_not_null(fx_l, "ledger_new: %s", st.message);
}

void fx_start(void)
{
    fx_redis_start();
    fx_ledger_start();
    cr_assert(fx_until(fx_is_up, NULL, FX_UP_MS), "the ledger did not come up");
}

void fx_stop(void)
{
    ledger_free(fx_l);
    fx_l = NULL;
    for (size_t i = 0; i < n_replies; i++)
        freeReplyObject(replies[i]);
    free(replies);
    replies = NULL;
    n_replies = cap_replies = 0;
    harness_stop(&fx_h);
    for (size_t i = 0; i < n_kept; i++)
        free(kept[i]);
    free(kept);
    kept = NULL;
    n_kept = cap_kept = 0;
}

int fx_is_up(void *unused)
{
    return ledger_is_up(fx_l);
}

int fx_is_down(void *unused)
{
    return !ledger_is_up(fx_l);
}

/* One turn of the broker's loop, for the ledger alone. */
static void turn(void)
{
    int64_t wait = ledger_tick(fx_l, rpc_now_ms());
    zmq_pollitem_t item = {NULL, -1, 0, 0};

    if (wait < 0 || wait > LOOP_SLICE_MS)
        wait = LOOP_SLICE_MS;
    if ((item.fd = ledger_poll_fd(fx_l, &item.events)) < 0) {
        harness_sleep_ms((int)wait);
        return;
    }
    cr_assert_geq(zmq_poll(&item, 1, (long)wait), 0, "zmq_poll: %s", zmq_strerror(zmq_errno()));
    if (item.revents)
        ledger_on_events(fx_l, item.revents);
}

int fx_until(int (*cond)(void *), void *arg, int bound_ms)
{
    int64_t until = harness_now_ms() + bound_ms;

    while (!cond(arg)) {
        if (harness_now_ms() >= until)
            return 0;
        turn();
    }
    return 1;
}

/* Deep copies of the records a result points to. */
static const ledger_bid *keep_bids(const ledger_bid *b, size_t n)
{
    ledger_bid *out = keep(calloc(n ? n : 1, sizeof(*out)));

    for (size_t i = 0; i < n; i++) {
        out[i] = b[i];
        out[i].bank_id = fx_keep_str(b[i].bank_id);
    }
    return out;
}

static const ledger_book *keep_book(const ledger_book *b)
{
    ledger_book *out = keep(malloc(sizeof(*out)));

    *out = *b;
    out->book_id = fx_keep_str(b->book_id);
    out->group = fx_keep_str(b->group);
    out->lead = fx_keep_str(b->lead);
    out->borrower = fx_keep_str(b->borrower);
    out->terms = keep_mem(b->terms, b->terms_len);
    out->allocation = keep_mem(b->allocation, b->allocation_len);
    out->bids = keep_bids(b->bids, b->n_bids);
    return out;
}

static const ledger_bank *keep_banks(const ledger_bank *b, size_t n)
{
    ledger_bank *out = keep(calloc(n ? n : 1, sizeof(*out)));

    for (size_t i = 0; i < n; i++) {
        out[i] = b[i];
        out[i].bank_id = fx_keep_str(b[i].bank_id);
        out[i].name = fx_keep_str(b[i].name);
    }
    return out;
}

static const ledger_borrower *keep_borrowers(const ledger_borrower *b, size_t n)
{
    ledger_borrower *out = keep(calloc(n ? n : 1, sizeof(*out)));

    for (size_t i = 0; i < n; i++) {
        out[i] = b[i];
        out[i].code = fx_keep_str(b[i].code);
        out[i].name = fx_keep_str(b[i].name);
        out[i].group = fx_keep_str(b[i].group);
    }
    return out;
}

static const ledger_positions *keep_positions(const ledger_positions *p)
{
    ledger_positions *out = keep(malloc(sizeof(*out)));
    ledger_position *banks = keep(calloc(p->n_banks ? p->n_banks : 1, sizeof(*banks)));

    *out = *p;
    for (size_t i = 0; i < p->n_banks; i++) {
        banks[i] = p->banks[i];
        banks[i].bank_id = fx_keep_str(p->banks[i].bank_id);
    }
    out->banks = banks;
    return out;
}

static const ledger_share *keep_shares(const ledger_share *s, size_t n)
{
    ledger_share *out = keep(calloc(n ? n : 1, sizeof(*out)));

    for (size_t i = 0; i < n; i++) {
        out[i] = s[i];
        out[i].bank_id = fx_keep_str(s[i].bank_id);
    }
    return out;
}

static const ledger_exposure *keep_exposures(const ledger_exposure *e, size_t n)
{
    ledger_exposure *out = keep(calloc(n ? n : 1, sizeof(*out)));

    for (size_t i = 0; i < n; i++) {
        out[i] = e[i];
        out[i].group = fx_keep_str(e[i].group);
        out[i].borrower = fx_keep_str(e[i].borrower);
        out[i].bank = fx_keep_str(e[i].bank);
    }
    return out;
}

static const ledger_audit *keep_audit(const ledger_audit *a, size_t n)
{
    ledger_audit *out = keep(calloc(n ? n : 1, sizeof(*out)));

    for (size_t i = 0; i < n; i++) {
        out[i] = a[i];
        out[i].id = fx_keep_str(a[i].id);
        out[i].bank_id = fx_keep_str(a[i].bank_id);
        out[i].role = fx_keep_str(a[i].role);
        out[i].method = fx_keep_str(a[i].method);
        out[i].object = fx_keep_str(a[i].object);
        out[i].detail = fx_keep_str(a[i].detail);
        out[i].prev = fx_keep_str(a[i].prev);
        out[i].hash = fx_keep_str(a[i].hash);
    }
    return out;
}

static const char *const *keep_ids(const char *const *ids, size_t n)
{
    const char **out = keep(calloc(n ? n : 1, sizeof(*out)));

    for (size_t i = 0; i < n; i++)
        out[i] = fx_keep_str(ids[i]);
    return out;
}

/* Copies the whole result: its pointers die when this returns. */
void fx_cb(void *arg, const ledger_result *r)
{
    fx_call *c = arg;
    ledger_result *out = &c->r;

    c->times++;
    *out = *r;
    out->message = fx_keep_str(r->message);
    out->id = fx_keep_str(r->id);
    if (r->book)
        out->book = keep_book(r->book);
    if (r->bid)
        out->bid = keep_bids(r->bid, 1);
    if (r->bank)
        out->bank = keep_banks(r->bank, 1);
    if (r->borrower)
        out->borrower = keep_borrowers(r->borrower, 1);
    if (r->banks)
        out->banks = keep_banks(r->banks, r->n_items);
    if (r->borrowers)
        out->borrowers = keep_borrowers(r->borrowers, r->n_items);
    if (r->ids)
        out->ids = keep_ids(r->ids, 2 * r->n_items);
    if (r->positions)
        out->positions = keep_positions(r->positions);
    if (r->shares)
        out->shares = keep_shares(r->shares, r->n_items);
    if (r->exposures)
        out->exposures = keep_exposures(r->exposures, r->n_items);
    if (r->audit)
        out->audit = keep_audit(r->audit, r->n_items);
    out->audit_base = fx_keep_str(r->audit_base);
    out->audit_head = fx_keep_str(r->audit_head);
}

void *fx_next(void)
{
    current = keep(calloc(1, sizeof(*current)));
    return current;
}

static int called(void *arg)
{
    return ((fx_call *)arg)->times > 0;
}

const ledger_result *fx_wait(int rc)
{
    fx_call *c = current;

    cr_assert_eq(rc, 0, "the ledger did not queue the call");
    cr_assert(fx_until(called, c, FX_CALL_MS), "no callback within %d ms", FX_CALL_MS);
    cr_assert_eq(c->times, 1, "the callback ran %d times", c->times);
    return &c->r;
}

const ledger_result *fx_last(int *times)
{
    *times = current->times;
    return &current->r;
}

/* A connection per command, so a restarted Redis needs no reconnect. */
const redisReply *fx_redis(const char *fmt, ...)
{
    struct timeval tv = {2, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", fx_h.redis_port, tv);
    redisReply *r;
    va_list ap;

    cr_assert(c != NULL && c->err == 0, "cannot connect to redis");
    va_start(ap, fmt);
    r = redisvCommand(c, fmt, ap);
    va_end(ap);
    cr_assert_not_null(r, "redis: %s", c->errstr);
    redisFree(c);
    if (n_replies == cap_replies) {
        cap_replies = cap_replies ? 2 * cap_replies : 16;
        replies = realloc(replies, cap_replies * sizeof(*replies));
        cr_assert_not_null(replies, "out of memory");
    }
    replies[n_replies++] = r;
    return r;
}

/* Every key with its type and content, sorted, as one text. The script
 * reads keys of every slot, which a single Redis allows. */
static const char DUMP_LUA[] =
    "local out, keys = {}, redis.call('KEYS', '*')\n"
    "table.sort(keys)\n"
    "for _, k in ipairs(keys) do\n"
    "  local t, v = redis.call('TYPE', k).ok, {}\n"
    "  if t == 'hash' then v = redis.call('HGETALL', k)\n"
    "  elseif t == 'set' then v = redis.call('SMEMBERS', k)\n"
    "  elseif t == 'zset' then v = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')\n"
    "  elseif t == 'string' then v = { redis.call('GET', k) }\n"
    "  elseif t == 'stream' then v = { redis.call('XLEN', k) }\n"
    "  end\n"
    "  if t == 'hash' then\n"
    "    local p = {}\n"
    "    for i = 1, #v, 2 do p[#p + 1] = v[i] .. '=' .. v[i + 1] end\n"
    "    v = p\n"
    "  end\n"
    "  if t ~= 'zset' then table.sort(v) end\n"
    "  out[#out + 1] = k .. ' ' .. t .. ': ' .. table.concat(v, ' ')\n"
    "end\n"
    "return table.concat(out, '\\n')\n";

const char *fx_dump(void)
{
    const redisReply *r = fx_redis("EVAL %s 0", DUMP_LUA);

    cr_assert_eq(r->type, REDIS_REPLY_STRING, "the dump script failed: %s",
                 r->type == REDIS_REPLY_ERROR ? r->str : "not a string");
    return r->str;
}
