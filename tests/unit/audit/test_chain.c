/* syndctl's check of the audit chain (client/syndctl/chain.c) on trails
 * made here: intact, trimmed, and with a record modified, deleted or
 * moved, or the newest records gone. Each finding must name the right
 * records. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ctl.h"

#define N 6

typedef struct rec {
    Synd__V1__AuditRecord r;
    char id[CTL_CHAIN_ID_LEN];
    char object[16], detail[32];
    char prev[SYND_AUDIT_HASH_LEN], hash[SYND_AUDIT_HASH_LEN];
} rec;

static rec trail[N];
static char head[SYND_AUDIT_HASH_LEN];

/* A trail of N records chained from the genesis, as the broker writes
 * them; head is the last one's hash. */
static void make_trail(void)
{
    const char *prev = SYND_AUDIT_GENESIS;

    for (int i = 0; i < N; i++) {
        rec *t = &trail[i];
        synd_audit_fields f;

        synd__v1__audit_record__init(&t->r);
        snprintf(t->id, sizeof(t->id), "17000000000%02d-%d", i, i % 2);
        snprintf(t->object, sizeof(t->object), "BK-%d", i);
        snprintf(t->detail, sizeof(t->detail), i % 2 ? "refused %d" : "", i);
        snprintf(t->prev, sizeof(t->prev), "%s", prev);
        t->r.id = t->id;
        t->r.time_ms = 1700000000000LL + i;
        t->r.bank_id = "ICBC";
        t->r.role = "lead";
        t->r.method = "OpenBook";
        t->r.object = t->object;
        t->r.code = i % 2 ? 7 : 0;
        t->r.detail = t->detail;
        t->r.prev = t->prev;
        f = (synd_audit_fields){t->r.time_ms, t->r.bank_id, t->r.role,   t->r.method,
                                t->r.object,  t->r.code,    t->r.detail, t->r.prev};
        cr_assert_eq(synd_audit_hash(&f, t->hash), 0);
        t->r.hash = t->hash;
        prev = t->hash;
    }
    memcpy(head, trail[N - 1].hash, sizeof(head));
}

TestSuite(audit_chain, .init = make_trail);

/* Runs the check the way syndctl audit verify does over the records
 * listed (indexes into trail, -1 ends), with base, and the second pass
 * when the finding needs it. */
static void check(ctl_chain *c, const int *order, const char *base, const char *end_head)
{
    int stopped = 0;

    ctl_chain_base(c, base);
    for (const int *i = order; *i >= 0 && !stopped; i++)
        stopped = ctl_chain_add(c, &trail[*i].r) != 0;
    if (!stopped)
        ctl_chain_end(c, end_head);
    if (ctl_chain_needs_locate(c)) {
        for (const int *i = order; *i >= 0; i++)
            ctl_chain_locate(c, &trail[*i].r);
    }
}

/* The finding's sentence, checked to contain each needle. */
static void says(const ctl_chain *c, const char *const *needles)
{
    char line[1024];

    ctl_chain_describe(c, line, sizeof(line));
    for (const char *const *n = needles; *n; n++)
        cr_expect(strstr(line, *n) != NULL, "'%s' lacks '%s'", line, *n);
}

static const int ALL[] = {0, 1, 2, 3, 4, 5, -1};

Test(audit_chain, an_untouched_trail_is_intact)
{
    ctl_chain c;
    char count[32];

    ctl_chain_init(&c, NULL, NULL);
    check(&c, ALL, SYND_AUDIT_GENESIS, head);
    cr_assert_eq(c.finding, CTL_CHAIN_INTACT);
    cr_expect_eq(c.n, N);
    snprintf(count, sizeof(count), "chain intact: %d records", N);
    says(&c, (const char *[]){count, head, trail[N - 1].id, NULL});
}

Test(audit_chain, an_empty_trail_is_intact)
{
    static const int none[] = {-1};
    ctl_chain c;

    ctl_chain_init(&c, NULL, NULL);
    check(&c, none, SYND_AUDIT_GENESIS, SYND_AUDIT_GENESIS);
    cr_assert_eq(c.finding, CTL_CHAIN_INTACT);
    says(&c, (const char *[]){"chain intact: 0 records", NULL});
}

