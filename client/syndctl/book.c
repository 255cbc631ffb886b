/* book open|close|cancel|show|allocation: a lead's view of its books, and
 * what a participant may see of one. */
#include <string.h>
#include <time.h>

#include "book/terms.h"
#include "ctl.h"

#define M_OPEN   "/synd.v1.Syndication/OpenBook"
#define M_CLOSE  "/synd.v1.Syndication/CloseBook"
#define M_CANCEL "/synd.v1.Syndication/CancelBook"
#define M_GET    "/synd.v1.Syndication/GetBook"
#define M_ALLOC  "/synd.v1.Syndication/GetAllocation"
#define M_REPAY  "/synd.v1.Syndication/RecordRepayment"

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "OPEN" for BOOK_OPEN: the wire name without its prefix. */
static const char *state_name(Synd__V1__BookState state)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&synd__v1__book_state__descriptor, (int)state);

    if (v == NULL)
        return "UNKNOWN";
    return strncmp(v->name, "BOOK_", 5) == 0 ? v->name + 5 : v->name;
}

/* The fees, one line each, as a lead wrote them. */
static void print_fees(const Synd__V1__BookTerms *t)
{
    char m[SYND_MONEY_LEN];

    for (size_t i = 0; i < t->n_fees; i++) {
        const Synd__V1__Fee *f = t->fees[i];
        if (f->basis == SYND__V1__FEE_BASIS__FIXED_YEARLY)
            printf("  fee         %s, %s a year\n", f->kind,
                   synd_money_format(f->fen, m, sizeof(m)));
        else
            printf("  fee         %s, %d bps (%s)\n", f->kind, f->bps,
                   book_fee_basis_name((book_fee_basis)f->basis));
    }
}

/* The terms and state of a book, one "  name  value" line each. */
static void print_book(const Synd__V1__Book *b)
{
    static const Synd__V1__BookTerms none = SYND__V1__BOOK_TERMS__INIT;
    const Synd__V1__BookTerms *t = b->terms ? b->terms : &none;
    char m1[SYND_MONEY_LEN], m2[SYND_MONEY_LEN], m3[SYND_MONEY_LEN], pct[32], when[48];
    book_method method = t->method ? (book_method)t->method : BOOK_PRO_RATA;
    book_shortfall shortfall = t->shortfall ? (book_shortfall)t->shortfall : BOOK_UNDERWRITTEN;

    printf("  state       %s\n", state_name(b->state));
    printf("  opened by   %s at %s\n", b->lead_bank_id, ctl_time(b->opened_ms, when, sizeof(when)));
    printf("  borrower    %s%s%s\n", t->borrower_code, b->group_id[0] ? ", group " : "",
           b->group_id);
    printf("  industry    %s\n", t->industry_code);
    printf("  project     %s\n", t->project);
    printf("  facility    %s in units of %s, minimum ticket %s\n",
           synd_money_format(t->facility_fen, m1, sizeof(m1)),
           t->unit_fen ? synd_money_format(t->unit_fen, m2, sizeof(m2)) : "the broker's default",
           synd_money_format(t->min_ticket_fen, m3, sizeof(m3)));
    printf("  tenor       %d months\n", t->tenor_months);
    printf("  price       %s + %d..%d bps\n", book_ref_rate_name((book_ref_rate)t->reference_rate),
           t->spread_floor_bps, t->spread_cap_bps);
    printf("  closes      %s\n", ctl_time(t->close_ms, when, sizeof(when)));
    for (size_t i = 0; i < t->n_leads; i++)
        printf("  lead        %s holds %s (%s)\n", t->leads[i]->bank_id,
               synd_money_format(t->leads[i]->hold_fen, m1, sizeof(m1)),
               ctl_pct(t->leads[i]->hold_fen, t->facility_fen, pct, sizeof(pct)));
    print_fees(t);
    for (size_t i = 0; i < t->n_tie_ins; i++)
        printf("  tie-in      %s\n", t->tie_ins[i]);
    printf("  allocation  %s, shortfall %s", book_method_name(method),
           book_shortfall_name(shortfall));
    if (shortfall == BOOK_BEST_EFFORTS)
        printf(", borrower takes at least %s",
               synd_money_format(t->borrower_min_fen, m1, sizeof(m1)));
    printf("\n");
}

/* The bids the caller may see: all of them for the lead, its own for a
 * participant. Returns the exit code. */
static int print_bids(const Synd__V1__Book *b)
{
    static const char *const heads[] = {"bank", "bid", "spread bps", "seq", "submitted"};
    char amount[SYND_MONEY_LEN], spread[16], seq[24], when[48];
    ctl_table *t;
    int rc;

    if (b->n_bids == 0) {
        printf("  bids        none visible\n");
        return 0;
    }
    t = ctl_table_new(5, heads, "lrrrl");
    if (t == NULL)
        return ctl_oom();
    for (size_t i = 0; i < b->n_bids; i++) {
        const Synd__V1__Bid *bid = b->bids[i];
        const char *row[] = {bid->bank_id,
                             synd_money_format(bid->amount_fen, amount, sizeof(amount)), spread,
                             seq, ctl_time(bid->submitted_ms, when, sizeof(when))};
        snprintf(spread, sizeof(spread), "%d", bid->spread_bps);
        snprintf(seq, sizeof(seq), "%llu", (unsigned long long)bid->seq);
        ctl_table_add(t, row);
    }
    printf("\nbids\n");
    rc = ctl_table_print(t, stdout) == 0 ? 0 : ctl_oom();
    ctl_table_free(t);
    return rc;
}

