/* The alert feed: ALERT and BLOCKED events as one line each, in a ring
 * of the latest. */
#include <stdio.h>
#include <string.h>

#include "synd/status.h"
#include "watch/watch.h"

/* A string field as protobuf-c leaves it: "" for an unset one, though a
 * message built by hand may hold NULL. */
static const char *str(const char *s)
{
    return s ? s : "";
}

/* "SubmitBid" from "/synd.v1.Syndication/SubmitBid". */
static const char *method_name(const char *method)
{
    const char *slash = strrchr(str(method), '/');

    return slash ? slash + 1 : str(method);
}

/* An alert's line: the rule, then the figures that crossed it. */
static void alert_text(const Synd__V1__SupervisionEvent *ev, watch_alert *a)
{
    char exposure[32], threshold[32], limit[32];
    const char *detail = str(ev->detail);

    snprintf(a->text, sizeof(a->text), "%s: exposure %s, threshold %s of %s%s%s",
             ev->rule && *ev->rule ? ev->rule : "alert",
             watch_compact(ev->exposure_fen, exposure, sizeof(exposure)),
             watch_compact(ev->threshold_fen, threshold, sizeof(threshold)),
             watch_compact(ev->limit_fen, limit, sizeof(limit)), *detail ? "; " : "", detail);
}

/* A refusal's line: what was refused, with what status and why. The book
 * and the rule are added when the reason does not name them already. */
static void blocked_text(const Synd__V1__SupervisionEvent *ev, watch_alert *a)
{
    const char *detail = str(ev->detail), *book = str(ev->book_id), *rule = str(ev->rule);
    int book_named = *book == '\0' || strstr(detail, book) != NULL;
    int rule_named = *rule == '\0' || strstr(detail, rule) != NULL;

    snprintf(a->text, sizeof(a->text), "%s %s%s%s: %s%s%s%s", method_name(ev->method),
             synd_code_name(ev->code), book_named ? "" : " on ", book_named ? "" : book, detail,
             rule_named ? "" : " (rule: ", rule_named ? "" : rule, rule_named ? "" : ")");
}

int watch_alert_from_event(const Synd__V1__SupervisionEvent *ev, watch_alert *a)
{
    if (ev->kind != SYND__V1__SUPERVISION_EVENT__KIND__ALERT &&
        ev->kind != SYND__V1__SUPERVISION_EVENT__KIND__BLOCKED)
        return -1;
    memset(a, 0, sizeof(*a));
    a->seq = ev->seq;
    a->time_ms = ev->time_ms;
    a->kind = ev->kind;
    snprintf(a->bank, sizeof(a->bank), "%s", str(ev->bank_id));
    snprintf(a->borrower, sizeof(a->borrower), "%s", str(ev->borrower_code));
    if (ev->kind == SYND__V1__SUPERVISION_EVENT__KIND__ALERT)
        alert_text(ev, a);
    else
        blocked_text(ev, a);
    return 0;
}

void watch_feed_push(watch_feed *f, const watch_alert *a)
{
    if (f->count < WATCH_FEED_CAP) {
        f->items[(f->first + f->count) % WATCH_FEED_CAP] = *a;
        f->count++;
    } else {
        f->items[f->first] = *a;
        f->first = (f->first + 1) % WATCH_FEED_CAP;
    }
    f->total++;
}

const watch_alert *watch_feed_at(const watch_feed *f, size_t i)
{
    if (i >= f->count)
        return NULL;
    return &f->items[(f->first + i) % WATCH_FEED_CAP];
}
