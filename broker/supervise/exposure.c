/* Exposure figures for supervisors: sums, rankings and their orders. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "supervise/exposure.h"
#include "supervise/limits.h"

/* Orders int64 figures highest first, for comparators. */
static int desc(int64_t a, int64_t b)
{
    return a > b ? -1 : a < b;
}

static int cmp_lines(const void *pa, const void *pb)
{
    const ledger_exposure *a = *(const ledger_exposure *const *)pa;
    const ledger_exposure *b = *(const ledger_exposure *const *)pb;
    int c = desc(a->fen, b->fen);

    if (c == 0)
        c = strcmp(a->bank, b->bank);
    return c ? c : strcmp(a->borrower, b->borrower);
}

void exposure_sort_lines(const ledger_exposure **v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_lines);
}

static int cmp_ids(const void *pa, const void *pb)
{
    const ledger_exposure *a = *(const ledger_exposure *const *)pa;
    const ledger_exposure *b = *(const ledger_exposure *const *)pb;
    int c = strcmp(a->group, b->group);

    if (c == 0)
        c = strcmp(a->borrower, b->borrower);
    return c ? c : strcmp(a->bank, b->bank);
}

void exposure_sort_ids(const ledger_exposure **v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_ids);
}

/* By borrower, then bank: each borrower's lines in one run. */
static int cmp_borrower_bank(const void *pa, const void *pb)
{
    const ledger_exposure *a = *(const ledger_exposure *const *)pa;
    const ledger_exposure *b = *(const ledger_exposure *const *)pb;
    int c = strcmp(a->borrower, b->borrower);

    return c ? c : strcmp(a->bank, b->bank);
}

/* The ranking of TopConcentrations: see exposure_borrowers(). */
static int cmp_borrower_rows(const void *pa, const void *pb)
{
    const exposure_borrower *a = pa, *b = pb;
    int a_lim = a->joint_limit_fen > 0, b_lim = b->joint_limit_fen > 0;
    int c = b_lim - a_lim;

    if (c == 0 && a_lim)
        c = desc(a->use_bps, b->use_bps);
    if (c == 0)
        c = desc(a->total_fen, b->total_fen);
    return c ? c : strcmp(a->borrower, b->borrower);
}

static synd_code bad_figure(synd_status *st, const ledger_exposure *e)
{
    return synd_status_set(st, SYND_INTERNAL,
                           "exposure of bank %s to borrower %s (%" PRId64
                           " fen) is negative or its sum overflows; the ledger is inconsistent",
                           e->bank, e->borrower, e->fen);
}

static synd_code no_memory(synd_status *st)
{
    return synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
}

/* Fills row from the run v[0..n) of one borrower's lines; fens is room
 * for n figures. */
static synd_code borrower_row(const ledger_exposure *const *v, size_t n, int64_t *fens,
                              exposure_borrower *row, synd_status *st)
{
    *row = (exposure_borrower){.borrower = v[0]->borrower, .group = v[0]->group};
    for (size_t i = 0; i < n; i++) {
        if (v[i]->fen < 0 || __builtin_add_overflow(row->total_fen, v[i]->fen, &row->total_fen))
            return bad_figure(st, v[i]);
        if (v[i]->fen > 0)
            row->lending_banks++;
        if (v[i]->joint_limit_fen > row->joint_limit_fen)
            row->joint_limit_fen = v[i]->joint_limit_fen;
        fens[i] = v[i]->fen;
    }
    row->hhi = limit_hhi(fens, n);
    if (row->joint_limit_fen > 0)
        row->use_bps = limit_ratio_bps(row->total_fen, row->joint_limit_fen);
    return SYND_OK;
}

