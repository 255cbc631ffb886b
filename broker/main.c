/* syndbroker: the synd broker process. Parses flags, wires the modules
 * together and runs the single-threaded zmq_poll loop. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "ledger/ledger.h"
#include "log.h"
#include "registry.h"
#include "registry_watch.h"
#include "rpc/envelope.h"
#include "rpc/health.h"
#include "rpc/reflection.h"
#include "rpc/server.h"
#include "rpc/zap.h"
#include "supervise/audit.h"
#include "supervise/events.h"
#include "supervise/supervision.h"
#include "synd/synd.h"
#include "syndication/syndication.h"

#define LOOP_MAX_WAIT_MS 100

typedef struct config {
    const char *bind, *redis, *registry, *key;
    int insecure;
    int64_t max_msg_size;
    log_level level;
    quota_opts quotas;
} config;

typedef struct broker {
    void *zctx;
    registry *reg;
    registry_watch *reg_watch; /* NULL when insecure */
    rpc_zap *zap;
    rpc_server *srv;
    rpc_health *health;
    rpc_reflection *reflection;
    ledger *ledger;
    book_rules rules;
    syndication *synd;
    events *events;
    audit *audit;
    supervision *supervision;
} broker;

static volatile sig_atomic_t stopping, reload_asked;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void on_sighup(int sig)
{
    (void)sig;
    reload_asked = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: syndbroker [options]\n"
            "  --bind ENDPOINT      ZeroMQ endpoint to serve on (default tcp://127.0.0.1:7700)\n"
            "  --redis HOST:PORT    Redis server (default 127.0.0.1:6379)\n"
            "  --registry FILE      bank/key/role registry (libconfig); required unless "
            "--insecure.\n"
            "                       Re-read when it changes and on SIGHUP; a file that does "
            "not load\n"
            "                       leaves the previous one in force\n"
            "  --key FILE           broker key pair from 'syndctl keygen'; required unless "
            "--insecure\n"
            "  --log-level LEVEL    debug, info, warn or error (default info)\n"
            "  --max-msg-size BYTES largest frame accepted (default 1048576); a larger one is\n"
            "                       refused, and one over twice it cuts the connection\n"
            "  --quota-rate N       requests a second each bank may make (default %d; 0: no\n"
            "                       limit); past it the bank gets RESOURCE_EXHAUSTED\n"
            "  --quota-burst N      requests a bank may make at once (default %d)\n"
            "  --quota-streams N    streams a bank may hold open (default %d; 0: no limit)\n"
            "  --insecure           no CurveZMQ and no identities: development only\n"
            "  --help               show this help\n",
            QUOTA_RATE_DEFAULT, QUOTA_BURST_DEFAULT, QUOTA_STREAMS_DEFAULT);
}

/* Parses a flag's whole number within lo..hi into *out. Returns 0, or -1
 * with the reason printed. */
