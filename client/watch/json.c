/* The JSON of synd-watch --once --json: messages in, jansson values out. */
#include "synd/status.h"
#include "synd/synd.h"
#include "watch/watch.h"

static const char *str(const char *s)
{
    return s ? s : "";
}

/* One borrower by use of its joint limit. */
static json_t *borrower_json(const Synd__V1__BorrowerUse *b)
{
    char total[SYND_MONEY_LEN], limit[SYND_MONEY_LEN];

    return json_pack(
        "{s:s, s:s, s:I, s:s, s:I, s:s?, s:I, s:i, s:i}", "borrower_code", str(b->borrower_code),
        "group_id", str(b->group_id), "total_fen", (json_int_t)b->total_fen, "total",
        synd_money_format(b->total_fen, total, sizeof(total)), "joint_limit_fen",
        (json_int_t)b->joint_limit_fen, "joint_limit",
        b->joint_limit_fen != 0 ? synd_money_format(b->joint_limit_fen, limit, sizeof(limit))
                                : NULL,
        "use_bps", (json_int_t)b->use_bps, "lending_banks", (int)b->lending_banks, "hhi",
        (int)b->hhi);
}

/* One (bank, client) pair by ratio to the bank's net capital. */
static json_t *pair_json(const Synd__V1__PairRatio *p)
{
    char exposure[SYND_MONEY_LEN];

    return json_pack("{s:s, s:s, s:I, s:s, s:I}", "bank_id", str(p->bank_id), "borrower_code",
                     str(p->borrower_code), "exposure_fen", (json_int_t)p->exposure_fen, "exposure",
                     synd_money_format(p->exposure_fen, exposure, sizeof(exposure)),
                     "ratio_capital_bps", (json_int_t)p->ratio_capital_bps);
}

/* Appends item to array, taking the reference; fails on a NULL item, so
 * that a failed json_pack fails the whole. */
static int append(json_t *array, json_t *item)
{
    return item != NULL && json_array_append_new(array, item) == 0 ? 0 : -1;
}

json_t *watch_json_top(const Synd__V1__TopConcentrationsResponse *top)
{
    json_t *borrowers = json_array(), *pairs = json_array();
    size_t i;

    if (borrowers == NULL || pairs == NULL)
        goto fail;
    for (i = 0; i < top->n_borrowers; i++)
        if (top->borrowers[i] != NULL && append(borrowers, borrower_json(top->borrowers[i])) != 0)
            goto fail;
    for (i = 0; i < top->n_pairs; i++)
        if (top->pairs[i] != NULL && append(pairs, pair_json(top->pairs[i])) != 0)
            goto fail;
    /* "o" steals both references, on failure too. */
    return json_pack("{s:o, s:o}", "borrowers", borrowers, "pairs", pairs);
fail:
    json_decref(borrowers);
    json_decref(pairs);
    return NULL;
}

json_t *watch_json_audit(const Synd__V1__AuditRecord *rec)
{
    char when[40];

    return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id", str(rec->id),
                     "time_ms", (json_int_t)rec->time_ms, "time",
                     watch_iso_time(rec->time_ms, when, sizeof(when)), "bank_id", str(rec->bank_id),
                     "role", str(rec->role), "method", str(rec->method), "object", str(rec->object),
                     "code", (int)rec->code, "code_name", synd_code_name(rec->code), "detail",
                     str(rec->detail));
}

json_t *watch_json_snapshot(int64_t time_ms, const Synd__V1__TopConcentrationsResponse *top,
                            int with_alerts, const Synd__V1__AuditRecord *const *alerts, size_t n)
{
    char when[40];
    json_t *snap, *figures, *list;
    size_t i;

    /* The time first, for a reader of the raw text. */
    snap = json_pack("{s:I, s:s}", "time_ms", (json_int_t)time_ms, "time",
                     watch_iso_time(time_ms, when, sizeof(when)));
    if (snap == NULL)
        return NULL;
    figures = watch_json_top(top);
    if (figures == NULL || json_object_update(snap, figures) != 0) {
        json_decref(figures);
        goto fail;
    }
    json_decref(figures);
    if (!with_alerts)
        return snap;
    if ((list = json_array()) == NULL || json_object_set_new(snap, "alerts", list) != 0)
        goto fail;
    for (i = 0; i < n; i++)
        if (append(list, watch_json_audit(alerts[i])) != 0)
            goto fail;
    return snap;
fail:
    json_decref(snap);
    return NULL;
}
