/* What the ledger's modules share and the rest of the broker does not:
 * the raw command path, the FCALL (and plain command) plumbing of books.c
 * and registry.c, and the embedded Functions library. */
#ifndef SYND_LEDGER_INTERNAL_H
#define SYND_LEDGER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "ledger/books.h"
#include "ledger/ledger.h"

/* broker/ledger/synd.lua, embedded by cmake/embed.cmake. */
extern const char ledger_lua_synd[];
extern const size_t ledger_lua_synd_len;

/* The audit trail's queue of appends (trail.c), one per ledger. */
typedef struct ledger_trail ledger_trail;

/* A queue for l. NULL if memory ran out. */
ledger_trail *ledger_trail_new(ledger *l);

/* Fails every append still queued (UNAVAILABLE) and frees t. Free the
 * ledger's connection first, so that the append in flight fails too. */
void ledger_trail_free(ledger_trail *t);

/* The queue of l. */
ledger_trail *ledger_trail_of(ledger *l);

/* Queues one command, each argument binary-safe with its length. Returns 0
 * if queued (fn then runs exactly once, with a NULL reply if the
 * connection goes first), or -1 if Redis is not up (fn does not run). */
int ledger_send(ledger *l, redisCallbackFn *fn, void *privdata, int argc, const char **argv,
                const size_t *argvlen);

/* One call waiting for its reply: who to tell (no one if cb is NULL),
 * how to read the reply, and the storage the result points into until the
 * callback returns. */
typedef struct ledger_call ledger_call;

/* Reads a successful reply into out, pointing into r and c. Returns
 * SYND_OK, SYND_INTERNAL if r is not of the shape the function returns,
 * or SYND_RESOURCE_EXHAUSTED if memory ran out. */
typedef synd_code (*ledger_parse_fn)(ledger_call *c, const redisReply *r, ledger_result *out);

struct ledger_call {
    ledger_cb cb;
    void *arg;
    ledger_parse_fn parse;
    const char *fn;       /* the function's name, for messages */
    const char *names[3]; /* the caller's ids the result names, copied */
    void *items;          /* an array the result points to, or NULL */
    union {
        ledger_book book;
        ledger_bid bid;
        ledger_bank bank;
        ledger_borrower borrower;
        ledger_positions positions;
    } one; /* the single record a result points to */
};

/* A call for cb (NULL: the reply is read and dropped) with copies of up
 * to three ids (NULL for none). NULL if memory ran out. */
ledger_call *ledger_call_new(ledger_cb cb, void *arg, ledger_parse_fn parse, const char *name0,
                             const char *name1, const char *name2);

/* A zeroed array of n records of size bytes, freed with c after the
 * callback; a parser asks for one at most. NULL if memory ran out. */
void *ledger_call_items(ledger_call *c, size_t n, size_t size);

/* An FCALL (or FCALL_RO) being built: the function, its one routing key
 * and its arguments; or a plain command and its arguments. */
typedef struct ledger_fcall ledger_fcall;

/* Starts a call of fn (a string literal: the call keeps the pointer) with
 * room for argc arguments; the routing key is route0, route1 and route2
 * joined (NULL for ""). NULL if memory ran out; the adders below and
 * ledger_fcall_send() accept that NULL. */
ledger_fcall *ledger_fcall_new(const char *fn, int read_only, int argc, const char *route0,
                               const char *route1, const char *route2);

/* Starts a plain Redis command cmd (a string literal: the call keeps the
 * pointer, and names the command in messages) with room for argc
 * arguments after it. NULL if memory ran out. */
ledger_fcall *ledger_command_new(const char *cmd, int argc);

/* Adds an argument: a string (NULL for ""), bytes, or a decimal int64. */
void ledger_fcall_str(ledger_fcall *f, const char *s);
void ledger_fcall_bytes(ledger_fcall *f, const void *p, size_t len);
void ledger_fcall_i64(ledger_fcall *f, int64_t v);

/* Sends f for c and frees f. Returns 0 if queued (c->cb then runs once and
 * c is freed after it), or -1 if Redis is not up or f or c is NULL (c is
 * freed and its cb does not run). */
int ledger_fcall_send(ledger *l, ledger_fcall *f, ledger_call *c);

/* Element i of an array reply as a string, or NULL if it is not one. */
const char *ledger_reply_str(const redisReply *r, size_t i);

/* Reads a decimal int64 at the start of s (no blanks, no '+') and points
 * *end past it. Returns 0, or -1 if there is none or it is out of range. */
int ledger_i64(const char *s, char **end, int64_t *out);

/* A string or integer reply as an int64. Returns 0, or -1 if it is not a
 * whole decimal number in range. */
int ledger_reply_i64(const redisReply *r, int64_t *out);

#endif
