/* syndctl: the command-line client of the synd broker. This file holds the
 * global flags, the command table and the connection; each command group
 * lives in its own file. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const char key_detail[] =
    "FILE is the broker's --registry file, the source of truth for keys. It is\n"
    "rewritten atomically (other settings kept, comments not), and the broker\n"
    "applies it by itself within a second (or at once on SIGHUP), keeping the\n"
    "previous registry if the file does not load. A revoked key stays listed\n"
    "with revoked = true: its open streams end, its calls and handshakes are\n"
    "refused, and it cannot be added again.\n";

static const command commands[] = {
    {NULL, "health", "[--watch] [SERVICE]", "broker health; exit 0 only when SERVING", ctl_health,
     NULL},
    {NULL, "methods", "[SERVICE]", "list the services' methods", ctl_methods, NULL},
    {NULL, "whoami", "", "the bank and role the broker sees for --key", ctl_whoami, NULL},
    {NULL, "keygen", "PREFIX", "write a key pair to PREFIX.key and PREFIX.pub", ctl_keygen, NULL},
    {"key", "list", "--registry FILE", "every key: its bank, role, and whether it is revoked",
     ctl_key_list, key_detail},
    {"key", "add", "--registry FILE --bank ID --role ROLE (--public-key Z85 | --pub FILE)",
     "register a key for a bank listed in FILE", ctl_key_add, key_detail},
    {"key", "revoke", "--registry FILE (--public-key Z85 | --pub FILE | --bank ID --role ROLE)",
     "revoke a key, or every key of a bank in a role", ctl_key_revoke, key_detail},
    {"book", "open", "[--file F] [TERMS]", "open a book; prints its id first (lead)", ctl_book_open,
     ctl_terms_help},
    {"book", "close", "BOOK", "close a book now and print its allocation (lead)", ctl_book_close,
     NULL},
    {"book", "cancel", "BOOK", "cancel a book before its close (lead)", ctl_book_cancel, NULL},
    {"book", "show", "BOOK", "terms, state, the bids you may see, the allocation", ctl_book_show,
     NULL},
    {"book", "allocation", "BOOK", "the allocation of a settled book", ctl_book_allocation, NULL},
    {"book", "repay", "BOOK --amount AMOUNT",
     "record a repayment, shared pro-rata by the lenders (lead)", ctl_book_repay, NULL},
    {"bid", "submit", "BOOK --amount AMOUNT --spread BPS [--idempotency-key KEY]",
     "bid, or replace this bank's bid", ctl_bid_submit,
     "AMOUNT is yuan: 1234.56, 500m, 1.5bn, ¥2,000,000. Without --idempotency-key\n"
     "a fresh key is made; a retry with the same key counts once.\n"},
    {"bid", "withdraw", "BOOK", "withdraw this bank's bid", ctl_bid_withdraw, NULL},
    {NULL, "headroom", "BORROWER_CODE", "what this bank may still lend to a borrower", ctl_headroom,
     NULL},
    {"bank", "put", "--id ID --name NAME --net-capital AMOUNT --tier1 AMOUNT",
     "add or change a bank (operator)", ctl_bank_put, NULL},
    {"bank", "list", "", "the banks of the registry", ctl_bank_list, NULL},
    {"borrower", "put", "--code CODE --name NAME [--group GROUP] [--joint-limit AMOUNT]",
     "add or change a borrower (operator)", ctl_borrower_put, NULL},
    {"borrower", "list", "", "the borrowers of the registry", ctl_borrower_list, NULL},
    {"audit", "verify", "[--anchor ID:HASH]",
     "check the audit trail's hash chain (supervisor); exit 0 if intact", ctl_audit_verify,
     "Walks the whole trail, recomputing each record's hash, and names the first\n"
     "record that was modified, deleted or moved; exit 1 with that finding.\n"
     "--anchor ID:HASH also checks that the record ID still has HASH (from an\n"
     "earlier verify's head, kept elsewhere): this catches a chain rewritten\n"
     "with fresh hashes up to that record, which the chain alone cannot.\n"},
    {"audit", "show", "[--since SECONDS] [--limit N]",
     "the audit trail, oldest first (supervisor; default the first 100)", ctl_audit_show, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

/* "book open" or "health": the words that select cmd. */
static void command_words(const command *cmd, char *out, size_t len)
{
    snprintf(out, len, "%s%s%s", cmd->group ? cmd->group : "", cmd->group ? " " : "", cmd->name);
}

/* One line of the command list. */
static void list_command(const command *cmd, FILE *out)
{
    char words[64], both[160];

    command_words(cmd, words, sizeof(words));
    snprintf(both, sizeof(both), "%s %s", words, cmd->args);
    if (strlen(both) > 32)
        fprintf(out, "  %s\n  %-32s %s\n", both, "", cmd->help);
    else
        fprintf(out, "  %-32s %s\n", both, cmd->help);
}

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
        list_command(c, out);
    fprintf(out, "\nAmounts are yuan (1234.56, 500m, 3bn); spreads are bps over the reference "
                 "rate.\n'syndctl book open --help' lists the terms of a book.\n");
}

