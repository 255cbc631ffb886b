/* synd-watch: the supervisor's view of exposures, concentration and
 * refusals. Live, it is a dashboard that refreshes in place like top (see
 * live.c); with --once it prints one snapshot, as text or as JSON, for
 * scripts. This file holds the flags and --once. */
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/envelope.h"
#include "synd/synd.h"
#include "synd/v1/supervision.pb-c.h"
#include "watch/live.h"
#include "watch/watch.h"

#define AUDIT_PAGE      1000 /* records asked of one GetAuditLog call */
#define TEXT_COLS       100  /* width of the plain text of --once */
#define DEFAULT_SINCE_S 3600

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    stopping = 1;
}

typedef struct flags {
    const char *endpoint, *server_key, *key;
    int insecure, once, json;
    int64_t interval_ms, top, alerts, since_s;
} flags;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: synd-watch [options]\n"
            "       synd-watch --once [--json] [--top N] [--alerts N [--since SECONDS]] "
            "[options]\n\n"
            "The supervisor's dashboard: the borrowers nearest their joint credit limit, the\n"
            "banks' largest (bank, client) concentrations, each borrower's HHI, and the live\n"
            "feed of alerts and refused attempts. Refreshes in place; q quits.\n\n"
            "options (defaults from SYND_ENDPOINT, SYND_SERVER_KEY, SYND_KEY):\n"
            "  --endpoint ENDPOINT  broker endpoint (default tcp://127.0.0.1:7700)\n"
            "  --server-key FILE    the broker's public key (.pub or .key file)\n"
            "  --key FILE           a supervisor's key pair (.key file)\n"
            "  --insecure           plain connection to a broker run with --insecure\n"
            "  --interval MS        refresh the figures every MS ms (default 1000); an\n"
            "                       exposure change refreshes them sooner\n"
            "  --top N              borrowers and pairs asked for (default 10)\n"
            "  --once               print one snapshot and exit\n"
            "  --json               with --once: print it as JSON\n"
            "  --alerts N           with --once: add the last N refusals in the audit trail\n"
            "  --since SECONDS      with --alerts: how far back to look (default %d)\n"
            "  --help               show this help\n\n"
            "JSON: {\"time_ms\", \"time\", \"borrowers\": [{borrower_code, group_id, total_fen,\n"
            "total, joint_limit_fen, joint_limit, use_bps, lending_banks, hhi}], \"pairs\":\n"
            "[{bank_id, borrower_code, exposure_fen, exposure, ratio_capital_bps}], and with\n"
            "--alerts \"alerts\": [{id, time_ms, time, bank_id, role, method, object, code,\n"
            "code_name, detail}]}. Money is integer fen and a yuan string (joint_limit is\n"
            "null when none is set); ratios and use are basis points; the HHI is 0..10000.\n"
            "Exit status: 0, 1 when a call fails (the status is printed), 2 on a usage\n"
            "error.\n",
            DEFAULT_SINCE_S);
}

/* Parses a whole number within [min, max] for flag name. */
static int parse_num(const char *name, const char *text, int64_t min, int64_t max, int64_t *v)
{
    char *end;
    long long n;

    n = strtoll(text, &end, 10);
    if (*text == '\0' || *end != '\0' || n < min || n > max) {
        fprintf(stderr, "synd-watch: %s must be a whole number from %lld to %lld\n", name,
                (long long)min, (long long)max);
        return -1;
    }
    *v = n;
    return 0;
}

/* Checks the flags that only make sense together. */
static int check_flags(const flags *f, int alerts_set, int since_set)
{
    if (f->json && !f->once) {
        fprintf(stderr, "synd-watch: --json needs --once; try --help\n");
        return -1;
    }
    if (alerts_set && !f->once) {
        fprintf(stderr, "synd-watch: --alerts needs --once; the dashboard shows alerts live\n");
        return -1;
    }
    if (since_set && !alerts_set) {
        fprintf(stderr, "synd-watch: --since needs --alerts; try --help\n");
        return -1;
    }
    if (!f->insecure && (f->server_key == NULL || f->key == NULL)) {
        fprintf(stderr, "synd-watch: --server-key and --key are required (or --insecure); "
                        "try --help\n");
        return -1;
    }
    return 0;
}

/* Parses the command line. Returns 0, 1 after --help, or -1 after
 * printing what is wrong. */
