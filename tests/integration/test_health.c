/* Integration: Health and Reflection listings, and health following Redis
 * as it dies, freezes and comes back. */
#include <signal.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness.h"

static harness h;

static void setup(void)
{
    cr_assert_eq(harness_start(&h), 0, "cannot start redis-server and syndbroker");
}

static void teardown(void)
{
    cr_expect_eq(harness_stop(&h), 0, "syndbroker did not shut down cleanly");
}

TestSuite(health, .init = setup, .fini = teardown, .timeout = 60);

static int has_string(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i], s) == 0)
            return 1;
    }
    return 0;
}

static const Synd__V1__MethodInfo *find_method(const Synd__V1__ListMethodsResponse *r,
                                               const char *name)
{
    for (size_t i = 0; i < r->n_methods; i++) {
        if (strcmp(r->methods[i]->name, name) == 0)
            return r->methods[i];
    }
    return NULL;
}

/* Asserts that r lists name with the given types and streaming flag. */
static void expect_method(const Synd__V1__ListMethodsResponse *r, const char *name, const char *in,
                          const char *out, int streaming)
{
    const Synd__V1__MethodInfo *m = find_method(r, name);

    cr_assert_not_null(m, "ListMethods does not list %s", name);
    cr_expect_str_eq(m->input_type, in, "%s input type", name);
    cr_expect_str_eq(m->output_type, out, "%s output type", name);
    cr_expect_eq(m->server_streaming, streaming, "%s server_streaming is %d", name,
                 m->server_streaming);
}

static Synd__V1__ListMethodsResponse *list_methods(synd_client *c, const char *service,
                                                   synd_status *st)
{
    Synd__V1__ListMethodsRequest req = SYND__V1__LIST_METHODS_REQUEST__INIT;
    Synd__V1__ListMethodsResponse *resp;

    req.service = (char *)service;
    synd_call(c, "/synd.v1.Reflection/ListMethods", &req.base,
              &synd__v1__list_methods_response__descriptor, (ProtobufCMessage **)&resp, NULL, st);
    return resp;
}

Test(health, check_and_listings)
{
    Synd__V1__HealthCheckRequest hreq = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__ListServicesRequest sreq = SYND__V1__LIST_SERVICES_REQUEST__INIT;
    Synd__V1__ListServicesResponse *services;
    Synd__V1__ListMethodsResponse *methods;
    ProtobufCMessage *reply;
    synd_client *c = harness_client(&h, HARNESS_PARTICIPANT);
    synd_status st;

    cr_assert_not_null(c);
    cr_assert_eq(harness_health(c, "", 3000), HARNESS_SERVING);
    cr_assert_eq(harness_health(c, "synd.v1.Reflection", 3000), HARNESS_SERVING);
    hreq.service = "synd.v1.Nope";
    cr_assert_eq(synd_call(c, "/synd.v1.Health/Check", &hreq.base,
                           &synd__v1__health_check_response__descriptor, &reply, NULL, &st),
                 SYND_NOT_FOUND, "Check of an unknown service: %s %s", synd_code_name(st.code),
                 st.message);

    cr_assert_eq(synd_call(c, "/synd.v1.Reflection/ListServices", &sreq.base,
                           &synd__v1__list_services_response__descriptor,
                           (ProtobufCMessage **)&services, NULL, &st),
                 SYND_OK, "ListServices: %s", st.message);
    cr_expect(has_string(services->services, services->n_services, "synd.v1.Health"));
    cr_expect(has_string(services->services, services->n_services, "synd.v1.Reflection"));
    protobuf_c_message_free_unpacked(&services->base, NULL);

    methods = list_methods(c, "", &st);
    cr_assert_not_null(methods, "ListMethods: %s", st.message);
    expect_method(methods, "/synd.v1.Health/Check", "synd.v1.HealthCheckRequest",
                  "synd.v1.HealthCheckResponse", 0);
    expect_method(methods, "/synd.v1.Health/Watch", "synd.v1.HealthCheckRequest",
                  "synd.v1.HealthCheckResponse", 1);
    expect_method(methods, "/synd.v1.Reflection/ListServices", "synd.v1.ListServicesRequest",
                  "synd.v1.ListServicesResponse", 0);
    expect_method(methods, "/synd.v1.Reflection/ListMethods", "synd.v1.ListMethodsRequest",
                  "synd.v1.ListMethodsResponse", 0);
    expect_method(methods, "/synd.v1.Reflection/WhoAmI", "synd.v1.WhoAmIRequest",
                  "synd.v1.WhoAmIResponse", 0);
    expect_method(methods, "/synd.v1.Reflection/GetStats", "synd.v1.GetStatsRequest",
                  "synd.v1.GetStatsResponse", 0);
    protobuf_c_message_free_unpacked(&methods->base, NULL);

    methods = list_methods(c, "synd.v1.Health", &st);
    cr_assert_not_null(methods, "ListMethods synd.v1.Health: %s", st.message);
    cr_expect_eq(methods->n_methods, 2);
    cr_expect_not_null(find_method(methods, "/synd.v1.Health/Check"));
    cr_expect_not_null(find_method(methods, "/synd.v1.Health/Watch"));
    protobuf_c_message_free_unpacked(&methods->base, NULL);

    cr_expect_null(list_methods(c, "synd.v1.Nope", &st));
    cr_expect_eq(st.code, SYND_NOT_FOUND, "ListMethods of an unknown service: %s",
                 synd_code_name(st.code));
    synd_client_free(c);
}

