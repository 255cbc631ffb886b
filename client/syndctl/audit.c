/* audit verify and audit show: the audit trail, read page by page through
 * Supervision/GetAuditLog (the broker answers the supervisor role). */
#include <string.h>
#include <time.h>

#include "ctl.h"

#define M_AUDIT_LOG "/synd.v1.Supervision/GetAuditLog"
#define PAGE        10000 /* records asked of one call: the broker's most */
#define START_ID    "0-0" /* no record has it: paging after it starts at the oldest */
#define SHOW_LIMIT  100   /* audit show's default --limit */
#define SHOW_MAX    1000000
#define SINCE_MAX   (100LL * 366 * 24 * 3600) /* a century of seconds */
#define LINE_LEN    1024

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One GetAuditLog call: from from_ms, or after the record after (if not
 * NULL), at most limit records. Returns its code, with the reply in *out
 * on SYND_OK (free it with protobuf_c_message_free_unpacked). */
static synd_code get_page(ctl *c, int64_t from_ms, const char *after, int32_t limit,
                          Synd__V1__GetAuditLogResponse **out, synd_status *st)
{
    Synd__V1__GetAuditLogRequest req = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;
    synd_call_opts o = {.timeout_ms = c->timeout_ms};

    req.from_ms = after ? 0 : from_ms;
    req.after_id = (char *)(after ? after : "");
    req.limit = limit;
    return synd_call(c->client, M_AUDIT_LOG, &req.base,
                     &synd__v1__get_audit_log_response__descriptor, (ProtobufCMessage **)out, &o,
                     st);
}

/* Walks the whole trail, oldest first: checks each record (or, with
 * locate, looks for the record a broken link points to) until the chain
 * has a finding or the trail ends. A page that cannot be read (a record
 * Redis holds is not one the broker can parse) is asked again in halves,
 * so that the record is found and named. Returns 0, or the exit code
 * after printing why the walk stopped. */
static int walk(ctl *c, ctl_chain *chain, int locate)
{
    char after[CTL_CHAIN_ID_LEN] = START_ID;
    Synd__V1__GetAuditLogResponse *page;
    int32_t limit = PAGE;
    int first = 1, done = 0;
    synd_status st;
    synd_code code;

    while (!done) {
        code = get_page(c, 0, after, limit, &page, &st);
        if (code == SYND_INTERNAL && limit > 1) {
            limit /= 2;
            continue;
        }
        if (code == SYND_INTERNAL) {
            printf("chain broken: the record after %s cannot be read (%s), so it was modified\n",
                   after, st.message);
            return 1;
        }
        if (code != SYND_OK)
            return ctl_fail(&st);
        if (first && !locate)
            ctl_chain_base(chain, page->base_hash);
        first = 0;
        if (page->n_records == 0) {
            if (!locate)
                ctl_chain_end(chain, page->head_hash);
            done = 1;
        }
        for (size_t i = 0; i < page->n_records && !done; i++) {
            if (locate)
                ctl_chain_locate(chain, page->records[i]);
            else
                done = ctl_chain_add(chain, page->records[i]) != 0;
        }
        if (page->n_records > 0)
            snprintf(after, sizeof(after), "%s", page->records[page->n_records - 1]->id);
        done = done || (locate && chain->found_id[0] != '\0');
        protobuf_c_message_free_unpacked(&page->base, NULL);
    }
    return 0;
}

/* Splits "ID:HASH" into its stream id and hash. Returns 0, or -1. */
static int parse_anchor(char *text, const char **id, const char **hash)
{
    char *colon = strrchr(text, ':');

    if (colon == NULL || colon == text)
        return -1;
    *colon = '\0';
    *id = text;
    *hash = colon + 1;
    return synd_audit_is_hash(*hash) && ctl_chain_id_cmp(*id, START_ID) > 0 &&
                   strspn(*id, "0123456789-") == strlen(*id)
               ? 0
               : -1;
}

/* audit verify [--anchor ID:HASH]: exit 0 if the chain is intact, 1 with
 * the first finding (or a failed call), 2 for a usage error. */
