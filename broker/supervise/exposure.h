/* Exposure figures for supervisors, from the ledger's list of exposures:
 * a borrower's lenders, a bank's clients and groups, and the rankings of
 * TopConcentrations.
 *
 * Pure code: no I/O. Every order is total and deterministic: a figure
 * first, then ids as tie-breaks, so the same exposures always give the
 * same answer. Results point into the exposures (and banks) given, so
 * they live as long as those. A figure that cannot be trusted (a negative
 * exposure, a sum past INT64_MAX) is SYND_INTERNAL; out of memory is
 * SYND_RESOURCE_EXHAUSTED. */
#ifndef SYND_SUPERVISE_EXPOSURE_H
#define SYND_SUPERVISE_EXPOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/books.h"
#include "synd/status.h"

/* A borrower's exposures summed across its lenders. */
typedef struct exposure_borrower {
    const char *borrower, *group;
    int64_t total_fen;
    int64_t joint_limit_fen; /* 0: none */
    int64_t use_bps;         /* total of the joint limit; 0 without one */
    int32_t lending_banks;   /* lenders with a positive exposure */
    int32_t hhi;             /* of the lenders' shares, 0..10,000 */
} exposure_borrower;

/* A sum of exposures under one id: a borrower, or a connected group. */
typedef struct exposure_total {
    const char *id;
    int64_t fen;
} exposure_total;

/* One bank's exposure to one borrower, as a ratio to its net capital. */
typedef struct exposure_pair {
    const char *bank, *borrower;
    int64_t fen;
    int64_t ratio_capital_bps;
} exposure_pair;

/* Sorts one borrower's lines: the largest exposure first, then by bank
 * id, then by borrower code. */
void exposure_sort_lines(const ledger_exposure **v, size_t n);

/* Sorts exposures by group, borrower and bank: the snapshot's order. */
void exposure_sort_ids(const ledger_exposure **v, size_t n);

/* One row per borrower of v[0..n), in *out (free() it), *n_out rows.
 * The joint limit is the largest the borrower's lines carry. Ordered as
 * supervisors rank them: borrowers with a joint limit first, by use of it
 * (highest first), then by total; those without one after, by total; ties
 * by borrower code. */
synd_code exposure_borrowers(const ledger_exposure *const *v, size_t n, exposure_borrower **out,
                             size_t *n_out, synd_status *st);

/* The sums of v[0..n) by borrower (by_group 0) or by group (1), in *out
 * (free() it), *n_out rows: the largest first, ties by id. */
synd_code exposure_totals(const ledger_exposure *const *v, size_t n, int by_group,
                          exposure_total **out, size_t *n_out, synd_status *st);

/* Every line of v[0..n) as a (bank, borrower) pair with its ratio to the
 * bank's net capital (0 for a bank not among banks[0..n_banks), or one
 * with no capital), in *out (free() it), n rows: the highest ratio first,
 * then the larger exposure, then by bank id and borrower code. */
synd_code exposure_pairs(const ledger_exposure *const *v, size_t n, const ledger_bank *banks,
                         size_t n_banks, exposure_pair **out, synd_status *st);

#endif
