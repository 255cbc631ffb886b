/* The books integration-test fixture: the integration harness's Redis and
 * broker, started with a registry of a cast of banks (capital figures,
 * keys in several roles) and two borrowers, and helpers that make every
 * synd.v1.Syndication and synd.v1.Registry call through libsynd as any
 * member of the cast.
 *
 * Replies are kept until bk_stop(), so a test reads them freely. Helpers
 * that end in _ok assert the call succeeded, so a test fails at the step
 * that went wrong; the others return the call's code and status. */
#ifndef SYND_TEST_BOOKS_FIXTURE_H
#define SYND_TEST_BOOKS_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "harness.h"
#include "synd/v1/registry.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

/* Money: ¥1m is 100,000,000 fen; the default unit ¥10,000 is 1,000,000. */
#define MN(x)    ((int64_t)(x)*100000000LL)
#define UNITS(n) ((int64_t)(n)*1000000LL)

#define BK_CALL_MS 5000  /* bound of one call */
#define BK_WAIT_MS 15000 /* bound of a wait on a condition */

/* Two registered borrowers, in different connected groups, and a code
 * with a valid check character that is not registered. */
#define BORROWER_A       "91350100M000100Y43" /* group FJLE */
#define BORROWER_A_GROUP "FJLE"
#define BORROWER_B       "91440300MA5DC00012" /* group SZG */
#define BORROWER_B_GROUP "SZG"
#define BORROWER_NONE    "91110000100000000R"

/* The cast. The first four use the harness's own keys. */
typedef enum bk_who {
    BK_ICBC,   /* lead */
    BK_BOC,    /* participant, bank BOC-SH */
    BK_NFRA,   /* supervisor */
    BK_OPS,    /* operator, bank SYND_OPS */
    BK_ICBC_P, /* ICBC's participant key */
    BK_CCB,    /* lead */
    BK_ABC,    /* participant */
    BK_CMB,    /* participant */
    BK_CIB,    /* participant */
    BK_N
} bk_who;

/* The bank id of a cast member ("ICBC", "BOC-SH", ...). */
const char *bk_bank(bk_who who);

/* A bank's single-borrower limit as the registry file sets it:
 * min(10% of net capital, 15% of net tier-1 capital), in fen. */
int64_t bk_limit(bk_who who);

extern harness bk_h;

/* Starts Redis and the broker with the cast's registry, and waits until
 * the broker has loaded it (a read of the registry answers). */
void bk_start(void);

/* Stops the bidders and watchers, then the broker and Redis; expects each
 * daemon to exit cleanly. */
void bk_stop(void);

/* SIGKILLs the broker; bk_restart() starts it again on the same port and
 * Redis and waits until it serves books again. */
void bk_kill(void);
void bk_restart(void);

/* The cast member's client (one connection each, made on first use). */
synd_client *bk_client(bk_who who);

/* Terms a test starts from and changes: borrower A, industry C3841,
 * ¥1,000m over 60 months at LPR 5Y + [10, 60] bps, unit ¥10,000, minimum
 * ticket ¥50m, ICBC sole lead holding ¥150m (15%), an arrangement fee of
 * 25 bps, pro-rata, underwritten, closing in 60 s. The message points
 * into the struct, so build it in place and do not copy it. */
typedef struct bk_terms {
    Synd__V1__BookTerms t;
    Synd__V1__LeadHold lead[4];
    Synd__V1__LeadHold *leads[4];
    Synd__V1__Fee fee[4];
    Synd__V1__Fee *fees[4];
    char *tie_ins[4];
} bk_terms;

void bk_terms_init(bk_terms *bt);

/* Sets the leads: n pairs of bank id and hold. */
void bk_terms_leads(bk_terms *bt, size_t n, const char *const *banks, const int64_t *holds);

/* Appends a fee. */
void bk_terms_fee(bk_terms *bt, const char *kind, Synd__V1__FeeBasis basis, int32_t bps,
                  int64_t fen);

/* The calls. Each returns the call's code with the reason in st, and on
 * SYND_OK sets *out (if out is not NULL) to the reply, kept until
 * bk_stop(). */
synd_code bk_open(bk_who who, const bk_terms *bt, Synd__V1__Book **out, synd_status *st);
synd_code bk_cancel(bk_who who, const char *book, Synd__V1__Book **out, synd_status *st);
synd_code bk_close(bk_who who, const char *book, Synd__V1__Allocation **out, synd_status *st);
synd_code bk_get(bk_who who, const char *book, Synd__V1__Book **out, synd_status *st);
synd_code bk_bid(bk_who who, const char *book, int64_t amount_fen, int32_t spread_bps,
                 const char *idem_key, Synd__V1__SubmitBidResponse **out, synd_status *st);
