/* The supervisors' live feed: one sequence of events, fanned out to every
 * WatchSupervision stream, with an optional snapshot first. */
#include <stdlib.h>
#include <string.h>

#include "ledger/books.h"
#include "log.h"
#include "rpc/envelope.h"
#include "supervise/events.h"
#include "supervise/exposure.h"

typedef Synd__V1__SupervisionEvent event;

/* One WatchSupervision stream. While its snapshot is read (reading), live
 * events wait in queue, in order. A stream that ends during the read is
 * unlinked and orphaned (e and call NULL): the read's callback frees it. */
typedef struct sub {
    events *e;
    rpc_call *call;
    uint64_t base_seq; /* the last live event before it subscribed */
    int reading;
    int lost; /* a live event could not be queued: the stream must end */
    event **queue;
    size_t n_queue, cap_queue;
} sub;

struct events {
    ledger *l;
    uint64_t seq; /* the last live event's */
    sub **subs;
    size_t n, cap;
};

events *events_new(ledger *l)
{
    events *e = calloc(1, sizeof(*e));

    if (e != NULL)
        e->l = l;
    return e;
}

static void drop_queue(sub *s)
{
    for (size_t i = 0; i < s->n_queue; i++)
        synd__v1__supervision_event__free_unpacked(s->queue[i], NULL);
    free(s->queue);
    s->queue = NULL;
    s->n_queue = s->cap_queue = 0;
}

static void sub_free(sub *s)
{
    drop_queue(s);
    free(s);
}

void events_free(events *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->n; i++)
        sub_free(e->subs[i]);
    free(e->subs);
    free(e);
}

static void unlink_sub(events *e, sub *s)
{
    for (size_t i = 0; i < e->n; i++) {
        if (e->subs[i] == s) {
            /* Shifted, not swapped: the streams keep the order they came in. */
            memmove(&e->subs[i], &e->subs[i + 1], (e->n - i - 1) * sizeof(*e->subs));
            e->n--;
            return;
        }
    }
}

/* The stream ended (cancel, deadline, peer gone, server closing). A sub
 * whose snapshot is still being read is left to the read's callback. */
static void forget(rpc_call *c, void *arg)
{
    sub *s = arg;

    unlink_sub(s->e, s);
    if (s->reading) {
        s->e = NULL;
        s->call = NULL;
        drop_queue(s);
    } else {
        sub_free(s);
    }
}

/* A copy that outlives the emitter's event: packed and unpacked. */
static event *copy_event(const event *ev)
{
    size_t n = synd__v1__supervision_event__get_packed_size(ev);
    uint8_t *buf = malloc(n ? n : 1);
    event *copy;

    if (buf == NULL)
        return NULL;
    synd__v1__supervision_event__pack(ev, buf);
    copy = synd__v1__supervision_event__unpack(NULL, n, buf);
    free(buf);
    return copy;
}

/* Holds ev for a stream whose snapshot is being read. If it cannot, the
 * stream would miss an event, so it is marked to end instead. */
static void enqueue(sub *s, const event *ev)
{
    event *copy;

    if (s->lost)
        return;
    if (s->n_queue == s->cap_queue) {
        size_t cap = s->cap_queue ? 2 * s->cap_queue : 16;
        event **grown = realloc(s->queue, cap * sizeof(*grown));
        if (grown == NULL)
            goto lost;
        s->queue = grown;
        s->cap_queue = cap;
    }
    if ((copy = copy_event(ev)) == NULL)
        goto lost;
    s->queue[s->n_queue++] = copy;
    return;
lost:
    log_error("supervision feed: out of memory queueing event %llu; ending a stream",
              (unsigned long long)ev->seq);
    s->lost = 1;
    drop_queue(s);
}

void events_emit(events *e, Synd__V1__SupervisionEvent *ev)
{
    ev->seq = ++e->seq;
    if (ev->time_ms == 0)
        ev->time_ms = rpc_now_ms();
    for (size_t i = 0; i < e->n; i++) {
        sub *s = e->subs[i];
        if (s->reading)
            enqueue(s, ev);
        else
            rpc_call_reply(s->call, &ev->base);
    }
}

