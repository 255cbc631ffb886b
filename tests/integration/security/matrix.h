/* The authorization matrix as the security tests expect it: an
 * independent table, written from the policy rather than from
 * broker/rpc/authz.c, of which caller may call which method, and the
 * requests each cell is tried with. A cell marked n must be
 * PERMISSION_DENIED, a cell marked y anything else. */
#ifndef SYND_TEST_SECURITY_MATRIX_H
#define SYND_TEST_SECURITY_MATRIX_H

#include <stddef.h>

#include "sec.h"

/* The callers: the columns of the table. */
typedef enum mx_who { MX_ICBC, MX_CCB, MX_BOC, MX_CIB, MX_NFRA, MX_OPS, MX_ANON, MX_N_WHO } mx_who;

/* The cast member of each caller but the anonymous one. */
extern const bk_who mx_cast[MX_N_WHO - 1];

/* The rows: their number, and row r's full method name. */
size_t mx_rows(void);
const char *mx_method(size_t r);

/* The books the calls act on, all ICBC's. */
typedef struct mx_books {
    const char *open;      /* open; BOC-SH bid on it */
    const char *cancel;    /* open, for CancelBook */
    const char *close;     /* open, for CloseBook */
    const char *withdraw;  /* open; BOC-SH bid on it */
    const char *allocated; /* allocated: BOC-SH and CIB lend */
} mx_books;

/* Builds the requests every cell is tried with, valid so that an allowed
 * call is not refused for what it asks, on the books of b. */
void mx_build(const mx_books *b);

/* Calls row r's method as w on c and checks the cell. */
void mx_check_cell(size_t r, mx_who w, synd_client *c);

#endif
