/* The terms of a syndicated-loan book and the deployment rules they are
 * checked against.
 *
 * Pure code: no I/O and no clock; callers pass the time in. Money is an
 * int64_t count of fen, rates and shares are integer basis points, and no
 * floating point is used anywhere. Every check that can fail returns a
 * synd_code and writes into st a message that says what is wrong and names
 * the rule, e.g. "... (rule: sole-lead hold)". */
#ifndef SYND_BOOK_TERMS_H
#define SYND_BOOK_TERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synd/status.h"

#define BOOK_BPS          10000 /* basis points in a whole */
#define BOOK_MAX_ID       64    /* bank id buffer, as the registry's REGISTRY_MAX_ID */
#define BOOK_USCC_LEN     18    /* characters in a unified social credit code */
#define BOOK_INDUSTRY_MAX 8     /* "C1311" and its NUL fit */
#define BOOK_MAX_LEADS    8     /* lead array size; rules.max_leads may be lower */
#define BOOK_MAX_FEES     8     /* fees a book may list (at most one per kind passes) */
#define BOOK_MAX_TIE_INS  8     /* tie-in conditions a request may carry */
#define BOOK_MAX_LABEL    64    /* a fee's or condition's text, with its NUL */

/* The largest facility a book may raise: ¥10 trillion. Far above any real
 * loan, and low enough that every product the allocation forms (units times
 * units times bank count) is exact in 128 bits. */
#define BOOK_MAX_FACILITY_FEN 1000000000000000LL

/* Deployment settings. Every percentage is in basis points of the facility.
 * Start from book_rules_default() and change what the deployment needs. */
typedef struct book_rules {
    int32_t sole_lead_min_bps;   /* a sole lead's final hold, at least (1500) */
    int32_t co_lead_min_bps;     /* each lead's final hold with co-leads (1000) */
    int32_t others_min_bps;      /* left to banks other than the leads (3000) */
    int32_t single_bank_max_bps; /* any one bank's share, at most (7000) */
    int64_t default_unit_fen;    /* allocation unit a new book starts with (¥10,000) */
    int32_t max_leads;           /* leads per book, 1..BOOK_MAX_LEADS (BOOK_MAX_LEADS) */
    int32_t max_tenor_months;    /* longest tenor (360) */
    int32_t spread_min_bps;      /* lowest spread floor over the reference rate (-300) */
    int32_t spread_max_bps;      /* highest spread cap over the reference rate (1000) */
    int32_t fee_max_bps;         /* ceiling on an arrangement or commitment fee (500) */
    int64_t max_open_ms;         /* longest a book may stay open (90 days) */
    unsigned fee_kinds;          /* whitelist: bit (1u << kind) per allowed book_fee_kind */
} book_rules;

typedef enum book_ref_rate {
    BOOK_LPR_1Y = 1, /* one-year loan prime rate */
    BOOK_LPR_5Y = 2  /* over-five-year loan prime rate */
} book_ref_rate;

typedef enum book_method {
    BOOK_PRO_RATA = 1,      /* every bid scaled by one ratio (the default) */
    BOOK_PRICE_PRIORITY = 2 /* lowest spread first, one clearing spread */
} book_method;

typedef enum book_shortfall {
    BOOK_UNDERWRITTEN = 1, /* the leads take what the others did not */
    BOOK_BEST_EFFORTS = 2  /* the facility shrinks to what was raised */
} book_shortfall;

/* What a fee is charged for. Only the first three can ever pass; OTHER
 * carries anything else a lead wrote, so it can be refused by name. */
typedef enum book_fee_kind {
    BOOK_FEE_ARRANGEMENT = 1, /* one-off, in bps of the facility */
    BOOK_FEE_COMMITMENT = 2,  /* bps a year on the undrawn amount */
    BOOK_FEE_AGENCY = 3,      /* a fixed sum a year */
    BOOK_FEE_OTHER = 4
} book_fee_kind;

/* How a fee is expressed. RATE_ADD_ON (bps added to the interest rate) is
 * never allowed: it hides a fee in the price. */
