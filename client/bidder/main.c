/* synd-bidder: the automatic bidding daemon of one participant bank.
 *
 * It subscribes to WatchBooks on one connection and makes its unary calls
 * (GetHeadroom, SubmitBid) on a second, since a stream's callback must not
 * use the stream's own client. For each announced book it asks for its
 * headroom to the borrower, decides by its policy, and bids with the
 * idempotency key "<book_id>/auto/1", so that a book announced again after
 * a resubscription is bid on once. When the stream ends it resubscribes
 * with backoff; WatchBooks announces every open book at subscription, so
 * nothing is missed while it was away. */
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bidder/decide.h"
#include "bidder/policy.h"
#include "log.h"
#include "rpc/envelope.h"
#include "synd/synd.h"
#include "synd/v1/reflection.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

#define BACKOFF_MIN_MS    200
#define BACKOFF_MAX_MS    5000
#define STREAM_TIMEOUT_MS (24LL * 3600 * 1000) /* resubscribe once a day */
#define CALL_TIMEOUT_MS   5000

static volatile sig_atomic_t stopping;

typedef struct bidder {
    const char *endpoint;
    bidder_policy policy;
    synd_client *watch; /* the WatchBooks stream only */
    synd_client *calls; /* unary calls, made from the stream's callback */
    char bank_id[BOOK_MAX_ID];
    unsigned events; /* events received on the current subscription */
    int resubscribe; /* a call failed in a way a re-announcement retries */
} bidder;

static void on_signal(int sig)
{
    stopping = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: synd-bidder [--endpoint ENDPOINT] --server-key FILE --key FILE --policy FILE\n"
            "                   [--log-level debug|info|warn|error]\n\n"
            "Bids automatically, within the policy, on the books the broker announces.\n"
            "The bank is the one the broker's registry maps --key to.\n\n"
            "options (defaults from SYND_ENDPOINT, SYND_SERVER_KEY, SYND_KEY):\n"
            "  --endpoint ENDPOINT  broker endpoint (default tcp://127.0.0.1:7700)\n"
            "  --server-key FILE    the broker's public key (.pub or .key file)\n"
            "  --key FILE           this bank's key pair (.key file)\n"
            "  --policy FILE        bidding policy (libconfig; see client/bidder/policy.h)\n"
            "  --log-level LEVEL    lowest level logged (default info)\n"
            "  --help               show this help\n");
}

typedef struct flags {
    const char *endpoint, *server_key, *key, *policy;
    log_level level;
} flags;

/* Parses the command line. Returns 0, 1 after --help, or -1 after
 * printing what is wrong. */