/* Sends the snapshot of the exposures in r, SNAPSHOT_END, then the live
 * events that came during the read. Snapshot events carry the number of
 * the last live event before the stream subscribed, so the next event it
 * gets is that number plus one, and do not advance the count. A send that
 * fails stops the rest: the server ends that stream. */
static void send_snapshot(sub *s, const ledger_result *r)
{
    const ledger_exposure **v = malloc((r->n_items ? r->n_items : 1) * sizeof(*v));
    event ev;
    int ok = 1;

    if (v == NULL) {
        rpc_call *c = s->call;
        unlink_sub(s->e, s);
        sub_free(s);
        rpc_call_finish(c, SYND_RESOURCE_EXHAUSTED, "broker out of memory sending the snapshot");
        return;
    }
    for (size_t i = 0; i < r->n_items; i++)
        v[i] = &r->exposures[i];
    exposure_sort_ids(v, r->n_items);
    for (size_t i = 0; i < r->n_items && ok; i++) {
        synd__v1__supervision_event__init(&ev);
        ev.seq = s->base_seq;
        ev.time_ms = rpc_now_ms();
        ev.kind = SYND__V1__SUPERVISION_EVENT__KIND__SNAPSHOT;
        ev.bank_id = (char *)v[i]->bank;
        ev.borrower_code = (char *)v[i]->borrower;
        ev.group_id = (char *)v[i]->group;
        ev.exposure_fen = v[i]->fen;
        ev.limit_fen = v[i]->joint_limit_fen;
        ok = rpc_call_reply(s->call, &ev.base) == 0;
    }
    free(v);
    synd__v1__supervision_event__init(&ev);
    ev.seq = s->base_seq;
    ev.time_ms = rpc_now_ms();
    ev.kind = SYND__V1__SUPERVISION_EVENT__KIND__SNAPSHOT_END;
    ok = ok && rpc_call_reply(s->call, &ev.base) == 0;
    for (size_t i = 0; i < s->n_queue && ok; i++)
        ok = rpc_call_reply(s->call, &s->queue[i]->base) == 0;
    s->reading = 0;
    drop_queue(s);
}

/* The snapshot's read answered. The stream may have ended meanwhile, or
 * missed a live event it could not queue; then it is ended here. */
static void on_snapshot(void *arg, const ledger_result *r)
{
    sub *s = arg;
    rpc_call *c = s->call;

    if (s->e == NULL) {
        sub_free(s);
        return;
    }
    if (r->code == SYND_OK && !s->lost) {
        send_snapshot(s, r);
        return;
    }
    /* Unlinked first: finishing the call reaches the audit trail, which
     * emits a BLOCKED event to the streams still listed. */
    unlink_sub(s->e, s);
    sub_free(s);
    if (r->code != SYND_OK)
        rpc_call_finish(c, r->code, "cannot read the exposures for the snapshot: %s", r->message);
    else
        rpc_call_finish(c, SYND_RESOURCE_EXHAUSTED,
                        "broker out of memory queueing live events during the snapshot; "
                        "subscribe again");
}

synd_code events_subscribe(events *e, rpc_call *c, int snapshot, synd_status *st)
{
    sub *s;

    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 16;
        sub **grown = realloc(e->subs, cap * sizeof(*grown));
        if (grown == NULL)
            return synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        e->subs = grown;
        e->cap = cap;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
    s->e = e;
    s->call = c;
    s->base_seq = e->seq;
    s->reading = snapshot != 0;
    if (snapshot && ledger_exposures_all(e->l, on_snapshot, s) != 0) {
        free(s);
        return synd_status_set(st, SYND_UNAVAILABLE,
                               "redis is not available for the snapshot; retry later");
    }
    e->subs[e->n++] = s;
    rpc_call_on_cancel(c, forget, s);
    return SYND_OK;
}
