/* Exposure limits: integer arithmetic only, so that a figure shown to a
 * bank or a supervisor agrees exactly with the rule that was applied. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "supervise/limits.h"
#include "synd/synd.h"

/* Exact intermediates: fen times basis points, or fen squared. */
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

limit_rules limit_rules_default(void)
{
    limit_rules r = {
        .single_capital_bps = 1000,
        .single_tier1_bps = 1500,
        .group_tier1_bps = 2000,
        .warning_bps = 9000,
        .large_tier1_bps = 250,
        .joint_min_banks = 3,
        .joint_min_total_fen = 500000000000LL, /* ¥5bn */
    };
    return r;
}

/* A share setting outside 0.01%..100% would make a cap or a threshold
 * meaningless (and a cap above the capital it is taken from). */
static synd_code check_pct(const char *name, int32_t bps, synd_status *st)
{
    if (bps < 1 || bps > LIMIT_BPS)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "setting %s = %d bps is outside 1..%d (rule: deployment settings)",
                               name, (int)bps, LIMIT_BPS);
    return SYND_OK;
}

synd_code limit_rules_check(const limit_rules *r, synd_status *st)
{
    synd_code rc;

    if ((rc = check_pct("single_capital_bps", r->single_capital_bps, st)) ||
        (rc = check_pct("single_tier1_bps", r->single_tier1_bps, st)) ||
        (rc = check_pct("group_tier1_bps", r->group_tier1_bps, st)) ||
        (rc = check_pct("warning_bps", r->warning_bps, st)) ||
        (rc = check_pct("large_tier1_bps", r->large_tier1_bps, st)))
        return rc;
    if (r->joint_min_banks < 1)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "setting joint_min_banks = %d must be at least 1 (rule: deployment "
                               "settings)",
                               (int)r->joint_min_banks);
    if (r->joint_min_total_fen < 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "setting joint_min_total_fen = %" PRId64
                               " must not be negative (rule: deployment settings)",
                               r->joint_min_total_fen);
    return SYND_OK;
}

/* Brings an exact intermediate back into the range of an amount. */
static int64_t clamp64(i128 v)
{
    if (v < 0)
        return 0;
    if (v > INT64_MAX)
        return INT64_MAX;
    return (int64_t)v;
}

/* bps of fen rounded down: the largest amount that keeps within a cap. */
static int64_t share_down(int64_t fen, int32_t bps)
{
    if (fen <= 0 || bps <= 0)
        return 0;
    return clamp64((i128)fen * bps / LIMIT_BPS);
}

/* bps of fen rounded up: the least amount that reaches a threshold, since
 * x >= fen * bps / 10000 holds for an integer x exactly when x is at least
 * the quotient rounded up. */
static int64_t share_up(int64_t fen, int32_t bps)
{
    if (fen <= 0 || bps <= 0)
        return 0;
    return clamp64(((i128)fen * bps + LIMIT_BPS - 1) / LIMIT_BPS);
}

void limit_caps_of(const limit_rules *r, int64_t net_capital_fen, int64_t tier1_capital_fen,
                   limit_caps *c)
{
    int64_t by_capital = share_down(net_capital_fen, r->single_capital_bps);
    int64_t by_tier1 = share_down(tier1_capital_fen, r->single_tier1_bps);

    c->single_kind = by_capital <= by_tier1 ? LIMIT_SINGLE_CAPITAL : LIMIT_SINGLE_TIER1;
    c->single_fen = by_capital <= by_tier1 ? by_capital : by_tier1;
    c->group_fen = share_down(tier1_capital_fen, r->group_tier1_bps);
    c->large_fen = share_up(tier1_capital_fen, r->large_tier1_bps);
    c->tier1_fen = tier1_capital_fen > 0 ? tier1_capital_fen : 0;
}

/* Room under cap after used, never negative. A negative use is not
 * trusted to add room; with cap > used >= 0 the difference fits. */
static int64_t room(int64_t cap, int64_t used)
{
    if (used < 0)
        used = 0;
    return cap > used ? cap - used : 0;
}

int64_t limit_headroom(const limit_caps *c, const limit_position *p, limit_kind *binding)
{
    int64_t best = room(c->single_fen, p->bank_borrower_fen);
    limit_kind k = c->single_kind;
    int64_t v = room(c->group_fen, p->bank_group_fen);

    if (v < best) {
        best = v;
        k = LIMIT_GROUP;
    }
    if (p->joint_limit_fen > 0 && (v = room(p->joint_limit_fen, p->borrower_total_fen)) < best) {
        best = v;
        k = LIMIT_JOINT;
    }
    if (binding != NULL)
        *binding = k;
    return best;
}

/* A figure formatted for a message: an amount or a percentage. */
typedef struct figure {
    char s[48];
} figure;

/* fen as yuan: "¥1,234,567.89", "-¥1.50". */
static figure money(int64_t fen)
{
    figure t;

    synd_money_format(fen, t.s, sizeof(t.s));
    return t;
}

/* A rule's basis points as the percentage a regulation writes: 1000 ->
 * "10%", 250 -> "2.5%", 1 -> "0.01%". */
