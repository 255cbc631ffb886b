/* syndctl's internals: what main.c and the files of each command group
 * share. Not installed; nothing here is part of libsynd. */
#ifndef SYNDCTL_CTL_H
#define SYNDCTL_CTL_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "synd/synd.h"
#include "synd/v1/syndication.pb-c.h"

typedef struct command command;

/* The global flags and the broker connection, made on the first call so
 * that a command checks its own arguments before anything else. */
typedef struct ctl {
    const char *endpoint, *server_key, *key;
    int insecure;
    int64_t timeout_ms;
    synd_client *client;
    const command *cmd; /* the command running, for its usage line */
    synd_code last;     /* the status of the last call */
} ctl;

/* One command: "health" (group NULL) or "book open" (group "book"). run
 * gets the arguments from the command's last word on, as argv[0]. */
struct command {
    const char *group, *name, *args, *help;
    int (*run)(ctl *c, int argc, char **argv);
    const char *detail; /* further usage text, or NULL */
};

/* main.c */

/* Prints a failed call's status as "syndctl: CODE: message"; returns 1. */
int ctl_fail(const synd_status *st);

/* ctl_fail() for want of memory. */
int ctl_oom(void);

/* Prints "syndctl: WHY" (when fmt is not NULL) and the running command's
 * usage line to stderr; returns 2, the exit code of a usage error. */
int ctl_usage_error(ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the running command's usage and detail to out. */
void ctl_usage(const ctl *c, FILE *out);

/* Connects on first use. Returns 0, or the exit code after printing why. */
int ctl_connect(ctl *c);

/* A unary call with the global timeout: connects if needed, and on
 * failure prints the status and keeps its code in c->last. reply points to the reply message
 * pointer, to be freed with protobuf_c_message_free_unpacked. Returns 0 or the exit code.
 * idempotency_key may be NULL. */
int ctl_call(ctl *c, const char *method, const ProtobufCMessage *request,
             const ProtobufCMessageDescriptor *reply_type, void *reply,
             const char *idempotency_key);

/* The one argument after the command word, or NULL with *rc the exit
 * code: 0 after printing the usage for --help, 2 after a usage error. */
const char *ctl_one_arg(ctl *c, int argc, char **argv, int *rc);

/* parse.c: pure helpers for command-line values. */

/* The message for a getopt_long result of '?' or ':' (unknown option or
 * missing value; optstring must start with ':'), into st. */
void ctl_opt_error(int opt, char **argv, synd_status *st);

/* Parses a whole decimal number within [min, max]; what names the value
 * in the message ("--tenor"). Returns 0, or -1 with st set. */
int ctl_parse_int(const char *what, const char *text, int64_t min, int64_t max, int64_t *v,
                  synd_status *st);

/* As ctl_parse_int for an int32_t field. */
int ctl_parse_i32(const char *what, const char *text, int32_t *v, synd_status *st);

/* Parses a non-negative amount with synd_money_parse, its message prefixed
 * by what. */
int ctl_parse_money(const char *what, const char *text, int64_t *fen, synd_status *st);

/* table.c: column-aligned text tables, measured in terminal columns so that
 * "¥" and Chinese names line up. */

typedef struct ctl_table ctl_table;

/* A table with ncols columns, their headings, and an alignment per column:
 * 'l' or 'r' ("lrrr"). Returns NULL when out of memory. */
ctl_table *ctl_table_new(size_t ncols, const char *const *heads, const char *align);

/* Adds a row of ncols cells, copied. Running out of memory is remembered
 * and reported by ctl_table_print(). */
void ctl_table_add(ctl_table *t, const char *const *cells);

/* Prints the headings, a rule and the rows. Returns 0, or -1 (printing
 * nothing) if a row was lost for want of memory. */
int ctl_table_print(const ctl_table *t, FILE *out);

void ctl_table_free(ctl_table *t);

/* The columns a UTF-8 string takes on a terminal: East Asian wide and
 * fullwidth characters take two. */
size_t ctl_text_width(const char *s);

/* part / whole as a percentage with two decimals, rounded down, in integer
 * arithmetic: "15.00%"; "-" when whole is not positive. */
char *ctl_pct(int64_t part, int64_t whole, char *out, size_t len);

/* A unix-ms time as "2025-01-31 09:30:00 UTC"; "-" for 0. */
char *ctl_time(int64_t ms, char *out, size_t len);

/* terms.c: the terms of a book, from flags or a libconfig terms file.
 * Every flag has a file setting of the same name, '-' written '_'; the
 * repeatable flags (lead, fee, tie-in) are lists of strings in the file.
 * Flags override the file; a repeated flag replaces the file's whole
 * list. */

/* The option and setting text of book open's usage. */
extern const char ctl_terms_help[];

/* A new, empty BookTerms on the heap (proto defaults: the broker's unit,
 * pro-rata, underwritten), or NULL when out of memory. Free it with
 * ctl_terms_free(). */
Synd__V1__BookTerms *ctl_terms_new(void);

void ctl_terms_free(Synd__V1__BookTerms *t);

/* Reads a terms file into t, over what t holds. close_in counts from
 * now_ms. Returns 0, or -1 with SYND_INVALID_ARGUMENT in st naming
 * "file:line: setting" and what is wrong. */
int ctl_terms_read_file(Synd__V1__BookTerms *t, const char *path, int64_t now_ms, synd_status *st);

/* Parses book open's arguments (argv[0] is the command word): reads
 * --file first, then applies every flag over it. Returns 0; 1 for --help;
 * -1 with the reason in st. */
int ctl_terms_from_args(Synd__V1__BookTerms *t, int argc, char **argv, int64_t now_ms,
                        synd_status *st);

/* "BANK:HOLD", e.g. "ICBC:450m". Returns a new LeadHold (free with
 * protobuf_c_message_free_unpacked), or NULL with st set. */
Synd__V1__LeadHold *ctl_lead_parse(const char *text, synd_status *st);

/* "KIND:BASIS:VALUE", e.g. "arrangement:one_off_bps:25" or
 * "agency:fixed_yearly:500k": VALUE is bps, or yuan for fixed_yearly.
 * The kind is passed on as written, so the broker can refuse one that is
 * not on its whitelist by name. Returns a new Fee, or NULL with st set. */
Synd__V1__Fee *ctl_fee_parse(const char *text, synd_status *st);

/* The commands, one file per group. */
int ctl_health(ctl *c, int argc, char **argv);
int ctl_methods(ctl *c, int argc, char **argv);
int ctl_whoami(ctl *c, int argc, char **argv);
int ctl_keygen(ctl *c, int argc, char **argv);
int ctl_book_open(ctl *c, int argc, char **argv);
int ctl_book_close(ctl *c, int argc, char **argv);
int ctl_book_cancel(ctl *c, int argc, char **argv);
int ctl_book_show(ctl *c, int argc, char **argv);
int ctl_book_allocation(ctl *c, int argc, char **argv);
int ctl_book_repay(ctl *c, int argc, char **argv);
int ctl_bid_submit(ctl *c, int argc, char **argv);
int ctl_bid_withdraw(ctl *c, int argc, char **argv);
int ctl_headroom(ctl *c, int argc, char **argv);
int ctl_bank_put(ctl *c, int argc, char **argv);
int ctl_bank_list(ctl *c, int argc, char **argv);
int ctl_borrower_put(ctl *c, int argc, char **argv);
int ctl_borrower_list(ctl *c, int argc, char **argv);

#endif