int ctl_audit_verify(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"anchor", required_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *anchor_id = NULL, *anchor_hash = NULL;
    char line[LINE_LEN];
    ctl_chain chain;
    synd_status st;
    int o, rc;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (o == 'h') {
            ctl_usage(c, stdout);
            return 0;
        }
        if (o != 'a') {
            ctl_opt_error(o, argv, &st);
            return ctl_usage_error(c, "%s", st.message);
        }
        if (parse_anchor(optarg, &anchor_id, &anchor_hash) != 0)
            return ctl_usage_error(c, "--anchor needs a record's stream id and its hash, ID:HASH");
    }
    if (optind < argc)
        return ctl_usage_error(c, "unexpected argument '%s'", argv[optind]);
    if ((rc = ctl_connect(c)) != 0)
        return rc;
    ctl_chain_init(&chain, anchor_id, anchor_hash);
    if ((rc = walk(c, &chain, 0)) != 0)
        return rc;
    if (ctl_chain_needs_locate(&chain) && (rc = walk(c, &chain, 1)) != 0)
        return rc;
    ctl_chain_describe(&chain, line, sizeof(line));
    printf("%s%s\n", chain.finding == CTL_CHAIN_INTACT ? "" : "chain broken: ", line);
    return chain.finding == CTL_CHAIN_INTACT ? 0 : 1;
}

/* Adds a page's records to the table, at most *left of them. */
static void show_rows(ctl_table *t, const Synd__V1__GetAuditLogResponse *page, int64_t *left)
{
    for (size_t i = 0; i<page->n_records && * left> 0; i++, (*left)--) {
        const Synd__V1__AuditRecord *r = page->records[i];
        char when[64];
        const char *row[] = {r->id,
                             ctl_time(r->time_ms, when, sizeof(when)),
                             r->bank_id,
                             r->role,
                             r->method,
                             r->object[0] ? r->object : "-",
                             r->code == 0 ? "done" : synd_code_name(r->code),
                             r->detail};
        ctl_table_add(t, row);
    }
}

/* audit show [--since SECONDS] [--limit N]: the records, oldest first. */
int ctl_audit_show(ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {{"since", required_argument, NULL, 's'},
                                         {"limit", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    static const char *const heads[] = {"id",     "time",   "bank",    "role",
                                        "method", "object", "outcome", "detail"};
    char after[CTL_CHAIN_ID_LEN] = "";
    int64_t since = 0, left = SHOW_LIMIT, from_ms = 0;
    Synd__V1__GetAuditLogResponse *page;
    synd_status st;
    ctl_table *t;
    int o, rc = 0, more = 1;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (o == 'h') {
            ctl_usage(c, stdout);
            return 0;
        }
        if (o == 's' && ctl_parse_int("--since", optarg, 1, SINCE_MAX, &since, &st) == 0)
            continue;
        if (o == 'l' && ctl_parse_int("--limit", optarg, 1, SHOW_MAX, &left, &st) == 0)
            continue;
        if (o != 's' && o != 'l')
            ctl_opt_error(o, argv, &st);
        return ctl_usage_error(c, "%s", st.message);
    }
    if (optind < argc)
        return ctl_usage_error(c, "unexpected argument '%s'", argv[optind]);
    if (since > 0)
        from_ms = now_ms() - since * 1000;
    if ((rc = ctl_connect(c)) != 0)
        return rc;
    if ((t = ctl_table_new(8, heads, "llllllll")) == NULL)
        return ctl_oom();
    while (more && left > 0 && rc == 0) {
        if (get_page(c, from_ms, after[0] ? after : NULL, left < PAGE ? (int32_t)left : PAGE, &page,
                     &st) != SYND_OK) {
            rc = ctl_fail(&st);
            break;
        }
        more = page->n_records > 0;
        show_rows(t, page, &left);
        if (more)
            snprintf(after, sizeof(after), "%s", page->records[page->n_records - 1]->id);
        protobuf_c_message_free_unpacked(&page->base, NULL);
    }
    if (rc == 0 && ctl_table_print(t, stdout) != 0)
        rc = ctl_oom();
    ctl_table_free(t);
    return rc;
}