/* A trail trimmed to its newest records checks from the base: the hash
 * of the newest record trimmed away. */
Test(audit_chain, a_trimmed_trail_checks_from_its_base)
{
    static const int kept[] = {3, 4, 5, -1};
    ctl_chain c;

    ctl_chain_init(&c, NULL, NULL);
    check(&c, kept, trail[2].hash, head);
    cr_assert_eq(c.finding, CTL_CHAIN_INTACT);
    cr_expect_eq(c.n, 3);
}

Test(audit_chain, a_modified_field_names_its_record)
{
    const char *fields[] = {"detail", "bank", "time", "code", "prev"};

    for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
        ctl_chain c;

        make_trail();
        switch (k) {
        case 0:
            trail[3].r.detail = "nothing to see";
            break;
        case 1:
            trail[3].r.bank_id = "BOC-SH";
            break;
        case 2:
            trail[3].r.time_ms++;
            break;
        case 3:
            trail[3].r.code = 0;
            break;
        case 4:
            trail[3].r.prev = trail[1].hash;
            break;
        }
        ctl_chain_init(&c, NULL, NULL);
        check(&c, ALL, SYND_AUDIT_GENESIS, head);
        cr_expect_eq(c.finding, CTL_CHAIN_MODIFIED, "%s", fields[k]);
        cr_expect_str_eq(c.at_id, trail[3].id, "%s", fields[k]);
        cr_expect_eq(c.n, 3);
        says(&c, (const char *[]){"record", trail[3].id, "modified", NULL});
    }
}

Test(audit_chain, a_deleted_record_names_its_neighbours)
{
    static const int gap[] = {0, 1, 3, 4, 5, -1};
    ctl_chain c;

    ctl_chain_init(&c, NULL, NULL);
    check(&c, gap, SYND_AUDIT_GENESIS, head);
    cr_assert_eq(c.finding, CTL_CHAIN_BROKEN);
    cr_expect_str_eq(c.at_id, trail[3].id);
    cr_expect_str_eq(c.before_id, trail[1].id);
    cr_expect_str_eq(c.found_id, "");
    says(&c, (const char *[]){"deleted between record", trail[1].id, trail[3].id, NULL});
}

Test(audit_chain, a_deleted_first_record)
{
    static const int gap[] = {1, 2, 3, 4, 5, -1};
    ctl_chain c;

    ctl_chain_init(&c, NULL, NULL);
    check(&c, gap, SYND_AUDIT_GENESIS, head);
    cr_assert_eq(c.finding, CTL_CHAIN_BROKEN);
    cr_expect_str_eq(c.at_id, trail[1].id);
    says(&c, (const char *[]){"deleted before record", trail[1].id, "first", NULL});
}

Test(audit_chain, deleted_newest_records)
{
    static const int cut[] = {0, 1, 2, 3, -1};
    static const int none[] = {-1};
    ctl_chain c;

    ctl_chain_init(&c, NULL, NULL);
    check(&c, cut, SYND_AUDIT_GENESIS, head);
    cr_assert_eq(c.finding, CTL_CHAIN_TAIL);
    cr_expect_str_eq(c.before_id, trail[3].id);
    says(&c, (const char *[]){"deleted after record", trail[3].id, head, NULL});

    ctl_chain_init(&c, NULL, NULL);
    check(&c, none, SYND_AUDIT_GENESIS, head);
    cr_assert_eq(c.finding, CTL_CHAIN_TAIL);
    says(&c, (const char *[]){"every record was deleted", head, NULL});
}

/* Swapped contents under the same ids (an edit of the stream that keeps
 * every record's own hash right): the first moved record is named, with
 * the record it really follows. */
