/* Fair use: each bank's quotas on request rate and on open streams.
 *
 * The rate is a token bucket per bank, kept in thousandths of a request
 * so that integer arithmetic refills it exactly: rate tokens a second up
 * to burst, one per request. Streams are counted per bank. All banks'
 * keys share their bank's quotas; the anonymous callers of an --insecure
 * broker share one. Single-threaded, like the server that uses it. */
#ifndef SYND_RPC_QUOTA_H
#define SYND_RPC_QUOTA_H

#include <stdint.h>

#include "registry.h"
#include "synd/status.h"

#define QUOTA_RATE_DEFAULT    200  /* requests a second, per bank */
#define QUOTA_BURST_DEFAULT   400  /* requests at once, per bank */
#define QUOTA_STREAMS_DEFAULT 16   /* open streams, per bank */
#define QUOTA_NOTICE_MS       1000 /* rate refusals of a bank are recorded once a second */

/* The quotas; 0 turns one off. */
typedef struct quota_opts {
    int64_t rate;    /* requests a second */
    int64_t burst;   /* requests at once; at least 1 when rate is on */
    int64_t streams; /* open streams */
} quota_opts;

/* One token bucket. */
typedef struct quota_bucket {
    int64_t milli;   /* thousandths of a request available */
    int64_t last_ms; /* when it was last refilled */
} quota_bucket;

/* A full bucket at now_ms. */
void quota_bucket_init(quota_bucket *b, const quota_opts *o, int64_t now_ms);

/* Refills b for the time since it was last refilled (a clock that went
 * back refills nothing), then takes one request if there is one. Returns
 * 1 if taken, 0 if the bank is over its rate. Always 1 with rate 0. */
int quota_bucket_take(quota_bucket *b, const quota_opts *o, int64_t now_ms);

typedef struct quota quota;
typedef struct quota_bank quota_bank;

/* The quotas of every bank; NULL if out of memory. */
quota *quota_new(const quota_opts *o);
void quota_free(quota *q);

/* The entry of a bank ("" for anonymous callers), made on first use with
 * a full bucket. Entries live as long as q. NULL if out of memory. */
quota_bank *quota_bank_of(quota *q, const char *bank_id, int64_t now_ms);

/* Takes one request of b's rate. Returns SYND_OK, or RESOURCE_EXHAUSTED
 * naming the quota in st. */
synd_code quota_take(quota *q, quota_bank *b, int64_t now_ms, synd_status *st);

/* Whether a rate refusal of b at now_ms is one to record: the first of a
 * run, then one every QUOTA_NOTICE_MS, so that a flood does not become a
 * flood of records. Sets *unrecorded to the refusals skipped since the
 * last one recorded. */
int quota_notice_due(quota_bank *b, int64_t now_ms, uint64_t *unrecorded);

/* Opens one stream of b. Returns SYND_OK, or RESOURCE_EXHAUSTED naming
 * the quota when b holds its quota of streams. */
synd_code quota_stream_open(quota *q, quota_bank *b, synd_status *st);

/* Ends one stream of b. */
void quota_stream_close(quota_bank *b);

/* Streams b holds open. */
int64_t quota_streams(const quota_bank *b);

/* A monotonic clock in milliseconds: what buckets are refilled by, so
 * that a change of the wall clock neither starves nor floods a bank. */
int64_t quota_now_ms(void);

#endif
