/* syndctl: the command-line client of the synd broker. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synd/synd.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"

typedef struct ctl {
    const char *endpoint, *server_key, *key;
    int insecure;
    int64_t timeout_ms;
    synd_client *client;
} ctl;

typedef struct command {
    const char *name, *args, *help;
    int (*run)(ctl *c, int argc, char **argv);
    int needs_broker;
} command;

static const command commands[];

static void usage(FILE *out)
{
    fprintf(out, "usage: syndctl [options] COMMAND [args]\n\n"
                 "options (defaults from SYND_ENDPOINT, SYND_SERVER_KEY, SYND_KEY):\n"
                 "  --endpoint ENDPOINT  broker endpoint (default tcp://127.0.0.1:7700)\n"
                 "  --server-key FILE    the broker's public key (.pub or .key file)\n"
                 "  --key FILE           this client's key pair (.key file)\n"
                 "  --insecure           plain connection to a broker run with --insecure\n"
                 "  --timeout MS         deadline of each call (default 5000)\n"
                 "  --help               show this help\n\ncommands:\n");
    for (const command *c = commands; c->name; c++)
        fprintf(out, "  %-8s %-18s %s\n", c->name, c->args, c->help);
}

/* Prints a failed call's status the same way everywhere; returns 1. */
static int fail(const synd_status *st)
{
    fprintf(stderr, "syndctl: %s: %s\n", synd_code_name(st->code), st->message);
    return 1;
}

static int cmd_keygen(ctl *c, int argc, char **argv)
{
    char pub[SYND_KEY_LEN];
    synd_status st;

    if (argc != 2) {
        fprintf(stderr, "syndctl: usage: syndctl keygen PREFIX (writes PREFIX.key and "
                        "PREFIX.pub)\n");
        return 2;
    }
    if (synd_keygen(argv[1], pub, &st) != 0)
        return fail(&st);
    printf("%s\n", pub);
    return 0;
}

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
static int cmd_health(ctl *c, int argc, char **argv)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__HealthCheckResponse *resp;
    synd_call_opts o = {.timeout_ms = c->timeout_ms};
    synd_status st;
    int watch = argc > 1 && strcmp(argv[1], "--watch") == 0;

    if (argc > 2 + watch) {
        fprintf(stderr, "syndctl: usage: syndctl health [--watch] [SERVICE]\n");
        return 2;
    }
    req.service = argc > 1 + watch ? argv[1 + watch] : "";
    if (watch) {
        if (synd_stream(c->client, "/synd.v1.Health/Watch", &req.base,
                        &synd__v1__health_check_response__descriptor, print_health, NULL, &o,
                        &st) != SYND_OK)
            return fail(&st);
        return 0;
    }
    if (synd_call(c->client, "/synd.v1.Health/Check", &req.base,
                  &synd__v1__health_check_response__descriptor, (ProtobufCMessage **)&resp, &o,
                  &st) != SYND_OK)
        return fail(&st);
    print_health(&resp->base, NULL);
    argc = resp->status == SYND__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING ? 0 : 1;
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return argc;
}

static int cmd_methods(ctl *c, int argc, char **argv)
{
    Synd__V1__ListMethodsRequest req = SYND__V1__LIST_METHODS_REQUEST__INIT;
    Synd__V1__ListMethodsResponse *resp;
    synd_call_opts o = {.timeout_ms = c->timeout_ms};
    synd_status st;

    if (argc > 2) {
        fprintf(stderr, "syndctl: usage: syndctl methods [SERVICE]\n");
        return 2;
    }
    req.service = argc > 1 ? argv[1] : "";
    if (synd_call(c->client, "/synd.v1.Reflection/ListMethods", &req.base,
                  &synd__v1__list_methods_response__descriptor, (ProtobufCMessage **)&resp, &o,
                  &st) != SYND_OK)
        return fail(&st);
    for (size_t i = 0; i < resp->n_methods; i++) {
        const Synd__V1__MethodInfo *m = resp->methods[i];
        printf("%-40s %-6s %s -> %s%s\n", m->name, m->server_streaming ? "stream" : "unary",
               m->input_type, m->server_streaming ? "stream " : "", m->output_type);
    }
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return 0;
}