static int parse_flags(int argc, char **argv, flags *f)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, NULL, 'e'}, {"server-key", required_argument, NULL, 's'},
        {"key", required_argument, NULL, 'k'},      {"insecure", no_argument, NULL, 'i'},
        {"interval", required_argument, NULL, 'n'}, {"top", required_argument, NULL, 't'},
        {"once", no_argument, NULL, 'o'},           {"json", no_argument, NULL, 'j'},
        {"alerts", required_argument, NULL, 'a'},   {"since", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    int o, rc = 0, alerts_set = 0, since_set = 0;

    opterr = 0;
    while (rc == 0 && (o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (o) {
        case 'e':
            f->endpoint = optarg;
            break;
        case 's':
            f->server_key = optarg;
            break;
        case 'k':
            f->key = optarg;
            break;
        case 'i':
            f->insecure = 1;
            break;
        case 'n':
            rc = parse_num("--interval", optarg, 100, 3600000, &f->interval_ms);
            break;
        case 't':
            rc = parse_num("--top", optarg, 1, 1000, &f->top);
            break;
        case 'o':
            f->once = 1;
            break;
        case 'j':
            f->json = 1;
            break;
        case 'a':
            alerts_set = 1;
            rc = parse_num("--alerts", optarg, 1, 100000, &f->alerts);
            break;
        case 'S':
            since_set = 1;
            rc = parse_num("--since", optarg, 1, 366LL * 24 * 3600, &f->since_s);
            break;
        case 'h':
            usage(stdout);
            return 1;
        case ':':
            fprintf(stderr, "synd-watch: %s needs a value; try --help\n", argv[optind - 1]);
            return -1;
        default:
            fprintf(stderr, "synd-watch: unknown option %s; try --help\n", argv[optind - 1]);
            return -1;
        }
    }
    if (rc != 0)
        return -1;
    if (optind < argc) {
        fprintf(stderr, "synd-watch: unexpected argument '%s'; try --help\n", argv[optind]);
        return -1;
    }
    return check_flags(f, alerts_set, since_set);
}

static int fail(const synd_status *st)
{
    fprintf(stderr, "synd-watch: %s: %s\n", synd_code_name(st->code), st->message);
    return 1;
}

synd_code watch_fetch_top(synd_client *c, int32_t n, const volatile sig_atomic_t *stop,
                          Synd__V1__TopConcentrationsResponse **top, synd_status *st)
{
    Synd__V1__TopConcentrationsRequest req = SYND__V1__TOP_CONCENTRATIONS_REQUEST__INIT;
    synd_call_opts o = {.timeout_ms = WATCH_CALL_TIMEOUT_MS, .stop = stop};

    req.n = n;
    return synd_call(c, "/synd.v1.Supervision/TopConcentrations", &req.base,
                     &synd__v1__top_concentrations_response__descriptor, (ProtobufCMessage **)top,
                     &o, st);
}

/* The last refusals of the audit trail: a ring of copies, so that each
 * page is freed once read and memory stays bounded by the refusals kept. */
typedef struct refusals {
    Synd__V1__AuditRecord **ring;
    size_t cap, first, count;
} refusals;

static void refusals_free(refusals *r)
{
    for (size_t i = 0; i < r->count; i++)
        protobuf_c_message_free_unpacked(&r->ring[(r->first + i) % r->cap]->base, NULL);
    free(r->ring);
}

/* A copy of rec of its own, through its wire form; NULL when out of
 * memory. */
static Synd__V1__AuditRecord *record_copy(const Synd__V1__AuditRecord *rec)
{
    size_t n = protobuf_c_message_get_packed_size(&rec->base);
    uint8_t *buf = malloc(n ? n : 1);
    Synd__V1__AuditRecord *copy;

    if (buf == NULL)
        return NULL;
    protobuf_c_message_pack(&rec->base, buf);
    copy = synd__v1__audit_record__unpack(NULL, n, buf);
    free(buf);
    return copy;
}

/* Keeps a copy of rec among the latest refusals, dropping the oldest
 * when full. Returns 0, or -1 when out of memory. */
static int refusals_keep(refusals *r, const Synd__V1__AuditRecord *rec)
{
    Synd__V1__AuditRecord *copy = record_copy(rec);

    if (copy == NULL)
        return -1;
    if (r->count < r->cap) {
        r->ring[(r->first + r->count++) % r->cap] = copy;
    } else {
        protobuf_c_message_free_unpacked(&r->ring[r->first]->base, NULL);
        r->ring[r->first] = copy;
        r->first = (r->first + 1) % r->cap;
    }
    return 0;
}

/* Takes a page's records not seen yet, keeping the refusals, and counts
 * them into *fresh. last_id is the last record seen, updated. Returns 0,
 * or -1 when out of memory. */
static int take_page(refusals *r, const Synd__V1__GetAuditLogResponse *page, char *last_id,
                     size_t last_len, size_t *fresh)
{
    *fresh = 0;
    for (size_t i = 0; i < page->n_records; i++) {
        const Synd__V1__AuditRecord *rec = page->records[i];
        if (rec == NULL || (last_id[0] && watch_stream_id_cmp(rec->id, last_id) <= 0))
            continue;
        (*fresh)++;
        snprintf(last_id, last_len, "%s", rec->id);
        if (rec->code != 0 && refusals_keep(r, rec) != 0)
            return -1;
    }
    return 0;
}

/* Reads the audit trail from from_ms to to_ms page by page (oldest
 * first), and keeps the last r->cap refusals. A page starts at the time
 * of the last record read, whose id tells which records were seen. */
static synd_code read_refusals(synd_client *c, int64_t from_ms, int64_t to_ms, refusals *r,
                               synd_status *st)
{
    Synd__V1__GetAuditLogRequest req = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;
    synd_call_opts o = {.timeout_ms = WATCH_CALL_TIMEOUT_MS, .stop = &stopping};
    char last_id[64] = "";

    req.to_ms = to_ms;
    req.limit = AUDIT_PAGE;
    while (from_ms <= to_ms) {
        Synd__V1__GetAuditLogResponse *page;
        size_t fresh;
        int64_t last_ms;
        int rc;

        req.from_ms = from_ms;
        if (synd_call(c, "/synd.v1.Supervision/GetAuditLog", &req.base,
                      &synd__v1__get_audit_log_response__descriptor, (ProtobufCMessage **)&page, &o,
                      st) != SYND_OK)
            return st->code;
        if (page->n_records == 0 || page->records[page->n_records - 1] == NULL) {
            protobuf_c_message_free_unpacked(&page->base, NULL);
            break;
        }
        rc = take_page(r, page, last_id, sizeof(last_id), &fresh);
        /* The range is of stream ids, which Redis stamps; the record's
         * time_ms is the broker's and may be earlier, so page by the id. */
        last_ms = strtoll(page->records[page->n_records - 1]->id, NULL, 10);
        protobuf_c_message_free_unpacked(&page->base, NULL);
        if (rc != 0)
            return synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        /* A page of nothing new is one millisecond's records, all seen
         * already: go on after that millisecond. */
        from_ms = last_ms + (fresh == 0);
    }
    return SYND_OK;
}

/* The refusals kept, oldest first, into *out (NULL when none). */
static int refusals_list(const refusals *r, const Synd__V1__AuditRecord ***out)
{
    *out = NULL;
    if (r->count == 0)
        return 0;
    if ((*out = malloc(r->count * sizeof(**out))) == NULL)
        return -1;
    for (size_t i = 0; i < r->count; i++)
        (*out)[i] = r->ring[(r->first + i) % r->cap];
    return 0;
}

/* Prints the snapshot as text, the tables as the dashboard draws them. */
static void print_text(int64_t now, const Synd__V1__TopConcentrationsResponse *top,
                       const Synd__V1__AuditRecord *const *alerts, size_t n, int with_alerts,
                       int64_t since_s)
{
    char line[WATCH_ROW_BYTES(TEXT_COLS)], when[40], bar[TEXT_COLS + 1];
    watch_layout l;
    size_t i;

    /* Tall enough for every row: only the columns matter here. */
    watch_layout_compute(1000000, TEXT_COLS, 1, 1, &l);
    printf("synd-watch snapshot at %s\n\n", watch_iso_time(now, when, sizeof(when)));
    printf("Top borrowers by use of their joint credit limit\n%s\n", watch_top_heading(&l, line));
    for (i = 0; i < top->n_borrowers; i++) {
        const Synd__V1__BorrowerUse *b = top->borrowers[i];
        watch_top_row(&l, b, line);
        if (b->joint_limit_fen != 0)
            printf("%-*s%s\n", l.x_bar, line, watch_bar_text(b->use_bps, l.bar_width, bar));
        else
            printf("%s\n", line);
    }
    if (top->n_borrowers == 0)
        printf("(no exposure yet)\n");
    printf("\nHighest concentrations: (bank, client) by ratio to net capital\n%s\n",
           watch_pair_heading(TEXT_COLS, line));
    for (i = 0; i < top->n_pairs; i++)
        printf("%s\n", watch_pair_row(TEXT_COLS, top->pairs[i], line));
    if (top->n_pairs == 0)
        printf("(no exposure yet)\n");
    if (!with_alerts)
        return;
    printf("\nLast refusals in the audit trail (past %lld s)\n", (long long)since_s);
    for (i = 0; i < n; i++) {
        const Synd__V1__AuditRecord *a = alerts[i];
        printf("%s  %-8s %-12s %-14s %s: %s\n", watch_iso_time(a->time_ms, when, sizeof(when)),
               a->bank_id, strrchr(a->method, '/') ? strrchr(a->method, '/') + 1 : a->method,
               a->object, synd_code_name(a->code), a->detail);
    }
    if (n == 0)
        printf("(none)\n");
}

/* Prints the snapshot as JSON on one line. */
static int print_json(int64_t now, const Synd__V1__TopConcentrationsResponse *top,
                      const Synd__V1__AuditRecord *const *alerts, size_t n, int with_alerts)
{
    json_t *snap = watch_json_snapshot(now, top, with_alerts, alerts, n);
    int rc = 0;

    if (snap == NULL) {
        fprintf(stderr, "synd-watch: cannot render the snapshot as JSON (out of memory, or a "
                        "string that is not UTF-8)\n");
        return 1;
    }
    if (json_dumpf(snap, stdout, JSON_COMPACT) != 0 || fputc('\n', stdout) == EOF ||
        fflush(stdout) != 0) {
        fprintf(stderr, "synd-watch: cannot write the snapshot\n");
        rc = 1;
    }
    json_decref(snap);
    return rc;
}

/* --once: one snapshot, and with --alerts the last refusals. */
static int run_once(const flags *f, const synd_keys *keys)
{
    Synd__V1__TopConcentrationsResponse *top = NULL;
    const Synd__V1__AuditRecord **list = NULL;
    refusals r = {0};
    synd_status st;
    synd_client *c = synd_client_new(f->endpoint, keys, &st);
    int64_t now = rpc_now_ms();
    int rc = 1;

    if (c == NULL)
        return fail(&st);
    if (watch_fetch_top(c, (int32_t)f->top, &stopping, &top, &st) != SYND_OK) {
        rc = fail(&st);
        goto out;
    }
    if (f->alerts > 0) {
        r.cap = (size_t)f->alerts;
        if ((r.ring = calloc(r.cap, sizeof(*r.ring))) == NULL) {
            synd_status_set(&st, SYND_RESOURCE_EXHAUSTED, "out of memory");
            rc = fail(&st);
            goto out;
        }
        if (read_refusals(c, now - f->since_s * 1000, now, &r, &st) != SYND_OK) {
            rc = fail(&st);
            goto out;
        }
        if (refusals_list(&r, &list) != 0) {
            synd_status_set(&st, SYND_RESOURCE_EXHAUSTED, "out of memory");
            rc = fail(&st);
            goto out;
        }
    }
    if (f->json) {
        rc = print_json(now, top, list, r.count, f->alerts > 0);
    } else {
        print_text(now, top, list, r.count, f->alerts > 0, f->since_s);
        rc = fflush(stdout) == 0 ? 0 : 1;
    }
out:
    free(list);
    refusals_free(&r);
    if (top != NULL)
        protobuf_c_message_free_unpacked(&top->base, NULL);
    synd_client_free(c);
    return rc;
}

/* Reads the key files named by the flags. */
static int read_keys(const flags *f, synd_keys *k)
{
    synd_status st;

    if (synd_keyfile_read(f->server_key, k->server_public, NULL, &st) != 0 ||
        synd_keyfile_read(f->key, k->public_key, k->secret_key, &st) != 0)
        return fail(&st);
    return 0;
}

int main(int argc, char **argv)
{
    flags f = {.endpoint = getenv("SYND_ENDPOINT"),
               .server_key = getenv("SYND_SERVER_KEY"),
               .key = getenv("SYND_KEY"),
               .interval_ms = 1000,
               .top = 10,
               .since_s = DEFAULT_SINCE_S};
    struct sigaction sa = {.sa_handler = on_signal};
    synd_keys keys;
    watch_opts o;
    int rc = parse_flags(argc, argv, &f);

    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (f.endpoint == NULL)
        f.endpoint = "tcp://127.0.0.1:7700";
    if (!f.insecure && read_keys(&f, &keys) != 0)
        return 1;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0) {
        fprintf(stderr, "synd-watch: cannot install the signal handlers\n");
        return 1;
    }
    if (f.once)
        return run_once(&f, f.insecure ? NULL : &keys);
    o.endpoint = f.endpoint;
    o.keys = f.insecure ? NULL : &keys;
    o.interval_ms = f.interval_ms;
    o.top = (int32_t)f.top;
    return watch_live(&o, &stopping);
}