/* Adds v to *sum; a sum that would overflow is marked by *sum = -1. */
static void add_sum(int64_t *sum, int64_t v)
{
    if (*sum >= 0 && __builtin_add_overflow(*sum, v, sum))
        *sum = -1;
}

/* The allocation's summary lines, before its table. */
static void print_allocation_head(const Synd__V1__Allocation *a)
{
    char m[SYND_MONEY_LEN];

    printf("\nallocation   %s\n", state_name(a->state));
    if (a->reason[0] != '\0')
        printf("  reason      %s\n", a->reason);
    printf("  facility    %s\n", synd_money_format(a->facility_fen, m, sizeof(m)));
    if (a->clearing_spread_bps != 0)
        printf("  clearing    %d bps\n", a->clearing_spread_bps);
    if (a->shortfall_fen != 0)
        printf("  shortfall   %s\n", synd_money_format(a->shortfall_fen, m, sizeof(m)));
}

/* The allocation as a lead wants to read it: bank, bid, allocation, share
 * of the facility and spread, then a total; shared by book show, book
 * close and book allocation. Returns the exit code. */
static int print_allocation(const Synd__V1__Allocation *a)
{
    static const char *const heads[] = {"bank", "bid", "allocation", "share", "spread bps"};
    char name[96], asked[SYND_MONEY_LEN], alloc[SYND_MONEY_LEN], pct[32], spread[16];
    int64_t total_asked = 0, total_alloc = 0;
    ctl_table *t;
    int rc;

    print_allocation_head(a);
    if (a->n_shares == 0)
        return 0;
    t = ctl_table_new(5, heads, "lrrrr");
    if (t == NULL)
        return ctl_oom();
    for (size_t i = 0; i < a->n_shares; i++) {
        const Synd__V1__Share *s = a->shares[i];
        const char *row[] = {name, synd_money_format(s->asked_fen, asked, sizeof(asked)),
                             synd_money_format(s->alloc_fen, alloc, sizeof(alloc)),
                             ctl_pct(s->alloc_fen, a->facility_fen, pct, sizeof(pct)), spread};
        snprintf(name, sizeof(name), "%s%s", s->bank_id,
                 s->lead      ? " (lead)"
                 : s->dropped ? " (below min ticket)"
                              : "");
        /* A lead's hold is not a bid: it has no spread of its own. */
        if (s->lead && s->spread_bps == 0)
            snprintf(spread, sizeof(spread), "-");
        else
            snprintf(spread, sizeof(spread), "%d", s->spread_bps);
        ctl_table_add(t, row);
        add_sum(&total_asked, s->asked_fen);
        add_sum(&total_alloc, s->alloc_fen);
    }
    const char *total[] = {
        "total", total_asked < 0 ? "-" : synd_money_format(total_asked, asked, sizeof(asked)),
        total_alloc < 0 ? "-" : synd_money_format(total_alloc, alloc, sizeof(alloc)),
        total_alloc < 0 ? "-" : ctl_pct(total_alloc, a->facility_fen, pct, sizeof(pct)), ""};
    ctl_table_add(t, total);
    printf("\n");
    rc = ctl_table_print(t, stdout) == 0 ? 0 : ctl_oom();
    ctl_table_free(t);
    for (size_t i = 0; rc == 0 && i < a->n_shares; i++) {
        if (a->shares[i]->underwritten_fen != 0)
            printf("%s underwrote %s of the shortfall\n", a->shares[i]->bank_id,
                   synd_money_format(a->shares[i]->underwritten_fen, asked, sizeof(asked)));
    }
    return rc;
}

int ctl_book_open(ctl *c, int argc, char **argv)
{
    Synd__V1__OpenBookRequest req = SYND__V1__OPEN_BOOK_REQUEST__INIT;
    Synd__V1__OpenBookResponse *resp;
    synd_status st;
    int rc;

    req.terms = ctl_terms_new();
    if (req.terms == NULL)
        return ctl_oom();
    rc = ctl_terms_from_args(req.terms, argc, argv, now_ms(), &st);
    if (rc != 0) {
        ctl_terms_free(req.terms);
        if (rc > 0) {
            ctl_usage(c, stdout);
            return 0;
        }
        return st.code == SYND_INVALID_ARGUMENT ? ctl_usage_error(c, "%s", st.message)
                                                : ctl_fail(&st);
    }
    rc = ctl_call(c, M_OPEN, &req.base, &synd__v1__open_book_response__descriptor, &resp, NULL);
    ctl_terms_free(req.terms);
    if (rc != 0)
        return rc;
    if (resp->book == NULL) {
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        synd_status_set(&st, SYND_INTERNAL, "the broker's answer holds no book");
        return ctl_fail(&st);
    }
    printf("%s\n", resp->book->book_id);
    print_book(resp->book);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return 0;
}

