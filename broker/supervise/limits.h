/* Exposure limits, as DESIGN.md gives them under "Exposure limits": the
 * caps a bank's capital allows, the headroom left under them, the check of
 * a new loan, the joint-credit trigger, the alerts supervisors get, and the
 * concentration figures they read (ratios, largest-ten, HHI).
 *
 * Pure code: no I/O and no clock. Money is an int64_t count of fen, ratios
 * are integer basis points, and no floating point is used anywhere; every
 * ratio is exact in 128-bit integers. Exposures are never negative (the
 * ledger keeps them so); a negative figure is not trusted for room. A check
 * that fails returns a synd_code and writes into st a message that says
 * what is wrong and names the rule, e.g. "... (rule: single borrower <= 10%
 * of net capital)". */
#ifndef SYND_SUPERVISE_LIMITS_H
#define SYND_SUPERVISE_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synd/status.h"

#define LIMIT_BPS         10000 /* basis points in a whole */
#define LIMIT_HHI_MAX     10000 /* the HHI of a single lender */
#define LIMIT_TOP_CLIENTS 10    /* the "largest ten clients" ratio */
#define LIMIT_MAX_ALERTS  2     /* alerts one change can raise in limit_alerts() */

/* Deployment settings. Percentages are basis points of the figure named.
 * Start from limit_rules_default() and change what the deployment needs. */
typedef struct limit_rules {
    int32_t single_capital_bps;  /* one borrower, of net capital (1000) */
    int32_t single_tier1_bps;    /* one borrower, of net tier-1 capital (1500) */
    int32_t group_tier1_bps;     /* one connected group, of net tier-1 capital (2000) */
    int32_t warning_bps;         /* warning line, of a joint credit limit (9000) */
    int32_t large_tier1_bps;     /* large exposure from, of net tier-1 capital (250) */
    int32_t joint_min_banks;     /* joint credit needed from this many lenders (3) ... */
    int64_t joint_min_total_fen; /* ... together lending this much (¥5bn) */
} limit_rules;

/* The limits, each of which binds a new loan. */
typedef enum limit_kind {
    LIMIT_SINGLE_CAPITAL = 1, /* a bank's exposure to one borrower, by net capital */
    LIMIT_SINGLE_TIER1 = 2,   /* the same, by net tier-1 capital */
    LIMIT_GROUP = 3,          /* a bank's exposure to one connected group */
    LIMIT_JOINT = 4           /* a borrower's total across banks: its joint credit limit */
} limit_kind;

/* A short text returned by value, so that one call can format several:
 * limit_rule_text(r, a).s, limit_rule_text(r, b).s. */
typedef struct limit_text {
    char s[128];
} limit_text;

/* What a bank may lend, from its capital. Caps are rounded down, so a cap
 * is never overstated; thresholds are rounded up, so an alert never fires
 * early. */
typedef struct limit_caps {
    int64_t single_fen;     /* one borrower: the lower of the two single caps */
    limit_kind single_kind; /* which one that is; LIMIT_SINGLE_CAPITAL on a tie */
    int64_t group_fen;      /* one connected group */
    int64_t large_fen;      /* the least exposure to one borrower that is large */
    int64_t tier1_fen;      /* net tier-1 capital, what large_fen is a share of */
} limit_caps;

/* One bank's position towards one borrower, as the ledger holds it. */
typedef struct limit_position {
    int64_t bank_borrower_fen;  /* the bank's exposure to the borrower */
    int64_t bank_group_fen;     /* the bank's exposure to the borrower's group, borrower included */
    int64_t borrower_total_fen; /* the borrower's total across all banks */
    int64_t joint_limit_fen;    /* the borrower's joint credit limit; 0 (or less): none */
} limit_position;

typedef enum limit_alert_kind {
    LIMIT_ALERT_WARNING_LINE = 1,   /* a borrower reached the warning line of its limit */
    LIMIT_ALERT_LARGE_EXPOSURE = 2, /* a bank's exposure to a borrower became large */
    LIMIT_ALERT_BELOW_USE = 3       /* a joint limit was set below the borrower's use */
} limit_alert_kind;

/* An alert for supervisors: which threshold, the figures, and the rule. */
typedef struct limit_alert {
    limit_alert_kind kind;
    int64_t exposure_fen;  /* WARNING_LINE, BELOW_USE: the borrower's total; LARGE: the bank's */
    int64_t threshold_fen; /* where the alert fires: the least exposure that raises it, or for
                              BELOW_USE the new limit it exceeds */
    int64_t base_fen;      /* what the threshold is a share of: the joint limit, or for LARGE
                              the bank's net tier-1 capital */
    char rule[128];        /* e.g. "warning line: 90% of the joint credit limit" */
} limit_alert;

/* The figures of DESIGN.md: one borrower <= 10% of net capital and <= 15%
 * of net tier-1 capital, one group <= 20% of net tier-1 capital, warning
 * line at 90% of a joint limit, large exposure from 2.5% of net tier-1
 * capital, joint credit needed from 3 lending banks and ¥5bn in total. */