Test(audit_chain, swapped_records_are_out_of_order)
{
    Synd__V1__AuditRecord content = trail[1].r;
    ctl_chain c;

    /* Position 1 gets record 3's content, position 3 record 1's; each
     * keeps its stream id. */
    trail[1].r = trail[3].r;
    trail[3].r = content;
    trail[1].r.id = trail[1].id;
    trail[3].r.id = trail[3].id;
    ctl_chain_init(&c, NULL, NULL);
    check(&c, ALL, SYND_AUDIT_GENESIS, head);
    cr_assert_eq(c.finding, CTL_CHAIN_BROKEN);
    cr_expect_str_eq(c.at_id, trail[1].id);
    cr_expect_str_eq(c.before_id, trail[0].id);
    cr_expect_str_eq(c.found_id, trail[2].id); /* record 3's content follows record 2's */
    says(&c, (const char *[]){"record", trail[1].id, "out of order", trail[2].id, NULL});
}

/* A chain rewritten with fresh hashes from some record on checks as
 * intact by itself; a hash kept from before (an anchor) catches it. */
Test(audit_chain, an_anchor_catches_a_rewritten_chain)
{
    char anchored[SYND_AUDIT_HASH_LEN], old_head[SYND_AUDIT_HASH_LEN];
    const char *prev = SYND_AUDIT_GENESIS;
    ctl_chain c;

    snprintf(anchored, sizeof(anchored), "%s", trail[4].hash);
    snprintf(old_head, sizeof(old_head), "%s", head);
    ctl_chain_init(&c, trail[4].id, anchored);
    check(&c, ALL, SYND_AUDIT_GENESIS, head);
    cr_assert_eq(c.finding, CTL_CHAIN_INTACT, "the untouched chain has the anchored hash");

    /* Rewrite record 2 and rehash it and every record after it. */
    trail[2].r.detail = "rewritten";
    for (int i = 0; i < N; i++) {
        synd_audit_fields f;

        snprintf(trail[i].prev, sizeof(trail[i].prev), "%s", prev);
        f = (synd_audit_fields){trail[i].r.time_ms, trail[i].r.bank_id, trail[i].r.role,
                                trail[i].r.method,  trail[i].r.object,  trail[i].r.code,
                                trail[i].r.detail,  trail[i].r.prev};
        cr_assert_eq(synd_audit_hash(&f, trail[i].hash), 0);
        prev = trail[i].hash;
    }
    memcpy(head, trail[N - 1].hash, sizeof(head));
    cr_assert_str_neq(head, old_head);

    ctl_chain_init(&c, NULL, NULL);
    check(&c, ALL, SYND_AUDIT_GENESIS, head);
    cr_expect_eq(c.finding, CTL_CHAIN_INTACT, "without an anchor, a rewrite is not seen");

    ctl_chain_init(&c, trail[4].id, anchored);
    check(&c, ALL, SYND_AUDIT_GENESIS, head);
    cr_assert_eq(c.finding, CTL_CHAIN_ANCHOR);
    cr_expect_str_eq(c.at_id, trail[4].id);
    says(&c, (const char *[]){"record", trail[4].id, anchored, "rewritten", NULL});
}

Test(audit_chain, an_anchored_record_that_is_gone)
{
    static const int cut[] = {0, 1, 2, 3, -1};
    ctl_chain c;

    /* An id between two records, and one past the last. */
    ctl_chain_init(&c, "1700000000002-5", trail[2].hash);
    check(&c, ALL, SYND_AUDIT_GENESIS, head);
    cr_assert_eq(c.finding, CTL_CHAIN_ANCHOR);
    says(&c, (const char *[]){"anchored record 1700000000002-5 is not in the trail", NULL});

    ctl_chain_init(&c, trail[5].id, trail[5].hash);
    check(&c, cut, SYND_AUDIT_GENESIS, trail[3].hash);
    cr_assert_eq(c.finding, CTL_CHAIN_ANCHOR);
    says(&c, (const char *[]){trail[5].id, "not in the trail", NULL});
}

Test(audit_chain, stream_ids_order_as_in_redis)
{
    cr_expect_lt(ctl_chain_id_cmp("2-0", "10-0"), 0);
    cr_expect_lt(ctl_chain_id_cmp("5-3", "5-10"), 0);
    cr_expect_eq(ctl_chain_id_cmp("5-3", "5-3"), 0);
    cr_expect_gt(ctl_chain_id_cmp("6", "5-99"), 0);
    cr_expect_lt(ctl_chain_id_cmp("0-0", "1-0"), 0);
}