static int parse_flags(int argc, char **argv, flags *f)
{
    static const struct option opts[] = {{"endpoint", required_argument, NULL, 'e'},
                                         {"server-key", required_argument, NULL, 's'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"policy", required_argument, NULL, 'p'},
                                         {"log-level", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int o;

    opterr = 0;
    while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
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
        case 'p':
            f->policy = optarg;
            break;
        case 'l':
            if (log_parse_level(optarg, &f->level) != 0) {
                fprintf(stderr, "synd-bidder: --log-level must be debug, info, warn or error\n");
                return -1;
            }
            break;
        case 'h':
            usage(stdout);
            return 1;
        case ':':
            fprintf(stderr, "synd-bidder: %s needs a value; try --help\n", argv[optind - 1]);
            return -1;
        default:
            fprintf(stderr, "synd-bidder: unknown option %s; try --help\n", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "synd-bidder: unexpected argument '%s'; try --help\n", argv[optind]);
        return -1;
    }
    if (!f->server_key || !f->key || !f->policy) {
        fprintf(stderr, "synd-bidder: --server-key, --key and --policy are required; try "
                        "--help\n");
        return -1;
    }
    return 0;
}

/* Options of a call: its timeout, and the stop flag that SIGTERM sets. */
static synd_call_opts call_opts(int64_t timeout_ms, const char *idempotency_key)
{
    synd_call_opts o = {.timeout_ms = timeout_ms, .idempotency_key = idempotency_key};

    o.stop = &stopping;
    return o;
}

/* True for failures that a later attempt may not meet: the broker gone,
 * slow, or asking for a retry. The bidder then resubscribes, and the
 * re-announcement retries the book. */
static int transient(synd_code code)
{
    return code == SYND_UNAVAILABLE || code == SYND_DEADLINE_EXCEEDED || code == SYND_ABORTED;
}

/* Learns the bank the broker maps our key to: the lead check needs it,
 * and the key is the only source of our identity. */
static synd_code who_am_i(bidder *b, synd_status *st)
{
    Synd__V1__WhoAmIRequest req = SYND__V1__WHO_AM_IREQUEST__INIT;
    Synd__V1__WhoAmIResponse *resp;
    synd_call_opts o = call_opts(CALL_TIMEOUT_MS, NULL);

    if (synd_call(b->calls, "/synd.v1.Reflection/WhoAmI", &req.base,
                  &synd__v1__who_am_iresponse__descriptor, (ProtobufCMessage **)&resp, &o,
                  st) != SYND_OK)
        return st->code;
    if (resp->bank_id[0] == '\0' || strlen(resp->bank_id) >= sizeof(b->bank_id))
        synd_status_set(st, SYND_PERMISSION_DENIED, "the broker maps our key to no bank");
    else
        snprintf(b->bank_id, sizeof(b->bank_id), "%s", resp->bank_id);
    if (st->code == SYND_OK)
        log_info("bank %s, role %s, at %s", b->bank_id, resp->role, b->endpoint);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return st->code;
}

/* Asks the broker for our remaining headroom to a borrower. */
static synd_code get_headroom(bidder *b, const char *borrower, int64_t *headroom, synd_status *st)
{
    Synd__V1__GetHeadroomRequest req = SYND__V1__GET_HEADROOM_REQUEST__INIT;
    Synd__V1__GetHeadroomResponse *resp;
    synd_call_opts o = call_opts(CALL_TIMEOUT_MS, NULL);

    req.borrower_code = (char *)borrower;
    if (synd_call(b->calls, "/synd.v1.Syndication/GetHeadroom", &req.base,
                  &synd__v1__get_headroom_response__descriptor, (ProtobufCMessage **)&resp, &o,
                  st) != SYND_OK)
        return st->code;
    *headroom = resp->headroom_fen;
    log_debug("headroom to %s: %lld fen, exposure %lld fen (binding rule: %s)", borrower,
              (long long)resp->headroom_fen, (long long)resp->exposure_fen,
              resp->binding_rule[0] ? resp->binding_rule : "none given");
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return SYND_OK;
}

/* Submits decision d on book_id and logs it with the broker's answer. */
static void submit(bidder *b, const char *book_id, const bidder_decision *d)
{
    Synd__V1__SubmitBidRequest req = SYND__V1__SUBMIT_BID_REQUEST__INIT;
    Synd__V1__SubmitBidResponse *resp;
    char key[256];
    synd_call_opts o;
    synd_status st;

    snprintf(key, sizeof(key), "%s/auto/1", book_id);
    o = call_opts(CALL_TIMEOUT_MS, key);
    req.book_id = (char *)book_id;
    req.amount_fen = d->amount_fen;
    req.spread_bps = d->spread_bps;
    if (synd_call(b->calls, "/synd.v1.Syndication/SubmitBid", &req.base,
                  &synd__v1__submit_bid_response__descriptor, (ProtobufCMessage **)&resp, &o,
                  &st) != SYND_OK) {
        b->resubscribe = transient(st.code);
        log_warn("%s -> %s %s: %s", d->reason, b->resubscribe ? "failed" : "refused",
                 synd_code_name(st.code), st.message);
        return;
    }
    if (resp->bid != NULL)
        log_info("%s -> OK: bid #%llu of %lld fen at %d bps%s", d->reason,
                 (unsigned long long)resp->bid->seq, (long long)resp->bid->amount_fen,
                 (int)resp->bid->spread_bps, resp->replaced ? ", replacing our earlier bid" : "");
    else
        log_info("%s -> OK", d->reason);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
}

/* A book was announced: decide on it and bid. */
static void on_announced(bidder *b, const Synd__V1__Book *book)
{
    const Synd__V1__BookTerms *t = book->terms;
    bidder_decision d;
    int64_t headroom = 0;
    synd_status st;

    if (t == NULL) {
        log_warn("announcement of %s carries no terms; ignored", book->book_id);
        return;
    }
    log_debug("announced %s by %s: borrower %s (group %s), industry %s, %lld fen over %d months, "
              "spread [%d, %d] bps, min ticket %lld fen",
              book->book_id, book->lead_bank_id, t->borrower_code, book->group_id, t->industry_code,
              (long long)t->facility_fen, (int)t->tenor_months, (int)t->spread_floor_bps,
              (int)t->spread_cap_bps, (long long)t->min_ticket_fen);
    /* Headroom only ever lowers the amount, so a book skipped even with
     * unlimited headroom is skipped without asking the broker. */
    bidder_decide(&b->policy, b->bank_id, book, INT64_MAX, &d);
    if (d.action == BIDDER_SKIP) {
        log_info("%s", d.reason);
        return;
    }
    if (get_headroom(b, t->borrower_code, &headroom, &st) != SYND_OK) {
        log_warn("skip %s for now: GetHeadroom for %s failed: %s: %s", book->book_id,
                 t->borrower_code, synd_code_name(st.code), st.message);
        b->resubscribe = transient(st.code);
        return;
    }
    bidder_decide(&b->policy, b->bank_id, book, headroom, &d);
    if (d.action == BIDDER_SKIP)
        log_info("%s", d.reason);
    else
        submit(b, book->book_id, &d);
}

/* Logs an allocation from our side: our share, or why the book failed. */
static void on_allocated(const bidder *b, const Synd__V1__BookEvent *ev)
{
    const Synd__V1__Allocation *a = ev->allocation;
    const char *id = ev->book ? ev->book->book_id : a ? a->book_id : "?";

    if (a == NULL) {
        log_warn("allocated %s: the event carries no allocation", id);
        return;
    }
    if (a->state == SYND__V1__BOOK_STATE__BOOK_FAILED) {
        log_info("allocated %s: the book failed: %s", a->book_id, a->reason);
        return;
    }
    for (size_t i = 0; i < a->n_shares; i++) {
        const Synd__V1__Share *s = a->shares[i];
        if (s == NULL || strcmp(s->bank_id, b->bank_id) != 0)
            continue;
        log_info("allocated %s: ours %lld fen of %lld asked at %d bps%s; facility %lld fen, "
                 "clearing spread %d bps",
                 a->book_id, (long long)s->alloc_fen, (long long)s->asked_fen, (int)s->spread_bps,
                 s->dropped ? " (dropped by the minimum-ticket rule)" : "",
                 (long long)a->facility_fen, (int)a->clearing_spread_bps);
        return;
    }
    log_info("allocated %s: nothing for us; facility %lld fen, clearing spread %d bps", a->book_id,
             (long long)a->facility_fen, (int)a->clearing_spread_bps);
}

/* The WatchBooks callback. Returns non-zero to end the stream: on stop,
 * or after a transient failure, so that the loop resubscribes and the
 * re-announcement retries the book. */
static int on_event(const ProtobufCMessage *msg, void *arg)
{
    const Synd__V1__BookEvent *ev = (const Synd__V1__BookEvent *)msg;
    const char *id = ev->book ? ev->book->book_id : "?";
    bidder *b = arg;

    b->events++;
    switch (ev->kind) {
    case SYND__V1__BOOK_EVENT__KIND__ANNOUNCED:
        if (ev->book == NULL)
            log_warn("announcement without a book; ignored");
        else
            on_announced(b, ev->book);
        break;
    case SYND__V1__BOOK_EVENT__KIND__CLOSED:
        log_info("closed %s", id);
        break;
    case SYND__V1__BOOK_EVENT__KIND__CANCELLED:
        log_info("cancelled %s", id);
        break;
    case SYND__V1__BOOK_EVENT__KIND__ALLOCATED:
        on_allocated(b, ev);
        break;
    default:
        log_debug("event of unknown kind %d on %s; ignored", (int)ev->kind, id);
        break;
    }
    return stopping || b->resubscribe;
}

/* Sleeps ms, waking early when the daemon is told to stop. */
static void pause_ms(int64_t ms)
{
    int64_t end = rpc_now_ms() + ms, left;

    while (!stopping && (left = end - rpc_now_ms()) > 0) {
        struct timespec ts = {0, (left > 100 ? 100 : left) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Subscribes once and handles events until the stream ends. Returns the
 * stream's final status. */
static synd_code subscribe(bidder *b, synd_status *st)
{
    Synd__V1__WatchBooksRequest req = SYND__V1__WATCH_BOOKS_REQUEST__INIT;
    char *codes[BIDDER_MAX_APPETITE];
    synd_call_opts o = call_opts(STREAM_TIMEOUT_MS, NULL);

    for (size_t i = 0; i < b->policy.n_appetite; i++)
        codes[i] = b->policy.appetite[i].industry;
    req.n_industry_codes = b->policy.n_appetite;
    req.industry_codes = codes;
    b->events = 0;
    b->resubscribe = 0;
    log_debug("subscribing to WatchBooks");
    return synd_stream(b->watch, "/synd.v1.Syndication/WatchBooks", &req.base,
                       &synd__v1__book_event__descriptor, on_event, b, &o, st);
}

/* The daemon's loop: learn who we are, subscribe, and resubscribe with
 * backoff (200 ms doubling to 5 s) until told to stop. The backoff starts
 * over after a subscription that delivered events or lasted a while, and
 * a stream that reached its timeout is renewed at once. */
static void run(bidder *b)
{
    int64_t backoff = BACKOFF_MIN_MS;
    synd_status st;

    while (!stopping) {
        int64_t started = rpc_now_ms();

        if (b->bank_id[0] == '\0' && who_am_i(b, &st) != SYND_OK) {
            if (stopping)
                break;
            log_warn("WhoAmI failed: %s: %s; retrying in %lld ms", synd_code_name(st.code),
                     st.message, (long long)backoff);
        } else {
            synd_code code = subscribe(b, &st);
            if (stopping)
                break;
            /* A retry we asked for keeps backing off: the failure that
             * caused it may well persist. */
            if (!b->resubscribe && (b->events > 0 || rpc_now_ms() - started >= BACKOFF_MAX_MS))
                backoff = BACKOFF_MIN_MS;
            if (code == SYND_DEADLINE_EXCEEDED) {
                log_info("WatchBooks reached its %lld h timeout; resubscribing",
                         STREAM_TIMEOUT_MS / 3600000);
                continue;
            }
            if (b->resubscribe)
                log_info("resubscribing in %lld ms to retry the books announced",
                         (long long)backoff);
            else
                log_warn("WatchBooks ended: %s: %s; resubscribing in %lld ms", synd_code_name(code),
                         st.message, (long long)backoff);
        }
        pause_ms(backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
}

/* Reads the key files and opens the two connections. */
static int connect_broker(bidder *b, const flags *f)
{
    synd_keys k;
    synd_status st;

    if (synd_keyfile_read(f->server_key, k.server_public, NULL, &st) != 0 ||
        synd_keyfile_read(f->key, k.public_key, k.secret_key, &st) != 0 ||
        (b->watch = synd_client_new(f->endpoint, &k, &st)) == NULL ||
        (b->calls = synd_client_new(f->endpoint, &k, &st)) == NULL) {
        log_error("%s: %s", synd_code_name(st.code), st.message);
        return -1;
    }
    return 0;
}

/* Logs the policy in force, so that every decision in the log can be
 * checked against it. */
static void log_policy(const char *path, const bidder_policy *p)
{
    /* Each entry: ", C3011 (max 1000000000000000 fen)" fits in 48. */
    char list[BIDDER_MAX_APPETITE * 48], tenor[16] = "any";
    size_t n = 0;

    list[0] = '\0';
    for (size_t i = 0; i < p->n_appetite; i++) {
        const bidder_appetite *a = &p->appetite[i];
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", a->industry);
        if (a->max_ticket_fen > 0)
            n += (size_t)snprintf(list + n, sizeof(list) - n, " (max %lld fen)",
                                  (long long)a->max_ticket_fen);
    }
    if (p->max_tenor_months > 0)
        snprintf(tenor, sizeof(tenor), "%d", (int)p->max_tenor_months);
    log_info("policy %s: appetite %s; max_ticket_fen %lld, min_spread_bps %d, "
             "headroom_share_bps %d, max_tenor_months %s",
             path, list, (long long)p->max_ticket_fen, (int)p->min_spread_bps,
             (int)p->headroom_share_bps, tenor);
}

int main(int argc, char **argv)
{
    flags f = {getenv("SYND_ENDPOINT"), getenv("SYND_SERVER_KEY"), getenv("SYND_KEY"), NULL,
               LOG_LEVEL_INFO};
    bidder b = {0};
    struct sigaction sa = {.sa_handler = on_signal};
    synd_status st;
    int rc = parse_flags(argc, argv, &f);

    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (f.endpoint == NULL)
        f.endpoint = "tcp://127.0.0.1:7700";
    log_set_level(f.level);
    b.endpoint = f.endpoint;
    if (bidder_policy_load(f.policy, &b.policy, &st) != SYND_OK) {
        log_error("%s", st.message);
        return 1;
    }
    log_policy(f.policy, &b.policy);
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0) {
        log_error("cannot install the signal handlers");
        return 1;
    }
    rc = connect_broker(&b, &f);
    if (rc == 0) {
        run(&b);
        log_info("stopping");
    }
    synd_client_free(b.watch);
    synd_client_free(b.calls);
    return rc == 0 ? 0 : 1;
}