limit_rules limit_rules_default(void);

/* Checks that a deployment's settings make sense: each percentage within
 * 0.01%..100%, the joint-credit trigger at one bank or more and a total
 * that is not negative. Returns SYND_OK, or SYND_INVALID_ARGUMENT naming
 * the setting. */
synd_code limit_rules_check(const limit_rules *r, synd_status *st);

/* Fills c from a bank's net capital and net tier-1 capital. A negative
 * figure counts as zero: no room at all. */
void limit_caps_of(const limit_rules *r, int64_t net_capital_fen, int64_t tier1_capital_fen,
                   limit_caps *c);

/* The most the bank may still lend to the borrower: the least of the room
 * under its single-borrower cap, its group cap and, when one is set, the
 * borrower's joint limit; never negative. Sets *binding (if not NULL) to
 * the limit that gives it; on a tie the single cap, then the group, then
 * the joint limit is named. */
int64_t limit_headroom(const limit_caps *c, const limit_position *p, limit_kind *binding);

/* Checks that the bank bank_id may lend add_fen more: every limit still
 * kept, exactly at a limit included. Returns SYND_OK, SYND_INVALID_ARGUMENT
 * for a negative amount, or SYND_RESOURCE_EXHAUSTED with a message that
 * gives the excess and the headroom in yuan and names the limit, e.g.
 * "bank BOC: ¥350,001,000.00 is ¥1,000.00 over the single-borrower limit;
 * headroom ¥350,000,000.00 (rule: single borrower <= 10% of net capital)".
 * No sum is formed, so amounts up to INT64_MAX are judged exactly. */
synd_code limit_check(const limit_rules *r, const limit_caps *c, const limit_position *p,
                      const char *bank_id, int64_t add_fen, synd_status *st);

/* The position after the bank lends add_fen more (or repays, if it is
 * negative) to the borrower. Returns 0, or -1 if a figure would overflow
 * int64 or fall below zero; out is then unchanged. */
int limit_position_add(const limit_position *p, int64_t add_fen, limit_position *out);

/* The rule a limit stands for, from r's figures: "single borrower <= 10%
 * of net capital", "single borrower <= 15% of net tier-1 capital",
 * "connected group <= 20% of net tier-1 capital", "borrower total <= joint
 * credit limit". A value outside the enum gives "?". */
limit_text limit_rule_text(const limit_rules *r, limit_kind k);

/* True when a borrower lent to by lending_banks banks for total_fen in all
 * has reached both joint-credit thresholds, and so needs a joint limit. */
bool limit_joint_required(const limit_rules *r, size_t lending_banks, int64_t total_fen);

/* The check at OpenBook: SYND_OK if the borrower does not need a joint
 * limit or has one (joint_limit_fen > 0), else SYND_FAILED_PRECONDITION
 * naming the borrower, its figures and the rule. */
synd_code limit_joint_check(const limit_rules *r, const char *borrower, size_t lending_banks,
                            int64_t total_fen, int64_t joint_limit_fen, synd_status *st);

/* The thresholds crossed upwards by a change from before to after (a loan,
 * a repayment, a new joint limit): WARNING_LINE when the borrower's total
 * goes from below the warning share of its joint limit to at or above it
 * (no limit: never), LARGE_EXPOSURE when the bank's exposure goes from
 * below c->large_fen to at or above it. Fills out[0..n) and returns n. */
size_t limit_alerts(const limit_rules *r, const limit_caps *c, const limit_position *before,
                    const limit_position *after, limit_alert out[LIMIT_MAX_ALERTS]);

/* A joint limit of new_limit_fen set for a borrower whose total is
 * total_fen: true, with *out filled, when the limit is below the total.
 * Setting it is allowed, but the borrower gets no new lending (its headroom
 * is zero) until repayments bring the total under it. */
bool limit_below_use(int64_t total_fen, int64_t new_limit_fen, limit_alert *out);

/* "WARNING_LINE", "LARGE_EXPOSURE", "LIMIT_BELOW_USE", or "?". */
const char *limit_alert_name(limit_alert_kind k);

/* part / whole in basis points, rounded down; 0 when either is not
 * positive, and INT64_MAX if the ratio is larger than that. */
int64_t limit_ratio_bps(int64_t part, int64_t whole);

/* The sum of the LIMIT_TOP_CLIENTS largest of n exposures (all of them if
 * fewer) over net capital, in basis points as limit_ratio_bps() rounds.
 * Negative exposures count as zero. */
int64_t limit_top_clients_bps(const int64_t *exposures, size_t n, int64_t net_capital_fen);

/* The Herfindahl-Hirschman index of n lenders' exposures to one borrower:
 * the sum of their squared percentage shares, 0..10,000, rounded down
 * (one lender: 10,000; two equal: 5,000; 50/30/20: 3,800). 0 when nothing
 * is lent; -1 if an exposure is negative or their sum exceeds INT64_MAX. */
int32_t limit_hhi(const int64_t *exposures, size_t n);

#endif