int ctl_fail(const synd_status *st)
{
    fprintf(stderr, "syndctl: %s: %s\n", synd_code_name(st->code), st->message);
    return 1;
}

int ctl_oom(void)
{
    synd_status st;

    synd_status_set(&st, SYND_RESOURCE_EXHAUSTED, "out of memory");
    return ctl_fail(&st);
}

void ctl_usage(const ctl *c, FILE *out)
{
    char words[64];

    command_words(c->cmd, words, sizeof(words));
    fprintf(out, "usage: syndctl %s%s%s\n%s\n", words, c->cmd->args[0] ? " " : "", c->cmd->args,
            c->cmd->help);
    if (c->cmd->detail != NULL)
        fprintf(out, "\n%s", c->cmd->detail);
}

int ctl_usage_error(ctl *c, const char *fmt, ...)
{
    char words[64];
    va_list ap;

    if (fmt != NULL) {
        fprintf(stderr, "syndctl: ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\n");
    }
    command_words(c->cmd, words, sizeof(words));
    fprintf(stderr, "syndctl: usage: syndctl %s%s%s\n", words, c->cmd->args[0] ? " " : "",
            c->cmd->args);
    if (c->cmd->detail != NULL)
        fprintf(stderr, "syndctl: 'syndctl %s --help' says more\n", words);
    return 2;
}

const char *ctl_one_arg(ctl *c, int argc, char **argv, int *rc)
{
    *rc = 2;
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        ctl_usage(c, stdout);
        *rc = 0;
    } else if (argc < 2) {
        ctl_usage_error(c, "missing argument");
    } else if (argc > 2) {
        ctl_usage_error(c, "unexpected argument '%s'", argv[2]);
    } else if (argv[1][0] == '-') {
        ctl_usage_error(c, "unknown option '%s'", argv[1]);
    } else {
        return argv[1];
    }
    return NULL;
}

/* Connects with the keys named by --server-key and --key. */
int ctl_connect(ctl *c)
{
    synd_keys k;
    synd_status st;

    if (c->client != NULL)
        return 0;
    if (!c->insecure) {
        if (c->server_key == NULL || c->key == NULL) {
            fprintf(stderr, "syndctl: --server-key and --key are required (or --insecure)\n");
            return 2;
        }
        if (synd_keyfile_read(c->server_key, k.server_public, NULL, &st) != 0 ||
            synd_keyfile_read(c->key, k.public_key, k.secret_key, &st) != 0)
            return ctl_fail(&st);
    }
    c->client = synd_client_new(c->endpoint, c->insecure ? NULL : &k, &st);
    return c->client ? 0 : ctl_fail(&st);
}

int ctl_call(ctl *c, const char *method, const ProtobufCMessage *request,
             const ProtobufCMessageDescriptor *reply_type, void *reply, const char *idempotency_key)
{
    synd_call_opts o = {.timeout_ms = c->timeout_ms, .idempotency_key = idempotency_key};
    synd_status st;
    int rc = ctl_connect(c);

    if (rc != 0)
        return rc;
    c->last =
        synd_call(c->client, method, request, reply_type, (ProtobufCMessage **)reply, &o, &st);
    if (c->last != SYND_OK)
        return ctl_fail(&st);
    return 0;
}

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

/* The command that argv names, or NULL after saying what is wrong. A group
 * word alone ("book") lists the group's commands. */
static const command *find_command(int argc, char **argv)
{
    int group_known = 0;

    for (const command *cmd = commands; cmd->name; cmd++) {
        if (cmd->group == NULL && strcmp(cmd->name, argv[0]) == 0)
            return cmd;
        if (cmd->group == NULL || strcmp(cmd->group, argv[0]) != 0)
            continue;
        group_known = 1;
        if (argc > 1 && strcmp(cmd->name, argv[1]) == 0)
            return cmd;
    }
    if (!group_known) {
        fprintf(stderr, "syndctl: unknown command '%s'; try --help\n", argv[0]);
        return NULL;
    }
    if (argc > 1)
        fprintf(stderr, "syndctl: unknown command '%s %s'\n", argv[0], argv[1]);
    fprintf(stderr, "syndctl: usage: syndctl [options] %s COMMAND, one of:\n", argv[0]);
    for (const command *cmd = commands; cmd->name; cmd++) {
        if (cmd->group != NULL && strcmp(cmd->group, argv[0]) == 0)
            list_command(cmd, stderr);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    ctl c = {.endpoint = getenv("SYND_ENDPOINT"),
             .server_key = getenv("SYND_SERVER_KEY"),
             .key = getenv("SYND_KEY"),
             .timeout_ms = 5000,
             .last = SYND_OK};
    int rc = parse_flags(argc, argv, &c);
    int first;

    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (c.endpoint == NULL)
        c.endpoint = "tcp://127.0.0.1:7700";
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    c.cmd = find_command(argc - optind, argv + optind);
    if (c.cmd == NULL)
        return 2;
    first = optind + (c.cmd->group != NULL);
    rc = c.cmd->run(&c, argc - first, argv + first);
    synd_client_free(c.client);
    return rc;
}
