/* Splitting an amount among lenders in proportion to what each holds, as
 * a repayment of a syndicated loan is shared. Pure code. */
#ifndef SYND_BOOK_SPLIT_H
#define SYND_BOOK_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "synd/status.h"

/* Splits amount_fen over n weights (what each lender is owed) in whole
 * fen: each part is floor(amount * weight / total), and the fen left over
 * go one each to the largest remainders, ties to the lower index (callers
 * list lenders by bank id). No part exceeds its weight. Returns SYND_OK,
 * or INVALID_ARGUMENT if amount is not positive, a weight is negative, or
 * amount is more than the weights' total (rule: repay at most what is
 * outstanding). */
synd_code book_split_pro_rata(int64_t amount_fen, const int64_t *weights, size_t n, int64_t *out,
                              synd_status *st);

#endif
