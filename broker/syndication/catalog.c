/* The in-memory book index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syndication/catalog.h"
#include "syndication/convert.h"

struct catalog {
    catalog_book **books;
    size_t n, cap;
};

catalog *catalog_new(void)
{
    return calloc(1, sizeof(catalog));
}

static void book_free(catalog_book *b)
{
    if (b->wire)
        synd__v1__book_terms__free_unpacked(b->wire, NULL);
    free(b);
}

void catalog_free(catalog *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++)
        book_free(c->books[i]);
    free(c->books);
    free(c);
}

static int make_room(catalog *c)
{
    catalog_book **grown;
    size_t cap = c->cap ? 2 * c->cap : 64;

    if (c->n < c->cap)
        return 0;
    grown = realloc(c->books, cap * sizeof(*grown));
    if (grown == NULL)
        return -1;
    c->books = grown;
    c->cap = cap;
    return 0;
}

catalog_book *catalog_add(catalog *c, const char *id, const char *group, const char *lead,
                          book_state state, int64_t opened_ms, Synd__V1__BookTerms *wire,
                          const book_rules *rules, synd_status *st)
{
    catalog_book *b = calloc(1, sizeof(*b));

    if (b == NULL || make_room(c) != 0) {
        free(b);
        synd__v1__book_terms__free_unpacked(wire, NULL);
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        return NULL;
    }
    b->wire = wire;
    if (convert_terms(wire, rules, &b->terms, st) != SYND_OK) {
        book_free(b);
        return NULL;
    }
    snprintf(b->id, sizeof(b->id), "%s", id);
    snprintf(b->group, sizeof(b->group), "%s", group);
    snprintf(b->lead, sizeof(b->lead), "%s", lead);
    b->state = state;
    b->opened_ms = opened_ms;
    c->books[c->n++] = b;
    return b;
}

catalog_book *catalog_find(const catalog *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->books[i]->id, id) == 0)
            return c->books[i];
    }
    return NULL;
}

size_t catalog_count(const catalog *c)
{
    return c->n;
}

catalog_book *catalog_at(const catalog *c, size_t i)
{
    return c->books[i];
}

void catalog_wire_book(const catalog_book *b, Synd__V1__Book *out)
{
    synd__v1__book__init(out);
    out->book_id = (char *)b->id;
    out->lead_bank_id = (char *)b->lead;
    out->terms = b->wire;
    out->state = (Synd__V1__BookState)b->state;
    out->opened_ms = b->opened_ms;
    out->group_id = (char *)b->group;
}