/* Records the first status of a Watch and cancels it. */
static int first_status(const ProtobufCMessage *m, void *arg)
{
    *(int *)arg = ((const Synd__V1__HealthCheckResponse *)m)->status;
    return 1;
}

Test(health, watch_unknown_service)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    synd_call_opts o = {.timeout_ms = 5000};
    synd_client *c = harness_client(&h, HARNESS_LEAD);
    synd_status st;
    int status = -1;

    cr_assert_not_null(c);
    req.service = "synd.v1.Nope";
    cr_assert_eq(synd_stream(c, "/synd.v1.Health/Watch", &req.base,
                             &synd__v1__health_check_response__descriptor, first_status, &status,
                             &o, &st),
                 SYND_CANCELLED, "Watch: %s %s", synd_code_name(st.code), st.message);
    cr_expect_eq(status, SYND__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN);
    synd_client_free(c);
}

/* A Watch that kills Redis on SERVING, restarts it on NOT_SERVING, and
 * cancels on the SERVING that follows; every status seen is recorded. */
typedef struct watch_script {
    int seen[8];
    int n;
    int failed;
} watch_script;

static int follow_redis(const ProtobufCMessage *m, void *arg)
{
    watch_script *w = arg;
    int status = ((const Synd__V1__HealthCheckResponse *)m)->status;

    if (w->n == (int)(sizeof(w->seen) / sizeof(w->seen[0])))
        return 1;
    w->seen[w->n++] = status;
    if (w->n == 1 && status == HARNESS_SERVING)
        w->failed |= harness_redis_kill(&h) != 0;
    else if (w->n == 2 && status == HARNESS_NOT_SERVING)
        w->failed |= harness_redis_start(&h) != 0;
    else
        return 1;
    return w->failed;
}

Test(health, watch_follows_redis)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    synd_call_opts o = {.timeout_ms = 20000};
    synd_client *c = harness_client(&h, HARNESS_SUPERVISOR);
    watch_script w = {{0}, 0, 0};
    synd_status st;

    cr_assert_not_null(c);
    req.service = "";
    cr_assert_eq(synd_stream(c, "/synd.v1.Health/Watch", &req.base,
                             &synd__v1__health_check_response__descriptor, follow_redis, &w, &o,
                             &st),
                 SYND_CANCELLED, "Watch ended with %s: %s (after %d statuses)",
                 synd_code_name(st.code), st.message, w.n);
    cr_assert_eq(w.failed, 0, "could not kill or restart redis");
    cr_assert_eq(w.n, 3);
    cr_expect_eq(w.seen[0], HARNESS_SERVING);
    cr_expect_eq(w.seen[1], HARNESS_NOT_SERVING);
    cr_expect_eq(w.seen[2], HARNESS_SERVING);
    synd_client_free(c);
}

/* Polls Check until it answers want; returns the ms it took, or -1. */
static int64_t time_until(synd_client *c, int want, int bound_ms)
{
    int64_t start = harness_now_ms(), now;

    do {
        if (harness_health(c, "", 500) == want)
            return harness_now_ms() - start;
        harness_sleep_ms(10);
        now = harness_now_ms();
    } while (now - start < bound_ms);
    return -1;
}

Test(health, check_follows_redis_kill)
{
    synd_client *c = harness_client(&h, HARNESS_OPERATOR);
    int64_t took;

    cr_assert_not_null(c);
    cr_assert_eq(harness_health(c, "", 3000), HARNESS_SERVING);
    cr_assert_eq(harness_redis_kill(&h), 0);
    took = time_until(c, HARNESS_NOT_SERVING, 5000);
    cr_assert(took >= 0 && took <= 2500, "NOT_SERVING %lld ms after redis died (bound 2500)",
              (long long)took);
    cr_assert_eq(harness_redis_start(&h), 0);
    took = time_until(c, HARNESS_SERVING, 10000);
    cr_assert(took >= 0, "not SERVING within 10 s of redis restarting");
    synd_client_free(c);
}

/* A Redis that stops answering without closing its socket is found by the
 * PING timeout, and health must not come back until Redis answers again. */
Test(health, check_follows_frozen_redis)
{
    synd_client *c = harness_client(&h, HARNESS_OPERATOR);
    int64_t took, until;

    cr_assert_not_null(c);
    cr_assert_eq(harness_health(c, "", 3000), HARNESS_SERVING);
    cr_assert_eq(kill(h.redis_pid, SIGSTOP), 0);
    took = time_until(c, HARNESS_NOT_SERVING, 5000);
    cr_assert(took >= 0 && took <= 2500, "NOT_SERVING %lld ms after redis froze (bound 2500)",
              (long long)took);
    /* While Redis stays frozen, a reconnect reaches its listen backlog but
     * gets no answer: health must stay NOT_SERVING until the broker has
     * given that reconnect up. */
    until = harness_now_ms() + 5000;
    do {
        int status = harness_health(c, "", 500);
        cr_assert_eq(status, HARNESS_NOT_SERVING, "health is %d while redis is frozen", status);
        if (harness_file_contains(h.broker.log_path, "no answer to the first PING"))
            break;
        harness_sleep_ms(20);
    } while (harness_now_ms() < until);
    cr_assert(harness_file_contains(h.broker.log_path, "no answer to the first PING"),
              "the broker did not retry the frozen redis within 5 s");
    cr_assert_eq(kill(h.redis_pid, SIGCONT), 0);
    took = time_until(c, HARNESS_SERVING, 10000);
    cr_assert(took >= 0, "not SERVING within 10 s of redis resuming");
    synd_client_free(c);
}
