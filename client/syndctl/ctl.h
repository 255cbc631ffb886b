/* syndctl's internals: what main.c and the files of each command group
 * share. Not installed; nothing here is part of libsynd. */
#ifndef SYNDCTL_CTL_H
#define SYNDCTL_CTL_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "synd/audit.h"
#include "synd/synd.h"
#include "synd/v1/supervision.pb-c.h"
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

/* chain.c: the audit trail's hash chain (synd/audit.h), checked record
 * by record in the trail's order. Set the base from the first page, feed
 * every record to ctl_chain_add()
 * until it finds something, then call ctl_chain_end() with the chain's
 * head read after the last record. A broken link or end is explained by
 * a second pass over the trail: if ctl_chain_needs_locate(), feed every
 * record to ctl_chain_locate(). ctl_chain_describe() then says what was
 * found, naming the records. */

#define CTL_CHAIN_ID_LEN 48 /* a stream id, "<ms>-<seq>", at most 41 */

typedef enum ctl_chain_finding {
    CTL_CHAIN_INTACT = 0,
    CTL_CHAIN_MODIFIED, /* at_id's content and prev do not give its hash */
    CTL_CHAIN_BROKEN,   /* at_id's prev is not the hash of before_id (or the base) */
    CTL_CHAIN_TAIL,     /* the head is not the hash of the last record, before_id */
    CTL_CHAIN_ANCHOR    /* the anchored record is missing, or has another hash */
} ctl_chain_finding;

typedef struct ctl_chain {
    size_t n;                            /* records found intact */
    char expect[SYND_AUDIT_HASH_LEN];    /* the prev the next record must have */
    char last_id[CTL_CHAIN_ID_LEN];      /* the last record found intact */
    const char *anchor_id, *anchor_hash; /* a record known beforehand; NULL: none */
    int anchor_seen;
    ctl_chain_finding finding;        /* the first one */
    char at_id[CTL_CHAIN_ID_LEN];     /* the record it is at */
    char before_id[CTL_CHAIN_ID_LEN]; /* the record before it; "" at the start */
    char want[SYND_AUDIT_HASH_LEN];   /* the hash a broken link or end points to */
    char found_id[CTL_CHAIN_ID_LEN];  /* the record that has it; "" none */
} ctl_chain;

/* Starts a check. With anchor_id, the record of that stream id must be
 * in the trail with the hash anchor_hash (both borrowed). */
void ctl_chain_init(ctl_chain *c, const char *anchor_id, const char *anchor_hash);

/* Sets the prev the trail's oldest record must have (the reply's
 * base_hash; SYND_AUDIT_GENESIS until set). */
void ctl_chain_base(ctl_chain *c, const char *base);

/* Checks the next record. Returns 0, or -1 once there is a finding. */
int ctl_chain_add(ctl_chain *c, const Synd__V1__AuditRecord *r);

/* Checks the end against the chain's head. Returns 0 if the whole chain
 * is intact, else -1. */
int ctl_chain_end(ctl_chain *c, const char *head);

/* Whether the finding needs the second pass, and its step. */
int ctl_chain_needs_locate(const ctl_chain *c);
void ctl_chain_locate(ctl_chain *c, const Synd__V1__AuditRecord *r);

/* The outcome as one line: "chain intact: N records, head H (record ID)",
 * or what was found, naming the records. */
void ctl_chain_describe(const ctl_chain *c, char *out, size_t len);

/* Orders two stream ids as Redis does (by time, then sequence); ids that
 * are not stream ids compare as text. */
int ctl_chain_id_cmp(const char *a, const char *b);

/* The commands, one file per group. */
int ctl_health(ctl *c, int argc, char **argv);
int ctl_methods(ctl *c, int argc, char **argv);
int ctl_whoami(ctl *c, int argc, char **argv);
int ctl_keygen(ctl *c, int argc, char **argv);
int ctl_key_list(ctl *c, int argc, char **argv);
int ctl_key_add(ctl *c, int argc, char **argv);
int ctl_key_revoke(ctl *c, int argc, char **argv);
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
int ctl_audit_verify(ctl *c, int argc, char **argv);
int ctl_audit_show(ctl *c, int argc, char **argv);

#endif
