/* Redis connection management for the broker's poll loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <zmq.h>

#include "ledger/internal.h"
#include "ledger/ledger.h"
#include "log.h"
#include "rpc/envelope.h"

#define PING_EVERY_MS      500
#define PING_TIMEOUT_MS    1200
#define CONNECT_TIMEOUT_MS 1500
#define BACKOFF_MIN_MS     100
#define BACKOFF_MAX_MS     1000

struct ledger {
    char host[256];
    int port;
    redisAsyncContext *ac;
    int up, want_read, want_write;
    int64_t connect_started, next_connect, backoff;
    int64_t ping_sent, next_ping;
    ledger_state_fn fn;
    void *arg;
    ledger_trail *trail; /* the audit trail's appends */
};

static void set_up(ledger *l, int up)
{
    if (l->up == up)
        return;
    l->up = up;
    if (up)
        log_info("redis %s:%d is up", l->host, l->port);
    else
        log_warn("redis %s:%d is down; reconnecting", l->host, l->port);
    if (l->fn)
        l->fn(up, l->arg);
}

/* Forgets the context (hiredis frees it) and schedules the next try. */
static void lost(ledger *l)
{
    int64_t now = rpc_now_ms();

    l->ac = NULL;
    l->want_read = l->want_write = 0;
    l->ping_sent = 0;
    l->next_connect = now + l->backoff;
    l->backoff = l->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : l->backoff * 2;
    set_up(l, 0);
}

/* hiredis' event hooks: it tells us what to wait for, we tell zmq_poll. */
static void ev_add_read(void *p)
{
    ((ledger *)p)->want_read = 1;
}

static void ev_del_read(void *p)
{
    ((ledger *)p)->want_read = 0;
}

static void ev_add_write(void *p)
{
    ((ledger *)p)->want_write = 1;
}

static void ev_del_write(void *p)
{
    ((ledger *)p)->want_write = 0;
}

static void ev_cleanup(void *p)
{
    ledger *l = p;
    l->want_read = l->want_write = 0;
}

static void on_pong(redisAsyncContext *ac, void *reply, void *privdata);

/* A completed TCP connect proves little: the kernel completes it from the
 * listen backlog even for a Redis that is frozen. So the connection counts
 * as up only once Redis answers a first PING and then loads the Functions
 * library; until then the connect timeout in ledger_tick() applies. */
static void on_connect(const redisAsyncContext *ac, int status)
{
    ledger *l = ac->data;

    if (status != REDIS_OK) {
        log_debug("cannot connect to redis %s:%d: %s", l->host, l->port, ac->errstr);
        lost(l);
        return;
    }
    l->next_ping = rpc_now_ms() + PING_EVERY_MS;
    if (redisAsyncCommand(l->ac, on_pong, l, "PING") == REDIS_OK)
        l->ping_sent = rpc_now_ms();
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    ledger *l = ac->data;

    if (status != REDIS_OK)
        log_warn("redis connection lost: %s", ac->errstr);
    lost(l);
}

/* Drops a connection that is stuck or unusable; see below. */
static void drop(ledger *l, const char *why);

/* The Functions library is loaded on every connection, not once: a Redis
 * restarted empty, or a failover to a replica that missed it, would
 * otherwise answer every FCALL with an error. Redis counts as up only once
 * the load succeeds; a refusal drops the connection, so the load is tried
 * again on the next one. */
static void on_loaded(redisAsyncContext *ac, void *reply, void *privdata)
{
    ledger *l = privdata;
    redisReply *r = reply;
    char why[512];

    if (r == NULL) /* the connection went; on_disconnect schedules a retry */
        return;
    if (r->type == REDIS_REPLY_ERROR) {
        snprintf(why, sizeof(why), "FUNCTION LOAD of the synd library failed: %s", r->str);
        drop(l, why);
        return;
    }
    l->backoff = BACKOFF_MIN_MS;
    set_up(l, 1);
}

/* The first PONG of a connection starts the library load; the later ones
 * only show Redis still answers. */
static void on_pong(redisAsyncContext *ac, void *reply, void *privdata)
{
    ledger *l = privdata;
    redisReply *r = reply;
    const char *argv[] = {"FUNCTION", "LOAD", "REPLACE", ledger_lua_synd};
    size_t lens[] = {strlen(argv[0]), strlen(argv[1]), strlen(argv[2]), ledger_lua_synd_len};

    if (r == NULL)
        return;
    if (r->type == REDIS_REPLY_ERROR) {
        log_warn("redis answered PING with an error: %s", r->str);
        return;
    }
    l->ping_sent = 0;
    if (!l->up && redisAsyncCommandArgv(ac, on_loaded, l, 4, argv, lens) != REDIS_OK)
        log_warn("redis %s:%d: cannot queue FUNCTION LOAD", l->host, l->port);
}

