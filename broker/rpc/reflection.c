/* Reflection: listings built from the registered service descriptors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/reflection.h"
#include "synd/v1/reflection.pb-c.h"

struct rpc_reflection {
    Synd__V1__Reflection_Service base; /* first: handlers cast back from it */
    const rpc_server *srv;
};

static void list_services(Synd__V1__Reflection_Service *svc,
                          const Synd__V1__ListServicesRequest *in,
                          Synd__V1__ListServicesResponse_Closure closure, void *data)
{
    const rpc_server *srv = ((rpc_reflection *)svc)->srv;
    Synd__V1__ListServicesResponse out = SYND__V1__LIST_SERVICES_RESPONSE__INIT;
    size_t n = rpc_server_service_count(srv);
    char **names = calloc(n ? n : 1, sizeof(*names));

    if (names == NULL) {
        rpc_call_finish(data, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        names[i] = (char *)rpc_server_service(srv, i)->name;
    out.n_services = n;
    out.services = names;
    closure(&out, data);
    free(names);
}

/* Describes method m of d, writing the full name into a buffer the info
 * points at; the caller frees it. */
static int describe(const ProtobufCServiceDescriptor *d, unsigned m, Synd__V1__MethodInfo *info)
{
    size_t len = strlen(d->name) + strlen(d->methods[m].name) + 3;

    synd__v1__method_info__init(info);
    info->name = malloc(len);
    if (info->name == NULL)
        return -1;
    snprintf(info->name, len, "/%s/%s", d->name, d->methods[m].name);
    info->input_type = (char *)d->methods[m].input->name;
    info->output_type = (char *)d->methods[m].output->name;
    info->server_streaming = rpc_method_is_streaming(d, m);
    return 0;
}

/* Collects the methods of every service named want ("" for all). */
static int collect(const rpc_server *srv, const char *want, Synd__V1__MethodInfo **infos, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < rpc_server_service_count(srv); i++) {
        const ProtobufCServiceDescriptor *d = rpc_server_service(srv, i);
        if (want[0] != '\0' && strcmp(want, d->name) != 0)
            continue;
        for (unsigned m = 0; m < d->n_methods; m++) {
            if (describe(d, m, infos[*n]) != 0)
                return -1;
            (*n)++;
        }
    }
    return 0;
}

static size_t method_count(const rpc_server *srv)
{
    size_t n = 0;

    for (size_t i = 0; i < rpc_server_service_count(srv); i++)
        n += rpc_server_service(srv, i)->n_methods;
    return n;
}

static void list_methods(Synd__V1__Reflection_Service *svc, const Synd__V1__ListMethodsRequest *in,
                         Synd__V1__ListMethodsResponse_Closure closure, void *data)
{
    const rpc_server *srv = ((rpc_reflection *)svc)->srv;
    Synd__V1__ListMethodsResponse out = SYND__V1__LIST_METHODS_RESPONSE__INIT;
    size_t total = method_count(srv), n = 0;
    Synd__V1__MethodInfo *storage = calloc(total ? total : 1, sizeof(*storage));
    Synd__V1__MethodInfo **infos = calloc(total ? total : 1, sizeof(*infos));

    for (size_t i = 0; infos && storage && i < total; i++)
        infos[i] = &storage[i];
    if (infos == NULL || storage == NULL || collect(srv, in->service, infos, &n) != 0)
        rpc_call_finish(data, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
    else if (n == 0 && in->service[0] != '\0')
        rpc_call_finish(data, SYND_NOT_FOUND, "service '%s' is not served here", in->service);
    else {
        out.n_methods = n;
        out.methods = infos;
        closure(&out, data);
    }
    for (size_t i = 0; storage && i < total; i++)
        free(storage[i].name);
    free(storage);
    free(infos);
}

static void who_am_i(Synd__V1__Reflection_Service *svc, const Synd__V1__WhoAmIRequest *in,
                     Synd__V1__WhoAmIResponse_Closure closure, void *data)
{
    const registry_identity *id = rpc_call_identity(data);
    Synd__V1__WhoAmIResponse out = SYND__V1__WHO_AM_IRESPONSE__INIT;

    out.bank_id = (char *)id->bank_id;
    out.role = (char *)registry_role_name(id->role);
    closure(&out, data);
}

static void get_stats(Synd__V1__Reflection_Service *svc, const Synd__V1__GetStatsRequest *in,
                      Synd__V1__GetStatsResponse_Closure closure, void *data)
{
    Synd__V1__GetStatsResponse out = SYND__V1__GET_STATS_RESPONSE__INIT;
    rpc_stats st;

    rpc_server_stats(((rpc_reflection *)svc)->srv, &st);
    out.calls = st.calls;
    out.bad_frames = st.bad_frames;
    out.undeliverable = st.undeliverable;
    out.open_streams = st.open_streams;
    out.deadline_exceeded = st.deadline_exceeded;
    closure(&out, data);
}

rpc_reflection *rpc_reflection_new(const rpc_server *srv)
{
    rpc_reflection *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return NULL;
    synd__v1__reflection__init(&r->base, NULL);
    r->base.list_services = list_services;
    r->base.list_methods = list_methods;
    r->base.who_am_i = who_am_i;
    r->base.get_stats = get_stats;
    r->srv = srv;
    return r;
}

void rpc_reflection_free(rpc_reflection *r)
{
    free(r);
}

ProtobufCService *rpc_reflection_service(rpc_reflection *r)
{
    return &r->base.base;
}
