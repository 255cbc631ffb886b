/* The leads of a book: who they are and what they hold. */
#include <string.h>

#include "book/internal.h"

int book_lead_index(const book_terms *t, const char *bank_id)
{
    size_t n = t->n_leads < BOOK_MAX_LEADS ? t->n_leads : BOOK_MAX_LEADS;

    for (size_t i = 0; i < n; i++) {
        if (strncmp(t->leads[i].bank_id, bank_id, BOOK_MAX_ID) == 0)
            return (int)i;
    }
    return -1;
}

int64_t book_leads_total(const book_terms *t)
{
    int64_t sum = 0;

    for (size_t i = 0; i < t->n_leads; i++)
        sum += t->leads[i].hold_fen; /* each <= facility, at most 8 of them */
    return sum;
}

/* Lead i's id: present, printable as a string, and not a repeat, since a
 * bank listed twice would count its hold twice toward the lead rules. */
static synd_code check_lead_id(const book_terms *t, size_t i, synd_status *st)
{
    const char *id = t->leads[i].bank_id;

    if (!book_text_ok(id, BOOK_MAX_ID))
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "lead %zu needs a bank id of 1 to %d characters (rule: leads)",
                               i + 1, BOOK_MAX_ID - 1);
    for (size_t j = 0; j < i; j++) {
        if (strcmp(t->leads[j].bank_id, id) == 0)
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "bank %s is listed twice as a lead (rule: leads)", id);
    }
    return SYND_OK;
}

/* Lead i's hold: whole units, within the facility, then the share rules. */
static synd_code check_lead_hold(const book_rules *r, const book_terms *t, size_t i,
                                 synd_status *st)
{
    const book_lead *l = &t->leads[i];

    if (l->hold_fen <= 0 || l->hold_fen > t->facility_fen)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "lead %s's hold %s must be positive and at most the facility %s "
                               "(rule: leads)",
                               l->bank_id, book_money(l->hold_fen).s,
                               book_money(t->facility_fen).s);
    if (l->hold_fen % t->unit_fen != 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "lead %s's hold %s is not a whole number of allocation units of %s "
                               "(rule: allocation unit)",
                               l->bank_id, book_money(l->hold_fen).s, book_money(t->unit_fen).s);
    return book_rule_lead_hold(r, t->facility_fen, t->n_leads, l->bank_id, l->hold_fen,
                               SYND_INVALID_ARGUMENT, st);
}

synd_code book_leads_check(const book_rules *r, const book_terms *t, synd_status *st)
{
    synd_code rc;

    if (t->n_leads < 1 || t->n_leads > (size_t)r->max_leads || t->n_leads > BOOK_MAX_LEADS)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "a book has 1 to %d leads, not %zu (rule: leads)", (int)r->max_leads,
                               t->n_leads);
    for (size_t i = 0; i < t->n_leads; i++) {
        if ((rc = check_lead_id(t, i, st)) || (rc = check_lead_hold(r, t, i, st)))
            return rc;
    }
    return book_rule_others(r, t->facility_fen, book_leads_total(t), SYND_INVALID_ARGUMENT, st);
}