static void start_connect(ledger *l, int64_t now)
{
    redisAsyncContext *ac = redisAsyncConnect(l->host, l->port);

    if (ac == NULL || ac->err) {
        log_debug("cannot connect to redis %s:%d: %s", l->host, l->port,
                  ac ? ac->errstr : "out of memory");
        if (ac)
            redisAsyncFree(ac);
        l->ac = NULL;
        l->next_connect = now + l->backoff;
        return;
    }
    ac->data = l;
    ac->ev.data = l;
    ac->ev.addRead = ev_add_read;
    ac->ev.delRead = ev_del_read;
    ac->ev.addWrite = ev_add_write;
    ac->ev.delWrite = ev_del_write;
    ac->ev.cleanup = ev_cleanup;
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    l->ac = ac;
    l->connect_started = now;
    /* A non-blocking connect completes when the socket turns writable. */
    l->want_write = 1;
}

ledger *ledger_new(const char *address, ledger_state_fn fn, void *arg, synd_status *st)
{
    ledger *l;
    const char *colon = strrchr(address, ':');
    char *end;
    long port;

    if (colon == NULL || colon == address || (size_t)(colon - address) >= sizeof(l->host)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "redis address '%s' is not host:port", address);
        return NULL;
    }
    port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 1 || port > 65535) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "redis port in '%s' is not 1-65535", address);
        return NULL;
    }
    l = calloc(1, sizeof(*l));
    if (l == NULL || (l->trail = ledger_trail_new(l)) == NULL) {
        free(l);
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    memcpy(l->host, address, (size_t)(colon - address));
    l->port = (int)port;
    l->fn = fn;
    l->arg = arg;
    l->backoff = BACKOFF_MIN_MS;
    start_connect(l, rpc_now_ms());
    return l;
}

void ledger_free(ledger *l)
{
    if (l == NULL)
        return;
    l->fn = NULL;
    l->up = 0; /* closing, not lost: nothing to report */
    if (l->ac)
        redisAsyncFree(l->ac);
    ledger_trail_free(l->trail);
    free(l);
}

ledger_trail *ledger_trail_of(ledger *l)
{
    return l->trail;
}

int ledger_is_up(const ledger *l)
{
    return l->up;
}

int ledger_poll_fd(const ledger *l, short *events)
{
    if (l->ac == NULL || l->ac->c.fd < 0)
        return -1;
    *events = (short)((l->want_read ? ZMQ_POLLIN : 0) | (l->want_write ? ZMQ_POLLOUT : 0));
    return l->ac->c.fd;
}

void ledger_on_events(ledger *l, short revents)
{
    if (l->ac && (revents & (ZMQ_POLLIN | ZMQ_POLLERR)))
        redisAsyncHandleRead(l->ac);
    if (l->ac && (revents & ZMQ_POLLOUT))
        redisAsyncHandleWrite(l->ac);
}

/* Drops a connection: hiredis frees it (at once, or after the callback it
 * is in), failing pending commands, and on_disconnect (if it had
 * connected) schedules a retry. */
static void drop(ledger *l, const char *why)
{
    redisAsyncContext *ac = l->ac;
    int was_connected = ac->c.flags & REDIS_CONNECTED;

    log_warn("redis %s:%d: %s", l->host, l->port, why);
    redisAsyncFree(ac);
    if (!was_connected)
        lost(l);
}

int64_t ledger_tick(ledger *l, int64_t now)
{
    if (l->ac == NULL) {
        if (now >= l->next_connect)
            start_connect(l, now);
        return l->ac ? CONNECT_TIMEOUT_MS : l->next_connect - now;
    }
    if (!l->up) {
        if (now - l->connect_started > CONNECT_TIMEOUT_MS)
            drop(l, "no connection or no answer to the first PING or FUNCTION LOAD in time");
        return 50;
    }
    if (l->ping_sent && now - l->ping_sent > PING_TIMEOUT_MS) {
        drop(l, "no answer to PING");
        return 0;
    }
    if (!l->ping_sent && now >= l->next_ping) {
        if (redisAsyncCommand(l->ac, on_pong, l, "PING") == REDIS_OK)
            l->ping_sent = now;
        l->next_ping = now + PING_EVERY_MS;
    }
    return l->ping_sent ? PING_TIMEOUT_MS : l->next_ping - now;
}

int ledger_send(ledger *l, redisCallbackFn *fn, void *privdata, int argc, const char **argv,
                const size_t *argvlen)
{
    if (!l->up || redisAsyncCommandArgv(l->ac, fn, privdata, argc, argv, argvlen) != REDIS_OK)
        return -1;
    return 0;
}
