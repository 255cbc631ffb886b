/* Per-bank token buckets and stream counts. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/quota.h"

#define MILLI 1000 /* a request, in thousandths */

struct quota_bank {
    quota_bank *next;
    char bank_id[REGISTRY_MAX_ID];
    quota_bucket bucket;
    int64_t streams;
    int noticed;         /* a rate refusal was recorded ... */
    int64_t notice_ms;   /* ... at this time */
    uint64_t unrecorded; /* rate refusals since, not recorded */
};

struct quota {
    quota_opts o;
    quota_bank *banks;
};

int64_t quota_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void quota_bucket_init(quota_bucket *b, const quota_opts *o, int64_t now_ms)
{
    b->milli = o->burst * MILLI;
    b->last_ms = now_ms;
}

int quota_bucket_take(quota_bucket *b, const quota_opts *o, int64_t now_ms)
{
    int64_t cap = o->burst * MILLI, elapsed = now_ms - b->last_ms;

    if (o->rate <= 0)
        return 1;
    if (elapsed > 0) {
        /* Long enough to fill the bucket whatever it held: no product
         * of a long gap and the rate is formed, so nothing overflows. */
        if (elapsed > cap / o->rate)
            b->milli = cap;
        else
            b->milli = b->milli + elapsed * o->rate < cap ? b->milli + elapsed * o->rate : cap;
    }
    if (elapsed != 0) /* a clock that went back restarts from now */
        b->last_ms = now_ms;
    if (b->milli < MILLI)
        return 0;
    b->milli -= MILLI;
    return 1;
}

quota *quota_new(const quota_opts *o)
{
    quota *q = calloc(1, sizeof(*q));

    if (q != NULL)
        q->o = *o;
    return q;
}

void quota_free(quota *q)
{
    if (q == NULL)
        return;
    while (q->banks) {
        quota_bank *next = q->banks->next;
        free(q->banks);
        q->banks = next;
    }
    free(q);
}

quota_bank *quota_bank_of(quota *q, const char *bank_id, int64_t now_ms)
{
    quota_bank *b;

    for (b = q->banks; b; b = b->next) {
        if (strncmp(b->bank_id, bank_id, sizeof(b->bank_id)) == 0)
            return b;
    }
    if ((b = calloc(1, sizeof(*b))) == NULL)
        return NULL;
    strncpy(b->bank_id, bank_id, sizeof(b->bank_id) - 1);
    quota_bucket_init(&b->bucket, &q->o, now_ms);
    b->next = q->banks;
    q->banks = b;
    return b;
}

synd_code quota_take(quota *q, quota_bank *b, int64_t now_ms, synd_status *st)
{
    if (quota_bucket_take(&b->bucket, &q->o, now_ms))
        return SYND_OK;
    if (b->bank_id[0] == '\0')
        return synd_status_set(st, SYND_RESOURCE_EXHAUSTED,
                               "anonymous callers are over their shared request rate quota of "
                               "%lld a second (burst %lld); slow down and retry (rule: request "
                               "rate quota)",
                               (long long)q->o.rate, (long long)q->o.burst);
    return synd_status_set(st, SYND_RESOURCE_EXHAUSTED,
                           "bank %s is over its request rate quota of %lld a second (burst %lld); "
                           "slow down and retry (rule: request rate quota)",
                           b->bank_id, (long long)q->o.rate, (long long)q->o.burst);
}

int quota_notice_due(quota_bank *b, int64_t now_ms, uint64_t *unrecorded)
{
    if (b->noticed && now_ms - b->notice_ms < QUOTA_NOTICE_MS && now_ms >= b->notice_ms) {
        b->unrecorded++;
        return 0;
    }
    *unrecorded = b->unrecorded;
    b->unrecorded = 0;
    b->noticed = 1;
    b->notice_ms = now_ms;
    return 1;
}

synd_code quota_stream_open(quota *q, quota_bank *b, synd_status *st)
{
    if (q->o.streams > 0 && b->streams >= q->o.streams)
        return synd_status_set(st, SYND_RESOURCE_EXHAUSTED,
                               "%s%s holds %lld open streams, its quota; end one before opening "
                               "another (rule: open stream quota)",
                               b->bank_id[0] ? "bank " : "",
                               b->bank_id[0] ? b->bank_id : "anonymous", (long long)b->streams);
    b->streams++;
    return SYND_OK;
}

void quota_stream_close(quota_bank *b)
{
    if (b->streams > 0)
        b->streams--;
}

int64_t quota_streams(const quota_bank *b)
{
    return b->streams;
}
