/* The health service and its Watch streams. */
#include <stdlib.h>
#include <string.h>

#include "rpc/health.h"
#include "synd/v1/health.pb-c.h"

typedef Synd__V1__HealthCheckResponse__ServingStatus serving_status;

typedef struct watcher {
    rpc_call *call;
    int known; /* watches the broker or a registered service */
} watcher;

struct rpc_health {
    Synd__V1__Health_Service base; /* first: handlers cast back from it */
    const rpc_server *srv;
    int serving;
    watcher *watchers;
    size_t n_watchers, cap_watchers;
};

/* "" names the broker as a whole; otherwise a registered service. */
static int service_known(const rpc_health *h, const char *name)
{
    if (name[0] == '\0')
        return 1;
    for (size_t i = 0; i < rpc_server_service_count(h->srv); i++) {
        if (strcmp(rpc_server_service(h->srv, i)->name, name) == 0)
            return 1;
    }
    return 0;
}

static serving_status status_of(const rpc_health *h, int known)
{
    if (!known)
        return SYND__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN;
    return h->serving ? SYND__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
                      : SYND__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
}

static void health_check(Synd__V1__Health_Service *svc, const Synd__V1__HealthCheckRequest *in,
                         Synd__V1__HealthCheckResponse_Closure closure, void *data)
{
    rpc_health *h = (rpc_health *)svc;
    Synd__V1__HealthCheckResponse out = SYND__V1__HEALTH_CHECK_RESPONSE__INIT;

    if (!service_known(h, in->service)) {
        rpc_call_finish(data, SYND_NOT_FOUND, "service '%s' is not served here", in->service);
        return;
    }
    out.status = status_of(h, 1);
    closure(&out, data);
}

static void send_current(rpc_health *h, const watcher *w)
{
    Synd__V1__HealthCheckResponse out = SYND__V1__HEALTH_CHECK_RESPONSE__INIT;

    out.status = status_of(h, w->known);
    rpc_call_reply(w->call, &out.base);
}

/* Removes a Watch stream that ended (cancel, deadline, peer gone). */
static void forget_watcher(rpc_call *c, void *arg)
{
    rpc_health *h = arg;

    for (size_t i = 0; i < h->n_watchers; i++) {
        if (h->watchers[i].call == c) {
            h->watchers[i] = h->watchers[--h->n_watchers];
            return;
        }
    }
}

static void health_watch(Synd__V1__Health_Service *svc, const Synd__V1__HealthCheckRequest *in,
                         Synd__V1__HealthCheckResponse_Closure closure, void *data)
{
    rpc_health *h = (rpc_health *)svc;
    watcher *w;

    if (h->n_watchers == h->cap_watchers) {
        size_t cap = h->cap_watchers ? 2 * h->cap_watchers : 16;
        watcher *grown = realloc(h->watchers, cap * sizeof(*grown));
        if (grown == NULL) {
            rpc_call_finish(data, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
            return;
        }
        h->watchers = grown;
        h->cap_watchers = cap;
    }
    w = &h->watchers[h->n_watchers++];
    w->call = data;
    w->known = service_known(h, in->service);
    rpc_call_on_cancel(data, forget_watcher, h);
    send_current(h, w);
}

rpc_health *rpc_health_new(const rpc_server *srv)
{
    rpc_health *h = calloc(1, sizeof(*h));

    if (h == NULL)
        return NULL;
    synd__v1__health__init(&h->base, NULL);
    h->base.check = health_check;
    h->base.watch = health_watch;
    h->srv = srv;
    return h;
}

void rpc_health_free(rpc_health *h)
{
    if (h == NULL)
        return;
    free(h->watchers);
    free(h);
}

ProtobufCService *rpc_health_service(rpc_health *h)
{
    return &h->base.base;
}

void rpc_health_set_serving(rpc_health *h, int serving)
{
    if (h->serving == serving)
        return;
    h->serving = serving;
    for (size_t i = 0; i < h->n_watchers; i++)
        send_current(h, &h->watchers[i]);
}