synd_code exposure_borrowers(const ledger_exposure *const *v, size_t n, exposure_borrower **out,
                             size_t *n_out, synd_status *st)
{
    const ledger_exposure **sorted = malloc((n ? n : 1) * sizeof(*sorted));
    int64_t *fens = malloc((n ? n : 1) * sizeof(*fens));
    exposure_borrower *rows = calloc(n ? n : 1, sizeof(*rows));
    size_t n_rows = 0;
    synd_code rc = SYND_OK;

    if (sorted == NULL || fens == NULL || rows == NULL) {
        rc = no_memory(st);
        goto out;
    }
    if (n > 0)
        memcpy(sorted, v, n * sizeof(*sorted));
    if (n > 1)
        qsort(sorted, n, sizeof(*sorted), cmp_borrower_bank);
    for (size_t i = 0, j; i < n && rc == SYND_OK; i = j) {
        for (j = i + 1; j < n && strcmp(sorted[j]->borrower, sorted[i]->borrower) == 0; j++)
            ;
        rc = borrower_row(sorted + i, j - i, fens, &rows[n_rows++], st);
    }
    if (rc == SYND_OK && n_rows > 1)
        qsort(rows, n_rows, sizeof(*rows), cmp_borrower_rows);
out:
    free(sorted);
    free(fens);
    if (rc != SYND_OK) {
        free(rows);
        rows = NULL;
        n_rows = 0;
    }
    *out = rows;
    *n_out = n_rows;
    return rc;
}

static int cmp_totals(const void *pa, const void *pb)
{
    const exposure_total *a = pa, *b = pb;
    int c = desc(a->fen, b->fen);

    return c ? c : strcmp(a->id, b->id);
}

static int cmp_total_ids(const void *pa, const void *pb)
{
    const exposure_total *a = pa, *b = pb;

    return strcmp(a->id, b->id);
}

synd_code exposure_totals(const ledger_exposure *const *v, size_t n, int by_group,
                          exposure_total **out, size_t *n_out, synd_status *st)
{
    exposure_total *rows = calloc(n ? n : 1, sizeof(*rows));
    size_t kept = 0;

    *out = NULL;
    *n_out = 0;
    if (rows == NULL)
        return no_memory(st);
    for (size_t i = 0; i < n; i++) {
        if (v[i]->fen < 0) {
            free(rows);
            return bad_figure(st, v[i]);
        }
        rows[i] = (exposure_total){by_group ? v[i]->group : v[i]->borrower, v[i]->fen};
    }
    /* Sorted by id, each id's lines are one run to sum. */
    if (n > 1)
        qsort(rows, n, sizeof(*rows), cmp_total_ids);
    for (size_t i = 0; i < n; i++) {
        if (kept > 0 && strcmp(rows[kept - 1].id, rows[i].id) == 0) {
            if (__builtin_add_overflow(rows[kept - 1].fen, rows[i].fen, &rows[kept - 1].fen)) {
                free(rows);
                return bad_figure(st, v[i]);
            }
        } else {
            rows[kept++] = rows[i];
        }
    }
    if (kept > 1)
        qsort(rows, kept, sizeof(*rows), cmp_totals);
    *out = rows;
    *n_out = kept;
    return SYND_OK;
}

static int cmp_pairs(const void *pa, const void *pb)
{
    const exposure_pair *a = pa, *b = pb;
    int c = desc(a->ratio_capital_bps, b->ratio_capital_bps);

    if (c == 0)
        c = desc(a->fen, b->fen);
    if (c == 0)
        c = strcmp(a->bank, b->bank);
    return c ? c : strcmp(a->borrower, b->borrower);
}

/* The net capital of bank id, or 0 if it is not among banks. */
static int64_t capital_of(const ledger_bank *banks, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(banks[i].bank_id, id) == 0)
            return banks[i].net_capital_fen;
    }
    return 0;
}

synd_code exposure_pairs(const ledger_exposure *const *v, size_t n, const ledger_bank *banks,
                         size_t n_banks, exposure_pair **out, synd_status *st)
{
    exposure_pair *rows = calloc(n ? n : 1, sizeof(*rows));

    *out = NULL;
    if (rows == NULL)
        return no_memory(st);
    for (size_t i = 0; i < n; i++) {
        if (v[i]->fen < 0) {
            free(rows);
            return bad_figure(st, v[i]);
        }
        rows[i] =
            (exposure_pair){v[i]->bank, v[i]->borrower, v[i]->fen,
                            limit_ratio_bps(v[i]->fen, capital_of(banks, n_banks, v[i]->bank))};
    }
    if (n > 1)
        qsort(rows, n, sizeof(*rows), cmp_pairs);
    *out = rows;
    return SYND_OK;
}
