/* The Supervision service: exposures, concentration, the feed and the
 * audit trail, for supervisors only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/books.h"
#include "registry.h"
#include "rpc/envelope.h"
#include "rpc/server.h"
#include "supervise/checks.h"
#include "supervise/exposure.h"
#include "supervise/limits.h"
#include "supervise/supervision.h"
#include "synd/v1/supervision.pb-c.h"

/* Room kept in a reply frame for the envelope around the payload. */
#define ENVELOPE_ROOM 4096

struct supervision {
    Synd__V1__Supervision_Service base; /* first: handlers cast back from it */
    ledger *l;
    events *e;
};

/* One request between a handler and the ledger's answers. Whatever the
 * first answer gives that the second needs is copied here, because a
 * result lives only as long as its callback. */
typedef struct sop {
    supervision *s;
    rpc_call *call;
    char *id;    /* the borrower code or bank id asked about */
    char *group; /* GetBorrowerExposure: the borrower's group */
    int64_t joint_limit_fen;
    int64_t net_capital_fen, tier1_capital_fen;
    size_t n;           /* TopConcentrations: how many of each */
    ledger_bank *banks; /* TopConcentrations: ids and capital, ids owned */
    size_t n_banks;
} sop;

static sop *sop_new(supervision *s, rpc_call *c, const char *id)
{
    sop *o = calloc(1, sizeof(*o));

    if (o != NULL && id != NULL && (o->id = strdup(id)) == NULL) {
        free(o);
        o = NULL;
    }
    if (o == NULL) {
        rpc_call_finish(c, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        return NULL;
    }
    o->s = s;
    o->call = c;
    return o;
}

static void sop_free(sop *o)
{
    for (size_t i = 0; i < o->n_banks; i++)
        free((char *)o->banks[i].bank_id);
    free(o->banks);
    free(o->group);
    free(o->id);
    free(o);
}

/* Ends the request when the ledger could not queue its call. */
static void unavailable(sop *o)
{
    rpc_call_finish(o->call, SYND_UNAVAILABLE, "redis is not available; retry later");
    sop_free(o);
}

/* Ends the request with the ledger's refusal. Returns 1 if it did. */
static int refused(sop *o, const ledger_result *r)
{
    if (r->code == SYND_OK)
        return 0;
    rpc_call_finish(o->call, r->code, "%s", r->message);
    sop_free(o);
    return 1;
}

/* Pointers to the exposures of r that match bank or borrower (NULL: any),
 * in *out (free() it). Returns the count, or -1 if out of memory. */
static long pick(const ledger_result *r, const char *bank, const char *borrower,
                 const ledger_exposure ***out)
{
    const ledger_exposure **v = malloc((r->n_items ? r->n_items : 1) * sizeof(*v));
    long n = 0;

    if ((*out = v) == NULL)
        return -1;
    for (size_t i = 0; i < r->n_items; i++) {
        const ledger_exposure *x = &r->exposures[i];
        if ((bank == NULL || strcmp(x->bank, bank) == 0) &&
            (borrower == NULL || strcmp(x->borrower, borrower) == 0))
            v[n++] = x;
    }
    return n;
}

/* --- GetBorrowerExposure ------------------------------------------------ */

/* Answers with the borrower's lines, from every exposure in r. */
static void reply_borrower(sop *o, const ledger_result *r)
{
    Synd__V1__GetBorrowerExposureResponse out = SYND__V1__GET_BORROWER_EXPOSURE_RESPONSE__INIT;
    const ledger_exposure **v = NULL;
    exposure_borrower *rows = NULL;
    Synd__V1__BankShare *lines = NULL, **ptrs = NULL;
    size_t n_rows = 0;
    long n = pick(r, NULL, o->id, &v);
    synd_status st;

    if (n >= 0) {
        lines = calloc((size_t)n + 1, sizeof(*lines));
        ptrs = calloc((size_t)n + 1, sizeof(*ptrs));
    }
    if (n < 0 || lines == NULL || ptrs == NULL) {
        rpc_call_finish(o->call, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
    } else if (exposure_borrowers(v, (size_t)n, &rows, &n_rows, &st) != SYND_OK) {
        rpc_call_finish(o->call, st.code, "%s", st.message);
    } else {
        out.borrower_code = o->id;
        out.group_id = o->group;
        out.joint_limit_fen = o->joint_limit_fen;
        if (n_rows == 1) {
            out.total_fen = rows[0].total_fen;
            out.lending_banks = rows[0].lending_banks;
            out.hhi = rows[0].hhi;
        }
        if (o->joint_limit_fen > 0)
            out.use_bps = limit_ratio_bps(out.total_fen, o->joint_limit_fen);
        exposure_sort_lines(v, (size_t)n);
        for (long i = 0; i < n; i++) {
            synd__v1__bank_share__init(&lines[i]);
            lines[i].bank_id = (char *)v[i]->bank;
            lines[i].exposure_fen = v[i]->fen;
            lines[i].share_bps = limit_ratio_bps(v[i]->fen, out.total_fen);
            ptrs[i] = &lines[i];
        }
        out.n_banks = (size_t)n;
        out.banks = ptrs;
        rpc_call_reply(o->call, &out.base);
    }
    free(rows);
    free(lines);
    free(ptrs);
    free(v);
}

static void on_borrower_exposures(void *arg, const ledger_result *r)
{
    sop *o = arg;

    if (refused(o, r))
        return;
    reply_borrower(o, r);
    sop_free(o);
}

static void on_borrower(void *arg, const ledger_result *r)
{
    sop *o = arg;

    if (r->code == SYND_NOT_FOUND) {
        rpc_call_finish(o->call, SYND_NOT_FOUND, "no borrower %s in the registry", o->id);
        sop_free(o);
        return;
    }
    if (refused(o, r))
        return;
    if ((o->group = strdup(r->borrower->group)) == NULL) {
        rpc_call_finish(o->call, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        sop_free(o);
        return;
    }
    o->joint_limit_fen = r->borrower->joint_limit_fen;
    if (ledger_exposures_all(o->s->l, on_borrower_exposures, o) != 0)
        unavailable(o);
}

static void get_borrower_exposure(Synd__V1__Supervision_Service *svc,
                                  const Synd__V1__GetBorrowerExposureRequest *in,
                                  Synd__V1__GetBorrowerExposureResponse_Closure closure, void *data)
{
    supervision *s = (supervision *)svc;
    rpc_call *c = data;
    synd_status st;
    sop *o;

    if (supervision_check_borrower_exposure(in, &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return;
    }
    if ((o = sop_new(s, c, in->borrower_code)) == NULL)
        return;
    if (ledger_borrower_get(s->l, o->id, on_borrower, o) != 0)
        unavailable(o);
}

/* --- GetBankExposure ---------------------------------------------------- */

/* Fills rows[0..n) and ptrs from totals, as ratios to the bank's capital. */
static void client_rows(const sop *o, const exposure_total *t, size_t n,
                        Synd__V1__ClientExposure *rows, Synd__V1__ClientExposure **ptrs)
{
    for (size_t i = 0; i < n; i++) {
        synd__v1__client_exposure__init(&rows[i]);
        rows[i].id = (char *)t[i].id;
        rows[i].exposure_fen = t[i].fen;
        rows[i].ratio_capital_bps = limit_ratio_bps(t[i].fen, o->net_capital_fen);
        rows[i].ratio_tier1_bps = limit_ratio_bps(t[i].fen, o->tier1_capital_fen);
        ptrs[i] = &rows[i];
    }
}

/* Answers with the bank's clients and groups, from every exposure in r. */
static void reply_bank(sop *o, const ledger_result *r)
{
    Synd__V1__GetBankExposureResponse out = SYND__V1__GET_BANK_EXPOSURE_RESPONSE__INIT;
    const ledger_exposure **v = NULL;
    exposure_total *borrowers = NULL, *groups = NULL;
    size_t n_borrowers = 0, n_groups = 0;
    Synd__V1__ClientExposure *rows = NULL, **ptrs = NULL;
    int64_t *fens = NULL;
    long n = pick(r, o->id, NULL, &v);
    synd_status st;

    if (n >= 0) {
        rows = calloc(2 * (size_t)n + 1, sizeof(*rows));
        ptrs = calloc(2 * (size_t)n + 1, sizeof(*ptrs));
        fens = calloc((size_t)n + 1, sizeof(*fens));
    }
    if (n < 0 || rows == NULL || ptrs == NULL || fens == NULL) {
        rpc_call_finish(o->call, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
    } else if (exposure_totals(v, (size_t)n, 0, &borrowers, &n_borrowers, &st) != SYND_OK ||
               exposure_totals(v, (size_t)n, 1, &groups, &n_groups, &st) != SYND_OK) {
        rpc_call_finish(o->call, st.code, "%s", st.message);
    } else {
        out.bank_id = o->id;
        out.net_capital_fen = o->net_capital_fen;
        out.tier1_capital_fen = o->tier1_capital_fen;
        client_rows(o, borrowers, n_borrowers, rows, ptrs);
        client_rows(o, groups, n_groups, rows + n_borrowers, ptrs + n_borrowers);
        out.n_borrowers = n_borrowers;
        out.borrowers = ptrs;
        out.n_groups = n_groups;
        out.groups = ptrs + n_borrowers;
        for (size_t i = 0; i < n_borrowers; i++)
            fens[i] = borrowers[i].fen;
        out.top10_ratio_bps = limit_top_clients_bps(fens, n_borrowers, o->net_capital_fen);
        rpc_call_reply(o->call, &out.base);
    }
    free(borrowers);
    free(groups);
    free(rows);
    free(ptrs);
    free(fens);
    free(v);
}

static void on_bank_exposures(void *arg, const ledger_result *r)
{
    sop *o = arg;

    if (refused(o, r))
        return;
    reply_bank(o, r);
    sop_free(o);
}

static void on_bank(void *arg, const ledger_result *r)
{
    sop *o = arg;

    if (r->code == SYND_NOT_FOUND) {
        rpc_call_finish(o->call, SYND_NOT_FOUND, "no bank '%s' in the registry", o->id);
        sop_free(o);
        return;
    }
    if (refused(o, r))
        return;
    o->net_capital_fen = r->bank->net_capital_fen;
    o->tier1_capital_fen = r->bank->tier1_capital_fen;
    if (ledger_exposures_all(o->s->l, on_bank_exposures, o) != 0)
        unavailable(o);
}

static void get_bank_exposure(Synd__V1__Supervision_Service *svc,
                              const Synd__V1__GetBankExposureRequest *in,
                              Synd__V1__GetBankExposureResponse_Closure closure, void *data)
{
    supervision *s = (supervision *)svc;
    rpc_call *c = data;
    synd_status st;
    sop *o;

    if (supervision_check_bank_exposure(in, &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return;
    }
    if ((o = sop_new(s, c, in->bank_id)) == NULL)
        return;
    if (ledger_bank_get(s->l, o->id, on_bank, o) != 0)
        unavailable(o);
}

/* --- TopConcentrations -------------------------------------------------- */

/* Answers with the first n borrowers and pairs, from every exposure in r. */
static void reply_top(sop *o, const ledger_result *r)
{
    Synd__V1__TopConcentrationsResponse out = SYND__V1__TOP_CONCENTRATIONS_RESPONSE__INIT;
    const ledger_exposure **v = NULL;
    exposure_borrower *rows = NULL;
    exposure_pair *pairs = NULL;
    size_t n_rows = 0;
    Synd__V1__BorrowerUse *uses = NULL, **use_ptrs = NULL;
    Synd__V1__PairRatio *ratios = NULL, **ratio_ptrs = NULL;
    long n = pick(r, NULL, NULL, &v);
    synd_status st;

    if (n >= 0) {
        uses = calloc(o->n + 1, sizeof(*uses));
        use_ptrs = calloc(o->n + 1, sizeof(*use_ptrs));
        ratios = calloc(o->n + 1, sizeof(*ratios));
        ratio_ptrs = calloc(o->n + 1, sizeof(*ratio_ptrs));
    }
    if (n < 0 || uses == NULL || use_ptrs == NULL || ratios == NULL || ratio_ptrs == NULL) {
        rpc_call_finish(o->call, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
    } else if (exposure_borrowers(v, (size_t)n, &rows, &n_rows, &st) != SYND_OK ||
               exposure_pairs(v, (size_t)n, o->banks, o->n_banks, &pairs, &st) != SYND_OK) {
        rpc_call_finish(o->call, st.code, "%s", st.message);
    } else {
        for (size_t i = 0; i < n_rows && i < o->n; i++) {
            synd__v1__borrower_use__init(&uses[i]);
            uses[i].borrower_code = (char *)rows[i].borrower;
            uses[i].group_id = (char *)rows[i].group;
            uses[i].total_fen = rows[i].total_fen;
            uses[i].joint_limit_fen = rows[i].joint_limit_fen;
            uses[i].use_bps = rows[i].use_bps;
            uses[i].lending_banks = rows[i].lending_banks;
            uses[i].hhi = rows[i].hhi;
            use_ptrs[out.n_borrowers++] = &uses[i];
        }
        for (size_t i = 0; i < (size_t)n && i < o->n; i++) {
            synd__v1__pair_ratio__init(&ratios[i]);
            ratios[i].bank_id = (char *)pairs[i].bank;
            ratios[i].borrower_code = (char *)pairs[i].borrower;
            ratios[i].exposure_fen = pairs[i].fen;
            ratios[i].ratio_capital_bps = pairs[i].ratio_capital_bps;
            ratio_ptrs[out.n_pairs++] = &ratios[i];
        }
        out.borrowers = use_ptrs;
        out.pairs = ratio_ptrs;
        rpc_call_reply(o->call, &out.base);
    }
    free(rows);
    free(pairs);
    free(uses);
    free(use_ptrs);
    free(ratios);
    free(ratio_ptrs);
    free(v);
}

static void on_top_exposures(void *arg, const ledger_result *r)
{
    sop *o = arg;

    if (refused(o, r))
        return;
    reply_top(o, r);
    sop_free(o);
}

/* Keeps each bank's id and net capital for the pairs' ratios. */
static void on_top_banks(void *arg, const ledger_result *r)
{
    sop *o = arg;

    if (refused(o, r))
        return;
    o->banks = calloc(r->n_items + 1, sizeof(*o->banks));
    for (size_t i = 0; o->banks != NULL && i < r->n_items; i++) {
        if ((o->banks[i].bank_id = strdup(r->banks[i].bank_id)) == NULL)
            break;
        o->banks[i].net_capital_fen = r->banks[i].net_capital_fen;
        o->banks[i].tier1_capital_fen = r->banks[i].tier1_capital_fen;
        o->n_banks++;
    }
    if (o->banks == NULL || o->n_banks < r->n_items) {
        rpc_call_finish(o->call, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        sop_free(o);
    } else if (ledger_exposures_all(o->s->l, on_top_exposures, o) != 0) {
        unavailable(o);
    }
}

static void top_concentrations(Synd__V1__Supervision_Service *svc,
                               const Synd__V1__TopConcentrationsRequest *in,
                               Synd__V1__TopConcentrationsResponse_Closure closure, void *data)
{
    supervision *s = (supervision *)svc;
    rpc_call *c = data;
    synd_status st;
    size_t n;
    sop *o;

    if (supervision_check_top(in, &n, &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return;
    }
    if ((o = sop_new(s, c, NULL)) == NULL)
        return;
    o->n = n;
    if (ledger_banks_list(s->l, on_top_banks, o) != 0)
        unavailable(o);
}

/* --- WatchSupervision --------------------------------------------------- */

static void watch_supervision(Synd__V1__Supervision_Service *svc,
                              const Synd__V1__WatchSupervisionRequest *in,
                              Synd__V1__SupervisionEvent_Closure closure, void *data)
{
    supervision *s = (supervision *)svc;
    rpc_call *c = data;
    synd_status st;

    if (events_subscribe(s->e, c, in->snapshot, &st) != SYND_OK)
        rpc_call_finish(c, st.code, "%s", st.message);
}

/* --- GetAuditLog -------------------------------------------------------- */

/* The bytes a repeated message field of size n adds to its parent: a
 * one-byte tag, the length as a varint, and the message. */
static size_t repeated_size(size_t n)
{
    size_t len = 1;

    for (size_t v = n; v >= 0x80; v >>= 7)
        len++;
    return 1 + len + n;
}

/* Answers with the records of r, as many as one reply frame holds. */
static void reply_audit(sop *o, const ledger_result *r)
{
    Synd__V1__GetAuditLogResponse out = SYND__V1__GET_AUDIT_LOG_RESPONSE__INIT;
    Synd__V1__AuditRecord *recs = calloc(r->n_items + 1, sizeof(*recs));
    Synd__V1__AuditRecord **ptrs = calloc(r->n_items + 1, sizeof(*ptrs));
    size_t room = RPC_MAX_FRAME - ENVELOPE_ROOM, size;

    if (recs == NULL || ptrs == NULL) {
        rpc_call_finish(o->call, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        free(recs);
        free(ptrs);
        return;
    }
    for (size_t i = 0; i < r->n_items; i++) {
        const ledger_audit *a = &r->audit[i];
        Synd__V1__AuditRecord *rec = &recs[i];

        synd__v1__audit_record__init(rec);
        rec->id = (char *)a->id;
        rec->time_ms = a->time_ms;
        rec->bank_id = (char *)a->bank_id;
        rec->role = (char *)a->role;
        rec->method = (char *)a->method;
        rec->object = (char *)a->object;
        rec->code = a->code;
        rec->detail = (char *)a->detail;
        rec->prev = (char *)a->prev;
        rec->hash = (char *)a->hash;
        size = repeated_size(synd__v1__audit_record__get_packed_size(rec));
        if (size > room)
            break;
        room -= size;
        ptrs[out.n_records++] = rec;
    }
    out.records = ptrs;
    out.base_hash = (char *)r->audit_base;
    out.head_hash = (char *)r->audit_head;
    rpc_call_reply(o->call, &out.base);
    free(recs);
    free(ptrs);
}

static void on_audit(void *arg, const ledger_result *r)
{
    sop *o = arg;

    if (refused(o, r))
        return;
    reply_audit(o, r);
    sop_free(o);
}

static void get_audit_log(Synd__V1__Supervision_Service *svc,
                          const Synd__V1__GetAuditLogRequest *in,
                          Synd__V1__GetAuditLogResponse_Closure closure, void *data)
{
    supervision *s = (supervision *)svc;
    rpc_call *c = data;
    int after = in->after_id != NULL && in->after_id[0] != '\0';
    synd_status st;
    int64_t to;
    size_t limit;
    sop *o;

    if (supervision_check_audit_log(in, rpc_now_ms(), &to, &limit, &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return;
    }
    if ((o = sop_new(s, c, NULL)) == NULL)
        return;
    if ((after ? ledger_audit_after(s->l, in->after_id, in->to_ms, limit, on_audit, o)
               : ledger_audit_range(s->l, in->from_ms, to, limit, on_audit, o)) != 0)
        unavailable(o);
}

/* --- life --------------------------------------------------------------- */

supervision *supervision_new(ledger *l, events *e)
{
    supervision *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    synd__v1__supervision__init(&s->base, NULL);
    s->base.get_borrower_exposure = get_borrower_exposure;
    s->base.get_bank_exposure = get_bank_exposure;
    s->base.top_concentrations = top_concentrations;
    s->base.watch_supervision = watch_supervision;
    s->base.get_audit_log = get_audit_log;
    s->l = l;
    s->e = e;
    return s;
}

void supervision_free(supervision *s)
{
    free(s);
}

ProtobufCService *supervision_service(supervision *s)
{
    return &s->base.base;
}