int ctl_book_close(ctl *c, int argc, char **argv)
{
    Synd__V1__BookRef req = SYND__V1__BOOK_REF__INIT;
    Synd__V1__Allocation *a;
    int rc;

    if ((req.book_id = (char *)ctl_one_arg(c, argc, argv, &rc)) == NULL)
        return rc;
    rc = ctl_call(c, M_CLOSE, &req.base, &synd__v1__allocation__descriptor, &a, NULL);
    if (rc != 0)
        return rc;
    printf("book %s closed\n", req.book_id);
    rc = print_allocation(a);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    return rc;
}

int ctl_book_cancel(ctl *c, int argc, char **argv)
{
    Synd__V1__BookRef req = SYND__V1__BOOK_REF__INIT;
    Synd__V1__Book *b;
    int rc;

    if ((req.book_id = (char *)ctl_one_arg(c, argc, argv, &rc)) == NULL)
        return rc;
    rc = ctl_call(c, M_CANCEL, &req.base, &synd__v1__book__descriptor, &b, NULL);
    if (rc != 0)
        return rc;
    printf("book %s %s\n", req.book_id, state_name(b->state));
    protobuf_c_message_free_unpacked(&b->base, NULL);
    return 0;
}

int ctl_book_show(ctl *c, int argc, char **argv)
{
    Synd__V1__BookRef req = SYND__V1__BOOK_REF__INIT;
    Synd__V1__Book *b;
    Synd__V1__Allocation *a;
    int rc, settled;

    if ((req.book_id = (char *)ctl_one_arg(c, argc, argv, &rc)) == NULL)
        return rc;
    rc = ctl_call(c, M_GET, &req.base, &synd__v1__book__descriptor, &b, NULL);
    if (rc != 0)
        return rc;
    printf("book %s\n", b->book_id);
    print_book(b);
    rc = print_bids(b);
    settled = b->state == SYND__V1__BOOK_STATE__BOOK_ALLOCATED ||
              b->state == SYND__V1__BOOK_STATE__BOOK_FAILED;
    protobuf_c_message_free_unpacked(&b->base, NULL);
    if (rc != 0 || !settled)
        return rc;
    rc = ctl_call(c, M_ALLOC, &req.base, &synd__v1__allocation__descriptor, &a, NULL);
    if (rc != 0)
        return rc;
    rc = print_allocation(a);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    return rc;
}

int ctl_book_allocation(ctl *c, int argc, char **argv)
{
    Synd__V1__BookRef req = SYND__V1__BOOK_REF__INIT;
    Synd__V1__Allocation *a;
    int rc;

    if ((req.book_id = (char *)ctl_one_arg(c, argc, argv, &rc)) == NULL)
        return rc;
    rc = ctl_call(c, M_ALLOC, &req.base, &synd__v1__allocation__descriptor, &a, NULL);
    if (rc != 0)
        return rc;
    printf("book %s\n", req.book_id);
    rc = print_allocation(a);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    return rc;
}

/* Parses book repay's arguments: BOOK --amount AMOUNT. Returns 0, 1 for
 * --help, or 2 after the usage. */
static int repay_args(ctl *c, int argc, char **argv, Synd__V1__RecordRepaymentRequest *req)
{
    static const struct option opts[] = {{"amount", required_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int o, have_amount = 0;
    synd_status st;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (o == 'h')
            return 1;
        if (o != 'a') {
            ctl_opt_error(o, argv, &st);
            return ctl_usage_error(c, "%s", st.message);
        }
        if (ctl_parse_money("--amount", optarg, &req->amount_fen, &st) != 0)
            return ctl_usage_error(c, "%s", st.message);
        have_amount = 1;
    }
    if (optind + 1 != argc)
        return ctl_usage_error(c, optind == argc ? "missing BOOK" : "one BOOK only");
    if (!have_amount)
        return ctl_usage_error(c, "--amount is required");
    req->book_id = argv[optind];
    return 0;
}

int ctl_book_repay(ctl *c, int argc, char **argv)
{
    Synd__V1__RecordRepaymentRequest req = SYND__V1__RECORD_REPAYMENT_REQUEST__INIT;
    Synd__V1__RecordRepaymentResponse *r;
    char m[SYND_MONEY_LEN];
    int rc = repay_args(c, argc, argv, &req);

    if (rc == 1) {
        ctl_usage(c, stdout);
        return 0;
    }
    if (rc != 0 || (rc = ctl_call(c, M_REPAY, &req.base,
                                  &synd__v1__record_repayment_response__descriptor, &r, NULL)))
        return rc;
    printf("book %s: %s still outstanding\n", r->book_id,
           synd_money_format(r->outstanding_fen, m, sizeof(m)));
    for (size_t i = 0; i < r->n_outstanding; i++)
        printf("  %-10s %s\n", r->outstanding[i]->bank_id,
               synd_money_format(r->outstanding[i]->alloc_fen, m, sizeof(m)));
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return 0;
}
