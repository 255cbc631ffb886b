/* bank put|list and borrower put|list: the registry of banks and
 * borrowers that the broker keeps in Redis. Operators change it; every
 * authenticated caller may read it. */
#include <string.h>

#include "ctl.h"
#include "synd/v1/registry.pb-c.h"

#define M_PUT_BANK       "/synd.v1.Registry/PutBank"
#define M_PUT_BORROWER   "/synd.v1.Registry/PutBorrower"
#define M_LIST_BANKS     "/synd.v1.Registry/ListBanks"
#define M_LIST_BORROWERS "/synd.v1.Registry/ListBorrowers"

#define MAX_FIELDS 4

/* One flag of a put command: a text field or an amount. */
typedef struct put_field {
    const char *flag;
    int required;
    char **text; /* exactly one of text and fen is set */
    int64_t *fen;
} put_field;

/* Parses a put command's flags into its fields. Returns 0, or the exit
 * code: 0 after --help, 2 after the usage. *done is set when the command
 * should stop there. */
static int put_args(ctl *c, int argc, char **argv, const put_field *fields, size_t n, int *done)
{
    struct option opts[MAX_FIELDS + 2];
    int seen[MAX_FIELDS] = {0}, o;
    synd_status st;
    char what[48];

    for (size_t i = 0; i < n; i++)
        opts[i] = (struct option){fields[i].flag, required_argument, NULL, (int)i};
    opts[n] = (struct option){"help", no_argument, NULL, 'h'};
    opts[n + 1] = (struct option){NULL, 0, NULL, 0};
    *done = 1;
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (o == 'h') {
            ctl_usage(c, stdout);
            return 0;
        }
        if (o < 0 || (size_t)o >= n) {
            ctl_opt_error(o, argv, &st);
            return ctl_usage_error(c, "%s", st.message);
        }
        snprintf(what, sizeof(what), "--%s", fields[o].flag);
        if (fields[o].fen != NULL && ctl_parse_money(what, optarg, fields[o].fen, &st) != 0)
            return ctl_usage_error(c, "%s", st.message);
        if (fields[o].text != NULL)
            *fields[o].text = optarg;
        seen[o] = 1;
    }
    if (optind < argc)
        return ctl_usage_error(c, "unexpected argument '%s'", argv[optind]);
    for (size_t i = 0; i < n; i++) {
        if (fields[i].required && !seen[i])
            return ctl_usage_error(c, "--%s is required", fields[i].flag);
    }
    *done = 0;
    return 0;
}

/* Checks that a list command got no arguments. Returns 0 to go on, or
 * the exit code; *done is set when the command should stop there. */
static int no_args(ctl *c, int argc, char **argv, int *done)
{
    *done = argc > 1;
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        ctl_usage(c, stdout);
        return 0;
    }
    return argc > 1 ? ctl_usage_error(c, "unexpected argument '%s'", argv[1]) : 0;
}

/* The banks as a table; returns the exit code. */
static int print_banks(Synd__V1__Bank **banks, size_t n)
{
    static const char *const heads[] = {"bank", "name", "net capital", "net tier-1 capital"};
    char net[SYND_MONEY_LEN], tier1[SYND_MONEY_LEN];
    ctl_table *t = ctl_table_new(4, heads, "llrr");
    int rc;

    if (t == NULL)
        return ctl_oom();
    for (size_t i = 0; i < n; i++) {
        const char *row[] = {banks[i]->bank_id, banks[i]->name,
                             synd_money_format(banks[i]->net_capital_fen, net, sizeof(net)),
                             synd_money_format(banks[i]->tier1_capital_fen, tier1, sizeof(tier1))};
        ctl_table_add(t, row);
    }
    rc = ctl_table_print(t, stdout) == 0 ? 0 : ctl_oom();
    ctl_table_free(t);
    return rc;
}

/* The borrowers as a table; returns the exit code. */
static int print_borrowers(Synd__V1__Borrower **borrowers, size_t n)
{
    static const char *const heads[] = {"code", "name", "group", "joint credit limit"};
    char limit[SYND_MONEY_LEN];
    ctl_table *t = ctl_table_new(4, heads, "lllr");
    int rc;

    if (t == NULL)
        return ctl_oom();
    for (size_t i = 0; i < n; i++) {
        const Synd__V1__Borrower *b = borrowers[i];
        const char *row[] = {
            b->code, b->name, b->group_id[0] ? b->group_id : "-",
            b->joint_limit_fen ? synd_money_format(b->joint_limit_fen, limit, sizeof(limit)) : "-"};
        ctl_table_add(t, row);
    }
    rc = ctl_table_print(t, stdout) == 0 ? 0 : ctl_oom();
    ctl_table_free(t);
    return rc;
}

int ctl_bank_put(ctl *c, int argc, char **argv)
{
    Synd__V1__Bank req = SYND__V1__BANK__INIT, *resp;
    const put_field fields[] = {{"id", 1, &req.bank_id, NULL},
                                {"name", 1, &req.name, NULL},
                                {"net-capital", 1, NULL, &req.net_capital_fen},
                                {"tier1", 1, NULL, &req.tier1_capital_fen}};
    int done, rc = put_args(c, argc, argv, fields, 4, &done);

    if (done)
        return rc;
    rc = ctl_call(c, M_PUT_BANK, &req.base, &synd__v1__bank__descriptor, &resp, NULL);
    if (rc != 0)
        return rc;
    rc = print_banks(&resp, 1);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return rc;
}

int ctl_bank_list(ctl *c, int argc, char **argv)
{
    Synd__V1__ListBanksRequest req = SYND__V1__LIST_BANKS_REQUEST__INIT;
    Synd__V1__ListBanksResponse *resp;
    int done, rc = no_args(c, argc, argv, &done);

    if (done)
        return rc;
    rc = ctl_call(c, M_LIST_BANKS, &req.base, &synd__v1__list_banks_response__descriptor, &resp,
                  NULL);
    if (rc != 0)
        return rc;
    rc = print_banks(resp->banks, resp->n_banks);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return rc;
}

int ctl_borrower_put(ctl *c, int argc, char **argv)
{
    Synd__V1__Borrower req = SYND__V1__BORROWER__INIT, *resp;
    const put_field fields[] = {{"code", 1, &req.code, NULL},
                                {"name", 1, &req.name, NULL},
                                {"group", 0, &req.group_id, NULL},
                                {"joint-limit", 0, NULL, &req.joint_limit_fen}};
    int done, rc = put_args(c, argc, argv, fields, 4, &done);

    if (done)
        return rc;
    rc = ctl_call(c, M_PUT_BORROWER, &req.base, &synd__v1__borrower__descriptor, &resp, NULL);
    if (rc != 0)
        return rc;
    rc = print_borrowers(&resp, 1);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return rc;
}

int ctl_borrower_list(ctl *c, int argc, char **argv)
{
    Synd__V1__ListBorrowersRequest req = SYND__V1__LIST_BORROWERS_REQUEST__INIT;
    Synd__V1__ListBorrowersResponse *resp;
    int done, rc = no_args(c, argc, argv, &done);

    if (done)
        return rc;
    rc = ctl_call(c, M_LIST_BORROWERS, &req.base, &synd__v1__list_borrowers_response__descriptor,
                  &resp, NULL);
    if (rc != 0)
        return rc;
    rc = print_borrowers(resp->borrowers, resp->n_borrowers);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return rc;
}