synd_code bk_withdraw(bk_who who, const char *book, Synd__V1__WithdrawBidResponse **out,
                      synd_status *st);
synd_code bk_allocation(bk_who who, const char *book, Synd__V1__Allocation **out, synd_status *st);
synd_code bk_headroom(bk_who who, const char *borrower, Synd__V1__GetHeadroomResponse **out,
                      synd_status *st);
synd_code bk_put_bank(bk_who who, const Synd__V1__Bank *bank, Synd__V1__Bank **out,
                      synd_status *st);
synd_code bk_put_borrower(bk_who who, const Synd__V1__Borrower *b, Synd__V1__Borrower **out,
                          synd_status *st);
synd_code bk_list_banks(bk_who who, Synd__V1__ListBanksResponse **out, synd_status *st);
synd_code bk_list_borrowers(bk_who who, Synd__V1__ListBorrowersResponse **out, synd_status *st);

/* The same, asserting SYND_OK. */
Synd__V1__Book *bk_open_ok(bk_who who, const bk_terms *bt);
Synd__V1__Allocation *bk_close_ok(bk_who who, const char *book);
Synd__V1__Book *bk_get_ok(bk_who who, const char *book);
Synd__V1__SubmitBidResponse *bk_bid_ok(bk_who who, const char *book, int64_t amount_fen,
                                       int32_t spread_bps, const char *idem_key);
Synd__V1__Allocation *bk_allocation_ok(bk_who who, const char *book);
Synd__V1__GetHeadroomResponse *bk_headroom_ok(bk_who who, const char *borrower);

/* Asserts that a call returned code with a message containing needle. */
#define bk_expect_refused(got, st, want, needle)                                                   \
    do {                                                                                           \
        synd_code got_ = (got);                                                                    \
        cr_expect_eq(got_, (want), "%s:%d: got %s (%s), want %s", __FILE__, __LINE__,              \
                     synd_code_name(got_), (st).message, synd_code_name(want));                    \
        cr_expect(strstr((st).message, (needle)) != NULL, "%s:%d: message '%s' lacks '%s'",        \
                  __FILE__, __LINE__, (st).message, (needle));                                     \
    } while (0)

/* The share of bank in a, or NULL. */
const Synd__V1__Share *bk_share(const Synd__V1__Allocation *a, const char *bank);

/* The bid of bank in b, or NULL. */
const Synd__V1__Bid *bk_find_bid(const Synd__V1__Book *b, const char *bank);

/* Polls GetBook as who until the book holds n bids or is in state (0: any
 * state), within BK_WAIT_MS; returns the last reply. */
Synd__V1__Book *bk_wait_bids(bk_who who, const char *book, size_t n);
Synd__V1__Allocation *bk_wait_allocation(bk_who who, const char *book);

/* A WatchBooks stream of who's, run by a thread of its own, collecting
 * every event. bk_watch() returns once the broker holds the stream. */
typedef struct bk_watcher bk_watcher;

bk_watcher *bk_watch(bk_who who, const Synd__V1__WatchBooksRequest *filter);

/* Events received so far, and event i of them (valid until bk_stop()). */
size_t bk_watch_count(bk_watcher *w);
const Synd__V1__BookEvent *bk_watch_event(bk_watcher *w, size_t i);

/* How many events of kind (0: any) for book (NULL: any) arrived so far. */
size_t bk_watch_seen(bk_watcher *w, Synd__V1__BookEvent__Kind kind, const char *book);

/* Waits (BK_WAIT_MS) for an event of kind for book; returns it or fails. */
const Synd__V1__BookEvent *bk_watch_wait(bk_watcher *w, Synd__V1__BookEvent__Kind kind,
                                         const char *book);

/* One command on a blocking connection to the test's Redis (hiredis
 * format), for looking behind the broker's back. Kept until bk_stop(). */
const redisReply *bk_redis(const char *fmt, ...);

/* Writes a policy file for who and starts synd-bidder with it; its log is
 * returned (a path kept until bk_stop()). */
const char *bk_bidder_start(bk_who who, const char *policy);

/* Waits (BK_WAIT_MS) until the file at path contains needle. */
void bk_wait_log(const char *path, const char *needle);

/* Waits until the broker's GetStats counts at least n open streams. */
void bk_wait_streams(uint64_t n);

#endif