static figure pct(int32_t bps)
{
    figure t;
    int64_t mag = bps < 0 ? -(int64_t)bps : bps;
    const char *sign = bps < 0 ? "-" : "";

    if (mag % 100 == 0)
        snprintf(t.s, sizeof(t.s), "%s%" PRId64 "%%", sign, mag / 100);
    else if (mag % 10 == 0)
        snprintf(t.s, sizeof(t.s), "%s%" PRId64 ".%" PRId64 "%%", sign, mag / 100, mag % 100 / 10);
    else
        snprintf(t.s, sizeof(t.s), "%s%" PRId64 ".%02" PRId64 "%%", sign, mag / 100, mag % 100);
    return t;
}

limit_text limit_rule_text(const limit_rules *r, limit_kind k)
{
    limit_text t;

    switch (k) {
    case LIMIT_SINGLE_CAPITAL:
        snprintf(t.s, sizeof(t.s), "single borrower <= %s of net capital",
                 pct(r->single_capital_bps).s);
        break;
    case LIMIT_SINGLE_TIER1:
        snprintf(t.s, sizeof(t.s), "single borrower <= %s of net tier-1 capital",
                 pct(r->single_tier1_bps).s);
        break;
    case LIMIT_GROUP:
        snprintf(t.s, sizeof(t.s), "connected group <= %s of net tier-1 capital",
                 pct(r->group_tier1_bps).s);
        break;
    case LIMIT_JOINT:
        snprintf(t.s, sizeof(t.s), "borrower total <= joint credit limit");
        break;
    default:
        snprintf(t.s, sizeof(t.s), "?");
        break;
    }
    return t;
}

/* The limit as a refusal names it. */
static const char *limit_label(limit_kind k)
{
    switch (k) {
    case LIMIT_SINGLE_CAPITAL:
    case LIMIT_SINGLE_TIER1:
        return "single-borrower limit";
    case LIMIT_GROUP:
        return "group limit";
    case LIMIT_JOINT:
        return "borrower's joint credit limit";
    }
    return "?";
}

synd_code limit_check(const limit_rules *r, const limit_caps *c, const limit_position *p,
                      const char *bank_id, int64_t add_fen, synd_status *st)
{
    limit_kind k;
    int64_t h;

    if (add_fen < 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "bank %.64s: amount %s is negative (rule: exposure limits)", bank_id,
                               money(add_fen).s);
    h = limit_headroom(c, p, &k);
    if (add_fen <= h)
        return SYND_OK;
    return synd_status_set(st, SYND_RESOURCE_EXHAUSTED,
                           "bank %.64s: %s is %s over the %s; headroom %s (rule: %s)", bank_id,
                           money(add_fen).s, money(add_fen - h).s, limit_label(k), money(h).s,
                           limit_rule_text(r, k).s);
}

/* One figure of a position moved by add: -1 if it leaves 0..INT64_MAX. */
static int move(int64_t fen, int64_t add, int64_t *out)
{
    return __builtin_add_overflow(fen, add, out) || *out < 0 ? -1 : 0;
}

int limit_position_add(const limit_position *p, int64_t add_fen, limit_position *out)
{
    limit_position q = *p;

    if (move(p->bank_borrower_fen, add_fen, &q.bank_borrower_fen) != 0 ||
        move(p->bank_group_fen, add_fen, &q.bank_group_fen) != 0 ||
        move(p->borrower_total_fen, add_fen, &q.borrower_total_fen) != 0)
        return -1;
    *out = q;
    return 0;
}

/* The joint-credit rule, from r's figures. */
static limit_text joint_rule(const limit_rules *r)
{
    limit_text t;

    snprintf(t.s, sizeof(t.s), "joint credit: %d or more lending banks and %s or more in total",
             (int)r->joint_min_banks, money(r->joint_min_total_fen).s);
    return t;
}

bool limit_joint_required(const limit_rules *r, size_t lending_banks, int64_t total_fen)
{
    bool banks = r->joint_min_banks <= 0 || lending_banks >= (size_t)r->joint_min_banks;

    return banks && total_fen >= r->joint_min_total_fen;
}

synd_code limit_joint_check(const limit_rules *r, const char *borrower, size_t lending_banks,
                            int64_t total_fen, int64_t joint_limit_fen, synd_status *st)
{
    if (joint_limit_fen > 0 || !limit_joint_required(r, lending_banks, total_fen))
        return SYND_OK;
    return synd_status_set(st, SYND_FAILED_PRECONDITION,
                           "borrower %.64s is lent to by %zu banks for %s in total and has no "
                           "joint credit limit; an operator must set one before a new book "
                           "opens (rule: %s)",
                           borrower, lending_banks, money(total_fen).s, joint_rule(r).s);
}

/* Fills an alert; rule is formatted by the caller. */
static limit_alert alert(limit_alert_kind kind, int64_t exposure, int64_t threshold, int64_t base)
{
    limit_alert a;

    memset(&a, 0, sizeof(a));
    a.kind = kind;
    a.exposure_fen = exposure;
    a.threshold_fen = threshold;
    a.base_fen = base;
    return a;
}

