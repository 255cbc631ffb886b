/* health, methods, whoami: is the broker up, what does it serve, and who
 * does it take the caller for. */
#include <string.h>

#include "ctl.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"

static const char *serving_name(int status)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
        &synd__v1__health_check_response__serving_status__descriptor, status);
    return v ? v->name : "UNKNOWN";
}

static int print_health(const ProtobufCMessage *m, void *arg)
{
    printf("%s\n", serving_name(((const Synd__V1__HealthCheckResponse *)m)->status));
    fflush(stdout);
    return 0;
}

/* health [--watch] [SERVICE]: exits 0 only when the answer is SERVING. */
int ctl_health(ctl *c, int argc, char **argv)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__HealthCheckResponse *resp;
    synd_call_opts o = {.timeout_ms = c->timeout_ms};
    synd_status st;
    int watch = argc > 1 && strcmp(argv[1], "--watch") == 0;
    int rc;

    if (argc > 2 + watch)
        return ctl_usage_error(c, NULL);
    req.service = argc > 1 + watch ? argv[1 + watch] : "";
    if (watch) {
        if ((rc = ctl_connect(c)) != 0)
            return rc;
        if (synd_stream(c->client, "/synd.v1.Health/Watch", &req.base,
                        &synd__v1__health_check_response__descriptor, print_health, NULL, &o,
                        &st) != SYND_OK)
            return ctl_fail(&st);
        return 0;
    }
    rc = ctl_call(c, "/synd.v1.Health/Check", &req.base,
                  &synd__v1__health_check_response__descriptor, &resp, NULL);
    if (rc != 0)
        return rc;
    print_health(&resp->base, NULL);
    rc = resp->status == SYND__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING ? 0 : 1;
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return rc;
}

int ctl_methods(ctl *c, int argc, char **argv)
{
    Synd__V1__ListMethodsRequest req = SYND__V1__LIST_METHODS_REQUEST__INIT;
    Synd__V1__ListMethodsResponse *resp;
    int rc;

    if (argc > 2)
        return ctl_usage_error(c, NULL);
    req.service = argc > 1 ? argv[1] : "";
    rc = ctl_call(c, "/synd.v1.Reflection/ListMethods", &req.base,
                  &synd__v1__list_methods_response__descriptor, &resp, NULL);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < resp->n_methods; i++) {
        const Synd__V1__MethodInfo *m = resp->methods[i];
        printf("%-40s %-6s %s -> %s%s\n", m->name, m->server_streaming ? "stream" : "unary",
               m->input_type, m->server_streaming ? "stream " : "", m->output_type);
    }
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return 0;
}

int ctl_whoami(ctl *c, int argc, char **argv)
{
    Synd__V1__WhoAmIRequest req = SYND__V1__WHO_AM_IREQUEST__INIT;
    Synd__V1__WhoAmIResponse *resp;
    int rc;

    if (argc > 1)
        return ctl_usage_error(c, "unexpected argument '%s'", argv[1]);
    rc = ctl_call(c, "/synd.v1.Reflection/WhoAmI", &req.base,
                  &synd__v1__who_am_iresponse__descriptor, &resp, NULL);
    if (rc != 0)
        return rc;
    printf("bank %s, role %s\n", resp->bank_id[0] ? resp->bank_id : "(anonymous)", resp->role);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return 0;
}
