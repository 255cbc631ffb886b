/* WatchBooks subscriber list and filters. */
#include <stdlib.h>
#include <string.h>

#include "book/industry.h"
#include "syndication/checks.h"
#include "syndication/watch.h"

typedef struct sub {
    rpc_call *call;
    char bank[BOOK_MAX_ID];
    Synd__V1__WatchBooksRequest *filter; /* an unpacked copy, owned */
} sub;

struct watch {
    sub *subs;
    size_t n, cap;
};

watch *watch_new(void)
{
    return calloc(1, sizeof(watch));
}

void watch_free(watch *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n; i++)
        synd__v1__watch_books_request__free_unpacked(w->subs[i].filter, NULL);
    free(w->subs);
    free(w);
}

/* Drops the subscription of a stream that ended. */
static void forget(rpc_call *call, void *arg)
{
    watch *w = arg;

    for (size_t i = 0; i < w->n; i++) {
        if (w->subs[i].call == call) {
            synd__v1__watch_books_request__free_unpacked(w->subs[i].filter, NULL);
            w->subs[i] = w->subs[--w->n];
            return;
        }
    }
}

/* Copies a message by packing and unpacking it: the request dies with
 * its call's first handler, the filter lives as long as the stream. */
static Synd__V1__WatchBooksRequest *copy_filter(const Synd__V1__WatchBooksRequest *f)
{
    size_t n = synd__v1__watch_books_request__get_packed_size(f);
    uint8_t *buf = malloc(n ? n : 1);
    Synd__V1__WatchBooksRequest *copy;

    if (buf == NULL)
        return NULL;
    synd__v1__watch_books_request__pack(f, buf);
    copy = synd__v1__watch_books_request__unpack(NULL, n, buf);
    free(buf);
    return copy;
}

synd_code watch_add(watch *w, rpc_call *call, const char *bank,
                    const Synd__V1__WatchBooksRequest *f, synd_status *st)
{
    sub *s;

    if (syndication_check_watch(f, st) != SYND_OK)
        return st->code;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        sub *grown = realloc(w->subs, cap * sizeof(*grown));
        if (grown == NULL)
            return synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        w->subs = grown;
        w->cap = cap;
    }
    s = &w->subs[w->n];
    if ((s->filter = copy_filter(f)) == NULL)
        return synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
    s->call = call;
    strncpy(s->bank, bank, sizeof(s->bank) - 1);
    s->bank[sizeof(s->bank) - 1] = '\0';
    w->n++;
    rpc_call_on_cancel(call, forget, w);
    return SYND_OK;
}

/* Whether book b passes filter f: industry (by GB/T 4754 prefix),
 * facility range and tenor range; an unset bound does not filter. */
static int matches(const Synd__V1__WatchBooksRequest *f, const catalog_book *b)
{
    int industry = f->n_industry_codes == 0;
    const book_terms *t = &b->terms;

    for (size_t i = 0; i < f->n_industry_codes && !industry; i++)
        industry = book_industry_matches(f->industry_codes[i], t->industry);
    return industry && t->facility_fen >= f->min_facility_fen &&
           (f->max_facility_fen == 0 || t->facility_fen <= f->max_facility_fen) &&
           t->tenor_months >= f->min_tenor_months &&
           (f->max_tenor_months == 0 || t->tenor_months <= f->max_tenor_months);
}

void watch_announce(watch *w, const catalog_book *b, const rpc_call *only_call)
{
    Synd__V1__BookEvent ev = SYND__V1__BOOK_EVENT__INIT;
    Synd__V1__Book book;

    catalog_wire_book(b, &book);
    ev.kind = SYND__V1__BOOK_EVENT__KIND__ANNOUNCED;
    ev.book = &book;
    for (size_t i = 0; i < w->n; i++) {
        const sub *s = &w->subs[i];
        if ((only_call == NULL || s->call == only_call) &&
            book_lead_index(&b->terms, s->bank) < 0 && matches(s->filter, b))
            rpc_call_reply(s->call, &ev.base);
    }
}

void watch_send_bank(watch *w, const char *bank, const Synd__V1__BookEvent *ev)
{
    for (size_t i = 0; i < w->n; i++) {
        if (strcmp(w->subs[i].bank, bank) == 0)
            rpc_call_reply(w->subs[i].call, &ev->base);
    }
}
