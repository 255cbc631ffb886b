/* bid submit|withdraw and headroom: a participant's calls, by hand. The
 * synd-bidder daemon makes the same calls by policy. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

#define M_SUBMIT   "/synd.v1.Syndication/SubmitBid"
#define M_WITHDRAW "/synd.v1.Syndication/WithdrawBid"
#define M_HEADROOM "/synd.v1.Syndication/GetHeadroom"

/* A fresh idempotency key: 128 random bits, so two invocations never share
 * one by accident. */
static int make_key(char *out, size_t len)
{
    unsigned char r[16];
    size_t n = (size_t)snprintf(out, len, "ctl-");

    if (getentropy(r, sizeof(r)) != 0)
        return -1;
    for (size_t i = 0; i < sizeof(r) && n + 2 < len; i++, n += 2)
        snprintf(out + n, len - n, "%02x", r[i]);
    return 0;
}

/* One bid as a line: amount and spread, and where it stands. */
static void print_bid(const char *verb, const char *book_id, const Synd__V1__Bid *bid)
{
    char m[SYND_MONEY_LEN];

    if (bid == NULL) {
        printf("%s on %s\n", verb, book_id);
        return;
    }
    printf("%s on %s: %s at %d bps, seq %llu\n", verb, bid->book_id[0] ? bid->book_id : book_id,
           synd_money_format(bid->amount_fen, m, sizeof(m)), bid->spread_bps,
           (unsigned long long)bid->seq);
}

/* Parses bid submit's flags into req; *key is the idempotency key given,
 * or NULL. Returns 0, 1 for --help, or 2 after the usage. */
static int submit_args(ctl *c, int argc, char **argv, Synd__V1__SubmitBidRequest *req,
                       const char **key)
{
    static const struct option opts[] = {{"amount", required_argument, NULL, 'a'},
                                         {"spread", required_argument, NULL, 's'},
                                         {"idempotency-key", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int o, have_amount = 0, have_spread = 0;
    synd_status st;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (o == 'h') {
            return 1;
        } else if (o == 'a') {
            if (ctl_parse_money("--amount", optarg, &req->amount_fen, &st) != 0)
                return ctl_usage_error(c, "%s", st.message);
            have_amount = 1;
        } else if (o == 's') {
            if (ctl_parse_i32("--spread", optarg, &req->spread_bps, &st) != 0)
                return ctl_usage_error(c, "%s", st.message);
            have_spread = 1;
        } else if (o == 'k') {
            if (optarg[0] == '\0')
                return ctl_usage_error(c, "--idempotency-key must not be empty");
            *key = optarg;
        } else {
            ctl_opt_error(o, argv, &st);
            return ctl_usage_error(c, "%s", st.message);
        }
    }
    if (optind + 1 != argc)
        return ctl_usage_error(c, optind == argc ? "missing BOOK" : "one BOOK only");
    if (!have_amount || !have_spread)
        return ctl_usage_error(c, "--amount and --spread are required");
    req->book_id = argv[optind];
    return 0;
}

int ctl_bid_submit(ctl *c, int argc, char **argv)
{
    Synd__V1__SubmitBidRequest req = SYND__V1__SUBMIT_BID_REQUEST__INIT;
    Synd__V1__SubmitBidResponse *resp;
    const char *key = NULL;
    char fresh[48];
    int rc = submit_args(c, argc, argv, &req, &key);

    if (rc == 1) {
        ctl_usage(c, stdout);
        return 0;
    }
    if (rc != 0)
        return rc;
    if (key == NULL) {
        if (make_key(fresh, sizeof(fresh)) != 0) {
            fprintf(stderr, "syndctl: no randomness for an idempotency key; give "
                            "--idempotency-key\n");
            return 1;
        }
        key = fresh;
    }
    rc = ctl_call(c, M_SUBMIT, &req.base, &synd__v1__submit_bid_response__descriptor, &resp, key);
    if (rc != 0) {
        /* Only when the outcome is unknown is a retry worth its key. */
        if (key == fresh && (c->last == SYND_UNAVAILABLE || c->last == SYND_DEADLINE_EXCEEDED))
            fprintf(stderr,
                    "syndctl: to retry this bid so that it counts once: "
                    "--idempotency-key %s\n",
                    key);
        return rc;
    }
    print_bid(resp->replaced ? "bid replaced" : "bid placed", req.book_id, resp->bid);
    printf("idempotency key %s\n", key);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return 0;
}

int ctl_bid_withdraw(ctl *c, int argc, char **argv)
{
    Synd__V1__BookRef req = SYND__V1__BOOK_REF__INIT;
    Synd__V1__WithdrawBidResponse *resp;
    int rc;

    if ((req.book_id = (char *)ctl_one_arg(c, argc, argv, &rc)) == NULL)
        return rc;
    rc = ctl_call(c, M_WITHDRAW, &req.base, &synd__v1__withdraw_bid_response__descriptor, &resp,
                  NULL);
    if (rc != 0)
        return rc;
    print_bid("bid withdrawn", req.book_id, resp->withdrawn);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return 0;
}

int ctl_headroom(ctl *c, int argc, char **argv)
{
    Synd__V1__GetHeadroomRequest req = SYND__V1__GET_HEADROOM_REQUEST__INIT;
    Synd__V1__GetHeadroomResponse *resp;
    char m[SYND_MONEY_LEN];
    int rc;

    if ((req.borrower_code = (char *)ctl_one_arg(c, argc, argv, &rc)) == NULL)
        return rc;
    rc = ctl_call(c, M_HEADROOM, &req.base, &synd__v1__get_headroom_response__descriptor, &resp,
                  NULL);
    if (rc != 0)
        return rc;
    printf("borrower    %s\n", req.borrower_code);
    printf("headroom    %s\n", synd_money_format(resp->headroom_fen, m, sizeof(m)));
    printf("exposure    %s\n", synd_money_format(resp->exposure_fen, m, sizeof(m)));
    printf("binding     %s\n", resp->binding_rule[0] ? resp->binding_rule : "-");
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return 0;
}