static int parse_count(const char *flag, const char *arg, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long v = strtoll(arg, &end, 10);

    if (end == arg || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "syndbroker: %s must be a whole number in %lld..%lld\n", flag,
                (long long)lo, (long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* Parses argv into cfg. Returns 0 to run, 1 to exit 0 (help), -1 on a
 * bad flag (the reason is printed). */
static int parse_flags(int argc, char **argv, config *cfg)
{
    static const struct option opts[] = {{"bind", required_argument, NULL, 'b'},
                                         {"redis", required_argument, NULL, 'r'},
                                         {"registry", required_argument, NULL, 'g'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"log-level", required_argument, NULL, 'l'},
                                         {"max-msg-size", required_argument, NULL, 'm'},
                                         {"quota-rate", required_argument, NULL, 'R'},
                                         {"quota-burst", required_argument, NULL, 'B'},
                                         {"quota-streams", required_argument, NULL, 'S'},
                                         {"insecure", no_argument, NULL, 'i'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    char *end;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            cfg->bind = optarg;
            break;
        case 'r':
            cfg->redis = optarg;
            break;
        case 'g':
            cfg->registry = optarg;
            break;
        case 'k':
            cfg->key = optarg;
            break;
        case 'i':
            cfg->insecure = 1;
            break;
        case 'h':
            usage(stdout);
            return 1;
        case 'l':
            if (log_parse_level(optarg, &cfg->level) != 0) {
                fprintf(stderr, "syndbroker: --log-level must be debug, info, warn or error\n");
                return -1;
            }
            break;
        case 'm':
            cfg->max_msg_size = strtoll(optarg, &end, 10);
            if (*end != '\0' || cfg->max_msg_size < 1024 || cfg->max_msg_size > RPC_MAX_FRAME) {
                fprintf(stderr, "syndbroker: --max-msg-size must be 1024-%d bytes\n",
                        RPC_MAX_FRAME);
                return -1;
            }
            break;
        case 'R':
            if (parse_count("--quota-rate", optarg, 0, 1000000, &cfg->quotas.rate) != 0)
                return -1;
            break;
        case 'B':
            if (parse_count("--quota-burst", optarg, 1, 1000000, &cfg->quotas.burst) != 0)
                return -1;
            break;
        case 'S':
            if (parse_count("--quota-streams", optarg, 0, 100000, &cfg->quotas.streams) != 0)
                return -1;
            break;
        default:
            fprintf(stderr, "syndbroker: try --help\n");
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "syndbroker: unexpected argument '%s'; try --help\n", argv[optind]);
        return -1;
    }
    if (!cfg->insecure && (cfg->registry == NULL || cfg->key == NULL)) {
        fprintf(stderr, "syndbroker: --registry and --key are required (or --insecure for "
                        "development)\n");
        return -1;
    }
    return 0;
}

static void on_ledger_state(int up, void *arg)
{
    broker *b = arg;

    rpc_health_set_serving(b->health, up);
    if (up)
        syndication_on_ledger_up(b->synd);
}

/* Creates the modules in dependency order: the ZAP handler must be bound
 * before the ROUTER, and services before the first call arrives. */
static int broker_open(broker *b, const config *cfg, synd_status *st)
{
    rpc_server_opts o = {cfg->bind, NULL, cfg->insecure, cfg->max_msg_size, cfg->quotas};
    char pub[SYND_KEY_LEN], sec[SYND_KEY_LEN];

    b->zctx = zmq_ctx_new();
    if (!cfg->insecure) {
        if (synd_keyfile_read(cfg->key, pub, sec, st) != 0)
            return -1;
        o.secret_key = sec;
        if ((b->reg = registry_load(cfg->registry, st)) == NULL ||
            (b->zap = rpc_zap_new(b->zctx, b->reg, st)) == NULL)
            return -1;
        if ((b->reg_watch = registry_watch_new(b->reg, cfg->registry)) == NULL) {
            synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
            return -1;
        }
        log_info("registry %s: %zu keys, %zu of them revoked; broker public key %s", cfg->registry,
                 registry_size(b->reg), registry_revoked_count(b->reg), pub);
    }
    if ((b->srv = rpc_server_new(b->zctx, &o, st)) == NULL ||
        (b->ledger = ledger_new(cfg->redis, on_ledger_state, b, st)) == NULL)
        return -1;
    rpc_server_set_registry(b->srv, b->reg);
    b->rules = book_rules_default();
    b->health = rpc_health_new(b->srv);
    b->reflection = rpc_reflection_new(b->srv);
    b->events = events_new(b->ledger);
    b->audit = audit_new(b->ledger, b->events);
    b->supervision = supervision_new(b->ledger, b->events);
    b->synd = syndication_new(b->ledger, b->reg, &b->rules, b->events, b->audit);
    if (b->health == NULL || b->reflection == NULL || b->synd == NULL || b->events == NULL ||
        b->audit == NULL || b->supervision == NULL ||
        rpc_server_add_service(b->srv, rpc_health_service(b->health)) != 0 ||
        rpc_server_add_service(b->srv, rpc_reflection_service(b->reflection)) != 0 ||
        rpc_server_add_service(b->srv, syndication_service(b->synd)) != 0 ||
        rpc_server_add_service(b->srv, syndication_directory(b->synd)) != 0 ||
        rpc_server_add_service(b->srv, supervision_service(b->supervision)) != 0) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory creating services");
        return -1;
    }
    /* Every call's outcome goes to the audit trail; refusals to the feed. */
    rpc_server_set_observer(b->srv, audit_observe, b->audit);
    return 0;
}

/* Frees in the order callbacks allow: the ledger first, whose pending
 * commands call back into services that answer through the server, whose
 * observer writes to the audit and the feed; then the server, whose open
 * streams' cancel hooks reach the feed; then what they called into. */
static void broker_close(broker *b)
{
    ledger_free(b->ledger);
    rpc_server_free(b->srv);
    syndication_free(b->synd);
    supervision_free(b->supervision);
    audit_free(b->audit);
    events_free(b->events);
    rpc_health_free(b->health);
    rpc_reflection_free(b->reflection);
    rpc_zap_free(b->zap);
    registry_watch_free(b->reg_watch);
    registry_free(b->reg);
    if (b->zctx)
        zmq_ctx_term(b->zctx);
}

static int64_t min_wait(int64_t a, int64_t b)
{
    if (b >= 0 && b < a)
        return b;
    return a;
}

/* Applies a changed registry file (or SIGHUP): the ZAP handler and the
 * server read the registry in place, so new handshakes and calls follow
 * it at once; streams of keys it no longer admits are ended here. Returns
 * the ms until the file is next looked at, or -1 with no file. */
static int64_t registry_turn(broker *b, int64_t now)
{
    int64_t next = -1;
    size_t ended;

    if (reload_asked) {
        reload_asked = 0;
        if (b->reg_watch == NULL)
            log_warn("SIGHUP: no registry to reload (--insecure)");
        else
            registry_watch_force(b->reg_watch);
    }
    if (b->reg_watch == NULL || registry_watch_tick(b->reg_watch, now, &next) == 0)
        return next;
    if ((ended = rpc_server_end_revoked(b->srv)) > 0)
        log_info("ended %zu open streams of revoked keys", ended);
    return next;
}

/* One turn of the loop: run timers, wait for any socket, handle it. */
static int broker_turn(broker *b)
{
    zmq_pollitem_t items[3] = {{rpc_server_socket(b->srv), 0, ZMQ_POLLIN, 0}};
    int n = 1, zap_at = -1, redis_at = -1;
    int64_t now = rpc_now_ms();
    int64_t wait = min_wait(LOOP_MAX_WAIT_MS, ledger_tick(b->ledger, now));
    short ev;
    int fd;

    wait = min_wait(wait, registry_turn(b, now));
    wait = min_wait(wait, rpc_server_tick(b->srv, now));
    wait = min_wait(wait, syndication_tick(b->synd, now));
    if (b->zap) {
        items[n] = (zmq_pollitem_t){rpc_zap_socket(b->zap), 0, ZMQ_POLLIN, 0};
        zap_at = n++;
    }
    if ((fd = ledger_poll_fd(b->ledger, &ev)) >= 0) {
        items[n] = (zmq_pollitem_t){NULL, fd, ev, 0};
        redis_at = n++;
    }
    if (zmq_poll(items, n, (long)wait) < 0)
        return zmq_errno() == EINTR ? 0 : -1;
    if (zap_at >= 0 && (items[zap_at].revents & ZMQ_POLLIN))
        rpc_zap_on_readable(b->zap);
    if (redis_at >= 0 && items[redis_at].revents)
        ledger_on_events(b->ledger, items[redis_at].revents);
    if (items[0].revents & ZMQ_POLLIN)
        rpc_server_on_readable(b->srv);
    return 0;
}

int main(int argc, char **argv)
{
    config cfg = {"tcp://127.0.0.1:7700",
                  "127.0.0.1:6379",
                  NULL,
                  NULL,
                  0,
                  0,
                  LOG_LEVEL_INFO,
                  {QUOTA_RATE_DEFAULT, QUOTA_BURST_DEFAULT, QUOTA_STREAMS_DEFAULT}};
    struct sigaction sa = {.sa_handler = on_signal}, hup = {.sa_handler = on_sighup};
    broker b = {0};
    synd_status st;
    int rc = parse_flags(argc, argv, &cfg);

    if (rc != 0)
        return rc > 0 ? 0 : 2;
    log_set_level(cfg.level);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &hup, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (cfg.insecure)
        log_warn("--insecure: no encryption and no identities; never use this with real banks");
    if (broker_open(&b, &cfg, &st) != 0) {
        log_error("cannot start: %s", st.message);
        broker_close(&b);
        return 1;
    }
    log_info("serving on %s, redis %s; each bank's quotas: %lld requests a second (burst %lld), "
             "%lld open streams (0: none)",
             cfg.bind, cfg.redis, (long long)cfg.quotas.rate, (long long)cfg.quotas.burst,
             (long long)cfg.quotas.streams);
    while (!stopping) {
        if (broker_turn(&b) != 0) {
            log_error("zmq_poll: %s", zmq_strerror(zmq_errno()));
            rc = 1;
            break;
        }
    }
    log_info("shutting down");
    broker_close(&b);
    return rc;
}