typedef enum book_fee_basis {
    BOOK_BASIS_ONE_OFF_BPS = 1,  /* bps of the facility, once */
    BOOK_BASIS_UNDRAWN_BPS = 2,  /* bps a year of the undrawn amount */
    BOOK_BASIS_FIXED_YEARLY = 3, /* fen a year */
    BOOK_BASIS_RATE_ADD_ON = 4   /* bps on top of the loan's rate */
} book_fee_basis;

typedef struct book_fee {
    book_fee_kind kind;
    book_fee_basis basis;
    int32_t bps;                /* for the bps bases */
    int64_t fen;                /* for BOOK_BASIS_FIXED_YEARLY */
    char label[BOOK_MAX_LABEL]; /* the lead's own name for it, quoted in refusals */
} book_fee;

/* A lead arranger and the amount it commits to hold itself. */
typedef struct book_lead {
    char bank_id[BOOK_MAX_ID];
    int64_t hold_fen;
} book_lead;

/* Everything a lead bank sets when it opens a book. */
typedef struct book_terms {
    char borrower[BOOK_USCC_LEN + 1]; /* unified social credit code */
    char industry[BOOK_INDUSTRY_MAX]; /* GB/T 4754-2017 code, e.g. "C3011" */
    int64_t facility_fen;             /* amount raised, leads included */
    int64_t unit_fen;                 /* allocation unit; every amount a multiple */
    int32_t tenor_months;
    book_ref_rate ref_rate;
    int32_t spread_floor_bps; /* price talk band over the reference rate */
    int32_t spread_cap_bps;
    int64_t min_ticket_fen; /* smallest participant share */
    int64_t close_ms;       /* unix ms; bids are taken before it */
    size_t n_leads;
    book_lead leads[BOOK_MAX_LEADS];
    size_t n_fees;
    book_fee fees[BOOK_MAX_FEES];
    size_t n_tie_ins; /* any tie-in condition is refused */
    char tie_ins[BOOK_MAX_TIE_INS][BOOK_MAX_LABEL];
    book_method method;
    book_shortfall shortfall;
    int64_t borrower_min_fen; /* best efforts only: least the borrower accepts */
} book_terms;

/* The rules of the 2024 syndicated-loan measures, as given in the design:
 * sole lead >= 15%, co-leads >= 10% each, others >= 30%, any bank <= 70%,
 * unit ¥10,000, fee whitelist {arrangement, commitment, agency}. */
book_rules book_rules_default(void);

/* Checks that a deployment's settings make sense together (each percentage
 * within 0..100%, a sole lead's minimum not above the single-bank cap, ...).
 * Returns SYND_OK, or SYND_INVALID_ARGUMENT naming the setting. */
synd_code book_rules_check(const book_rules *r, synd_status *st);

/* Clears t and fills the defaults a lead would otherwise repeat: the
 * deployment's unit, pro-rata allocation, underwritten shortfall. */
void book_terms_init(book_terms *t, const book_rules *r);

/* Checks every term of a book being opened at now_ms against rules r.
 * Returns SYND_OK or SYND_INVALID_ARGUMENT with the first rule broken. */
synd_code book_terms_check(const book_rules *r, const book_terms *t, int64_t now_ms,
                           synd_status *st);

/* Returns the index of bank_id among t's leads, or -1 if it is not a lead. */
int book_lead_index(const book_terms *t, const char *bank_id);

/* Names used on the wire, in files and on the command line ("LPR_5Y",
 * "PRO_RATA", "BEST_EFFORTS", "arrangement", "one_off_bps"). A value
 * outside its enum names as "?". */
const char *book_ref_rate_name(book_ref_rate v);
const char *book_method_name(book_method v);
const char *book_shortfall_name(book_shortfall v);
const char *book_fee_kind_name(book_fee_kind v);
const char *book_fee_basis_name(book_fee_basis v);

/* Parse those names back. Return 0 and set *v, or -1 if name is unknown. */
int book_ref_rate_parse(const char *name, book_ref_rate *v);
int book_method_parse(const char *name, book_method *v);
int book_shortfall_parse(const char *name, book_shortfall *v);
int book_fee_basis_parse(const char *name, book_fee_basis *v);

/* Any fee name that is not on the whitelist is BOOK_FEE_OTHER: the caller
 * keeps the name as the fee's label so that the refusal can quote it. */
book_fee_kind book_fee_kind_parse(const char *name);

#endif