static int cmd_whoami(ctl *c, int argc, char **argv)
{
    Synd__V1__WhoAmIRequest req = SYND__V1__WHO_AM_IREQUEST__INIT;
    Synd__V1__WhoAmIResponse *resp;
    synd_call_opts o = {.timeout_ms = c->timeout_ms};
    synd_status st;

    if (synd_call(c->client, "/synd.v1.Reflection/WhoAmI", &req.base,
                  &synd__v1__who_am_iresponse__descriptor, (ProtobufCMessage **)&resp, &o,
                  &st) != SYND_OK)
        return fail(&st);
    printf("bank %s, role %s\n", resp->bank_id[0] ? resp->bank_id : "(anonymous)", resp->role);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return 0;
}

static const command commands[] = {
    {"health", "[--watch] [SERVICE]", "broker health; exit 0 only when SERVING", cmd_health, 1},
    {"methods", "[SERVICE]", "list the services' methods", cmd_methods, 1},
    {"whoami", "", "the bank and role the broker sees for --key", cmd_whoami, 1},
    {"keygen", "PREFIX", "write a key pair to PREFIX.key and PREFIX.pub", cmd_keygen, 0},
    {NULL, NULL, NULL, NULL, 0},
};

static int parse_flags(int argc, char **argv, ctl *c)
{
    static const struct option opts[] = {{"endpoint", required_argument, NULL, 'e'},
                                         {"server-key", required_argument, NULL, 's'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"insecure", no_argument, NULL, 'i'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    char *end;
    int o;

    while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (o) {
        case 'e':
            c->endpoint = optarg;
            break;
        case 's':
            c->server_key = optarg;
            break;
        case 'k':
            c->key = optarg;
            break;
        case 'i':
            c->insecure = 1;
            break;
        case 'h':
            usage(stdout);
            return 1;
        case 't':
            c->timeout_ms = strtoll(optarg, &end, 10);
            if (*end != '\0' || c->timeout_ms <= 0) {
                fprintf(stderr, "syndctl: --timeout must be a positive number of ms\n");
                return -1;
            }
            break;
        default:
            fprintf(stderr, "syndctl: try --help\n");
            return -1;
        }
    }
    return 0;
}

/* Connects with the keys named by --server-key and --key. */
static int connect_broker(ctl *c)
{
    synd_keys k;
    synd_status st;

    if (!c->insecure) {
        if (c->server_key == NULL || c->key == NULL) {
            fprintf(stderr, "syndctl: --server-key and --key are required (or --insecure)\n");
            return 2;
        }
        if (synd_keyfile_read(c->server_key, k.server_public, NULL, &st) != 0 ||
            synd_keyfile_read(c->key, k.public_key, k.secret_key, &st) != 0)
            return fail(&st);
    }
    c->client = synd_client_new(c->endpoint, c->insecure ? NULL : &k, &st);
    return c->client ? 0 : fail(&st);
}

int main(int argc, char **argv)
{
    ctl c = {getenv("SYND_ENDPOINT"), getenv("SYND_SERVER_KEY"), getenv("SYND_KEY"), 0, 5000, NULL};
    int rc = parse_flags(argc, argv, &c);

    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (c.endpoint == NULL)
        c.endpoint = "tcp://127.0.0.1:7700";
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    for (const command *cmd = commands; cmd->name; cmd++) {
        if (strcmp(cmd->name, argv[optind]) != 0)
            continue;
        if (cmd->needs_broker && (rc = connect_broker(&c)) != 0)
            return rc;
        rc = cmd->run(&c, argc - optind, argv + optind);
        synd_client_free(c.client);
        return rc;
    }
    fprintf(stderr, "syndctl: unknown command '%s'; try --help\n", argv[optind]);
    return 2;
}