/* True when p's borrower total is at or above the warning share of its
 * joint limit; never without a limit. */
static bool at_warning(const limit_rules *r, const limit_position *p)
{
    return p->joint_limit_fen > 0 &&
           p->borrower_total_fen >= share_up(p->joint_limit_fen, r->warning_bps);
}

size_t limit_alerts(const limit_rules *r, const limit_caps *c, const limit_position *before,
                    const limit_position *after, limit_alert out[LIMIT_MAX_ALERTS])
{
    size_t n = 0;

    if (!at_warning(r, before) && at_warning(r, after)) {
        out[n] = alert(LIMIT_ALERT_WARNING_LINE, after->borrower_total_fen,
                       share_up(after->joint_limit_fen, r->warning_bps), after->joint_limit_fen);
        snprintf(out[n].rule, sizeof(out[n].rule), "warning line: %s of the joint credit limit",
                 pct(r->warning_bps).s);
        n++;
    }
    if (before->bank_borrower_fen < c->large_fen && after->bank_borrower_fen >= c->large_fen) {
        out[n] =
            alert(LIMIT_ALERT_LARGE_EXPOSURE, after->bank_borrower_fen, c->large_fen, c->tier1_fen);
        snprintf(out[n].rule, sizeof(out[n].rule),
                 "large exposure: %s or more of net tier-1 capital", pct(r->large_tier1_bps).s);
        n++;
    }
    return n;
}

bool limit_below_use(int64_t total_fen, int64_t new_limit_fen, limit_alert *out)
{
    if (new_limit_fen <= 0 || total_fen <= new_limit_fen)
        return false;
    *out = alert(LIMIT_ALERT_BELOW_USE, total_fen, new_limit_fen, new_limit_fen);
    snprintf(out->rule, sizeof(out->rule),
             "joint credit limit below use: no new lending until the total is within it");
    return true;
}

const char *limit_alert_name(limit_alert_kind k)
{
    switch (k) {
    case LIMIT_ALERT_WARNING_LINE:
        return "WARNING_LINE";
    case LIMIT_ALERT_LARGE_EXPOSURE:
        return "LARGE_EXPOSURE";
    case LIMIT_ALERT_BELOW_USE:
        return "LIMIT_BELOW_USE";
    }
    return "?";
}

/* part / whole in bps, both positive: at most 10 * INT64_MAX * 10,000 in
 * the numerator, well inside 128 bits. */
static int64_t ratio_bps(i128 part, int64_t whole)
{
    if (part <= 0 || whole <= 0)
        return 0;
    return clamp64(part * LIMIT_BPS / whole);
}

int64_t limit_ratio_bps(int64_t part, int64_t whole)
{
    return ratio_bps(part, whole);
}

int64_t limit_top_clients_bps(const int64_t *exposures, size_t n, int64_t net_capital_fen)
{
    int64_t top[LIMIT_TOP_CLIENTS]; /* the largest so far, descending */
    size_t kept = 0;
    i128 sum = 0;

    for (size_t i = 0; i < n; i++) {
        int64_t e = exposures[i] > 0 ? exposures[i] : 0;
        size_t j;

        if (kept == LIMIT_TOP_CLIENTS && e <= top[kept - 1])
            continue;
        /* Insertion from the end; when full, the smallest makes way. */
        j = kept < LIMIT_TOP_CLIENTS ? kept++ : kept - 1;
        for (; j > 0 && top[j - 1] < e; j--)
            top[j] = top[j - 1];
        top[j] = e;
    }
    for (size_t i = 0; i < kept; i++)
        sum += top[i];
    return ratio_bps(sum, net_capital_fen);
}

/* floor(a * b / d) for a <= d < 2^126, by binary long multiplication with
 * the remainder kept below d: every intermediate stays below 2d < 2^127,
 * where a * b itself would not fit in 128 bits. */
static uint32_t mul_div_floor(u128 a, uint32_t b, u128 d)
{
    u128 rem = 0;
    uint32_t q = 0;

    for (int bit = 31; bit >= 0; bit--) {
        q <<= 1;
        rem <<= 1;
        if (rem >= d) {
            rem -= d;
            q++;
        }
        if ((b >> bit) & 1u) {
            rem += a;
            if (rem >= d) {
                rem -= d;
                q++;
            }
        }
    }
    return q;
}

int32_t limit_hhi(const int64_t *exposures, size_t n)
{
    u128 total = 0, squares = 0;

    for (size_t i = 0; i < n; i++) {
        if (exposures[i] < 0)
            return -1;
        total += (u128)exposures[i];
        if (total > INT64_MAX)
            return -1;
    }
    if (total == 0)
        return 0;
    /* Each square is at most total * exposure, so the sum of squares is
     * at most total^2 < 2^126. */
    for (size_t i = 0; i < n; i++)
        squares += (u128)exposures[i] * (u128)exposures[i];
    return (int32_t)mul_div_floor(squares, LIMIT_HHI_MAX, total * total);
}
