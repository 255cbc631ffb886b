/* Unit tests of key changes without a restart: revoked keys in the
 * registry file (broker/registry.c), reloading in place, the file watch
 * (broker/registry_watch.c), and the server's per-call key check and end
 * of revoked keys' streams (broker/rpc/server.c, on a socketless server,
 * with outcomes read from the counters and the observer). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "registry.h"
#include "registry_watch.h"
#include "rpc/envelope.h"
#include "rpc/health.h"
#include "rpc/reflection.h"
#include "rpc/server.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"

static char dir[64];
static char path[128];

typedef struct test_key {
    char z85[41];
    uint8_t raw[32];
} test_key;

static test_key lead, part;

static test_key new_key(void)
{
    test_key k;
    char secret[41];

    cr_assert_eq(zmq_curve_keypair(k.z85, secret), 0);
    cr_assert_not_null(zmq_z85_decode(k.raw, k.z85));
    return k;
}

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/synd-unit-reload-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/registry.cfg", dir);
    lead = new_key();
    part = new_key();
}

static void teardown(void)
{
    char tmp[160];

    snprintf(tmp, sizeof(tmp), "%s.new", path);
    unlink(tmp);
    unlink(path);
    rmdir(dir);
}

/* Writes the registry as a new file renamed over the old one, as syndctl
 * does, so that the watch sees a new inode whatever the clock. */
static void write_file(const char *text)
{
    char tmp[160];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.new", path);
    f = fopen(tmp, "w");
    cr_assert_not_null(f);
    cr_assert_geq(fputs(text, f), 0);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(rename(tmp, path), 0);
}

/* ICBC's lead key and BOC's participant key; part_extra goes into the
 * participant's key entry ("revoked = true;"), bank renames BOC. */
static void write_registry(const char *bank, const char *part_extra)
{
    char text[1024];

    snprintf(text, sizeof(text),
             "banks = (\n"
             "  { id = \"ICBC\"; keys = ( { role = \"lead\"; public_key = \"%s\"; } ); },\n"
             "  { id = \"%s\";\n"
             "    keys = ( { role = \"participant\"; public_key = \"%s\"; %s } ); }\n"
             ");\n",
             lead.z85, bank, part.z85, part_extra);
    write_file(text);
}

static registry *load(void)
{
    synd_status st = {SYND_OK, ""};
    registry *r = registry_load(path, &st);

    cr_assert_not_null(r, "%s", st.message);
    return r;
}

TestSuite(revoked, .init = setup, .fini = teardown);

Test(revoked, a_revoked_key_stays_listed_but_admits_no_one)
{
    registry_identity id;
    registry *r;

    write_registry("BOC", "revoked = true; revoked_at = \"yesterday\";");
    r = load();
    cr_expect_eq(registry_size(r), 2);
    cr_expect_eq(registry_revoked_count(r), 1);
    cr_expect_eq(registry_lookup(r, part.raw, &id), -1);
    cr_assert_eq(registry_is_revoked(r, part.raw, &id), 1);
    cr_expect_str_eq(id.bank_id, "BOC");
    cr_expect_eq(id.role, ROLE_PARTICIPANT);
    cr_assert_eq(registry_lookup(r, lead.raw, &id), 0);
    cr_expect_eq(id.has_key, 1);
    cr_expect_eq(memcmp(id.key, lead.raw, 32), 0);
    cr_expect_eq(registry_is_revoked(r, lead.raw, &id), 0);
    registry_free(r);

    write_registry("BOC", "revoked = false;");
    r = load();
    cr_expect_eq(registry_revoked_count(r), 0);
    cr_expect_eq(registry_lookup(r, part.raw, &id), 0);
    registry_free(r);
}

Test(revoked, revoked_must_be_a_boolean)
{
    synd_status st = {SYND_OK, ""};
    char want[256];

    write_registry("BOC", "revoked = \"yes\";");
    cr_assert_null(registry_load(path, &st));
    snprintf(want, sizeof(want), "%s:4: bank BOC: revoked must be true or false", path);
    cr_expect_eq(strncmp(st.message, want, strlen(want)), 0, "'%s' does not start with '%s'",
                 st.message, want);
}

Test(revoked, reload_swaps_in_place_and_a_bad_file_changes_nothing)
{
    registry_identity id;
    synd_status st = {SYND_OK, ""};
    char want[256];
    registry *r;

    write_registry("BOC", "revoked = true;");
    r = load();
    cr_assert_eq(registry_lookup(r, part.raw, &id), -1);
    write_registry("BOC", "");
    cr_assert_eq(registry_reload(r, path, &st), 0, "%s", st.message);
    cr_assert_eq(registry_lookup(r, part.raw, &id), 0, "the same registry holds the new file");

    write_registry("BOC", "role = \"admin\";");
    cr_assert_eq(registry_reload(r, path, &st), -1);
    snprintf(want, sizeof(want), "%s:4: ", path);
    cr_expect_eq(strncmp(st.message, want, strlen(want)), 0, "'%s' lacks '%s'", st.message, want);
    cr_expect_eq(registry_lookup(r, part.raw, &id), 0, "a bad file leaves the registry alone");
    cr_expect_eq(registry_lookup(r, lead.raw, &id), 0);
    cr_expect_eq(registry_size(r), 2);
    registry_free(r);
}

Test(revoked, admits_follows_the_registry)
{
    registry_identity id, anonymous;
    synd_status st = {SYND_OK, ""};
    registry *r;

    write_registry("BOC", "");
    r = load();
    cr_assert_eq(registry_lookup(r, part.raw, &id), 0);
    cr_expect_eq(registry_admits(r, &id), 1);
    memset(&anonymous, 0, sizeof(anonymous));
    cr_expect_eq(registry_admits(r, &anonymous), 0, "no key, no admission");

    write_registry("CCB", ""); /* the key now belongs to another bank */
    cr_assert_eq(registry_reload(r, path, &st), 0, "%s", st.message);
    cr_expect_eq(registry_admits(r, &id), 0);
    write_registry("BOC", "revoked = true;");
    cr_assert_eq(registry_reload(r, path, &st), 0, "%s", st.message);
    cr_expect_eq(registry_admits(r, &id), 0);
    write_registry("BOC", "");
    cr_assert_eq(registry_reload(r, path, &st), 0, "%s", st.message);
    cr_expect_eq(registry_admits(r, &id), 1);
    registry_free(r);
}

/* --- the file watch ------------------------------------------------------ */

TestSuite(watch, .init = setup, .fini = teardown);

Test(watch, a_changed_file_is_loaded_once_a_second_and_a_broken_one_is_not)
{
    registry_identity id;
    registry_watch *w;
    int64_t t = 1000000, next;
    registry *r;

    write_registry("BOC", "revoked = true;");
    r = load();
    w = registry_watch_new(r, path);
    cr_assert_not_null(w);
    cr_expect_eq(registry_watch_tick(w, t, &next), 0, "unchanged file");
    cr_expect_eq(next, REGISTRY_WATCH_INTERVAL_MS);

    write_registry("BOC", "");
    cr_expect_eq(registry_watch_tick(w, t + 10, &next), 0, "not due yet");
    cr_expect_eq(next, REGISTRY_WATCH_INTERVAL_MS - 10);
    cr_expect_eq(registry_lookup(r, part.raw, &id), -1);
    cr_expect_eq(registry_watch_tick(w, t + REGISTRY_WATCH_INTERVAL_MS, &next), 1);
    cr_expect_eq(registry_lookup(r, part.raw, &id), 0, "the new key is in");
    t += REGISTRY_WATCH_INTERVAL_MS;

    write_registry("BOC", "role = \"admin\";");
    t += REGISTRY_WATCH_INTERVAL_MS;
    cr_expect_eq(registry_watch_tick(w, t, &next), 0, "a broken file is not loaded");
    cr_expect_eq(registry_lookup(r, part.raw, &id), 0, "the previous registry stays");
    t += REGISTRY_WATCH_INTERVAL_MS;
    cr_expect_eq(registry_watch_tick(w, t, &next), 0, "nor tried again until it changes");

    write_registry("BOC", "revoked = true;");
    t += REGISTRY_WATCH_INTERVAL_MS;
    cr_expect_eq(registry_watch_tick(w, t, &next), 1, "the fixed file is loaded");
    cr_expect_eq(registry_lookup(r, part.raw, &id), -1);
    registry_watch_free(w);
    registry_free(r);
}

Test(watch, force_reloads_an_edit_the_file_does_not_show)
{
    registry_identity id;
    struct stat before;
    struct timespec times[2];
    registry_watch *w;
    int64_t t = 1000000, next;
    registry *r;
    FILE *f;
    char text[1024];

    write_registry("BOC", "revoked = true ;");
    r = load();
    w = registry_watch_new(r, path);
    cr_assert_not_null(w);
    cr_assert_eq(stat(path, &before), 0);

    /* The same size, in place, with the time set back: nothing to see. */
    snprintf(text, sizeof(text),
             "banks = (\n"
             "  { id = \"ICBC\"; keys = ( { role = \"lead\"; public_key = \"%s\"; } ); },\n"
             "  { id = \"BOC\";\n"
             "    keys = ( { role = \"participant\"; public_key = \"%s\"; revoked = false; } ); }\n"
             ");\n",
             lead.z85, part.z85);
    f = fopen(path, "r+");
    cr_assert_not_null(f);
    cr_assert_geq(fputs(text, f), 0);
    cr_assert_eq(fclose(f), 0);
    times[0] = before.st_atim;
    times[1] = before.st_mtim;
    cr_assert_eq(utimensat(AT_FDCWD, path, times, 0), 0);

    t += REGISTRY_WATCH_INTERVAL_MS;
    cr_expect_eq(registry_watch_tick(w, t, &next), 0);
    cr_expect_eq(registry_lookup(r, part.raw, &id), -1);
    registry_watch_force(w);
    cr_expect_eq(registry_watch_tick(w, t + 1, &next), 1, "forced, though not due");
    cr_expect_eq(registry_lookup(r, part.raw, &id), 0);
    registry_watch_free(w);
    registry_free(r);
}

/* --- the server ---------------------------------------------------------- */

static const uint8_t lead_peer[] = {0x00, 0x01};
static const uint8_t part_peer[] = {0x00, 0x02};

static rpc_server *srv;
static rpc_health *health;
static rpc_reflection *refl;
static registry *reg;

/* What the observer was told, last. */
static struct {
    int calls;
    synd_code code;
    char method[128], bank[64], message[256];
} seen;

static void observer(void *arg, const rpc_call *c, synd_code code, const char *message)
{
    seen.calls++;
    seen.code = code;
    snprintf(seen.method, sizeof(seen.method), "%s", rpc_call_method(c));
    snprintf(seen.bank, sizeof(seen.bank), "%s", rpc_call_identity(c)->bank_id);
    snprintf(seen.message, sizeof(seen.message), "%s", message);
}

/* A socketless server with Health and Reflection, checking keys against
 * a registry of the lead's and the participant's keys. */
static void server_setup(void)
{
    rpc_server_opts opts = {.insecure = 0};
    synd_status st = {SYND_OK, ""};

    setup();
    memset(&seen, 0, sizeof(seen));
    write_registry("BOC", "");
    reg = load();
    srv = rpc_server_new(NULL, &opts, &st);
    cr_assert_not_null(srv, "%s", st.message);
    health = rpc_health_new(srv);
    refl = rpc_reflection_new(srv);
    cr_assert_not_null(health);
    cr_assert_not_null(refl);
    cr_assert_eq(rpc_server_add_service(srv, rpc_health_service(health)), 0);
    cr_assert_eq(rpc_server_add_service(srv, rpc_reflection_service(refl)), 0);
    rpc_server_set_observer(srv, observer, NULL);
    rpc_server_set_registry(srv, reg);
}

static void server_teardown(void)
{
    rpc_server_free(srv);
    rpc_health_free(health);
    rpc_reflection_free(refl);
    registry_free(reg);
    teardown();
}

TestSuite(server_keys, .init = server_setup, .fini = server_teardown);

static rpc_stats stats(void)
{
    rpc_stats s;

    rpc_server_stats(srv, &s);
    return s;
}

/* Sends a call with an empty payload from peer with the ZAP User-Id. */
static void call(const uint8_t *peer, size_t peer_len, const char *user_id, uint64_t id,
                 const char *method)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t *buf;
    size_t len;

    env.call_id = id;
    env.method = (char *)method;
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    rpc_server_process(srv, peer, peer_len, user_id, buf, len);
    free(buf);
}

static void user_id(char *out, size_t len, const char *bank, const char *role, const char *z85)
{
    snprintf(out, len, "%s/%s/%s", bank, role, z85);
}

Test(server_keys, calls_are_checked_against_the_registry_as_it_is_now)
{
    char lead_id[128], part_id[128], wrong_bank[128];
    synd_status st = {SYND_OK, ""};

    user_id(lead_id, sizeof(lead_id), "ICBC", "lead", lead.z85);
    user_id(part_id, sizeof(part_id), "BOC", "participant", part.z85);
    user_id(wrong_bank, sizeof(wrong_bank), "ICBC", "participant", part.z85);

    call(part_peer, sizeof(part_peer), part_id, 1, "/synd.v1.Reflection/WhoAmI");
    cr_expect_eq(stats().calls, 1);
    cr_expect_str_eq(seen.bank, "BOC");
    call(part_peer, sizeof(part_peer), wrong_bank, 2, "/synd.v1.Reflection/WhoAmI");
    call(part_peer, sizeof(part_peer), "BOC/participant", 3, "/synd.v1.Reflection/WhoAmI");
    call(part_peer, sizeof(part_peer), NULL, 4, "/synd.v1.Reflection/WhoAmI");
    cr_expect_eq(stats().calls, 1, "an identity the registry does not give runs nothing");

    write_registry("BOC", "revoked = true;");
    cr_assert_eq(registry_reload(reg, path, &st), 0, "%s", st.message);
    call(part_peer, sizeof(part_peer), part_id, 5, "/synd.v1.Reflection/WhoAmI");
    cr_expect_eq(stats().calls, 1, "a revoked key's call runs nothing");
    call(lead_peer, sizeof(lead_peer), lead_id, 6, "/synd.v1.Reflection/WhoAmI");
    cr_expect_eq(stats().calls, 2, "other keys go on");
    cr_expect_str_eq(seen.bank, "ICBC");
}

Test(server_keys, end_revoked_ends_only_the_revoked_keys_streams)
{
    char lead_id[128], part_id[128];
    synd_status st = {SYND_OK, ""};

    user_id(lead_id, sizeof(lead_id), "ICBC", "lead", lead.z85);
    user_id(part_id, sizeof(part_id), "BOC", "participant", part.z85);
    call(part_peer, sizeof(part_peer), part_id, 1, "/synd.v1.Health/Watch");
    call(part_peer, sizeof(part_peer), part_id, 2, "/synd.v1.Health/Watch");
    call(lead_peer, sizeof(lead_peer), lead_id, 3, "/synd.v1.Health/Watch");
    cr_assert_eq(stats().open_streams, 3);
    cr_expect_eq(rpc_server_end_revoked(srv), 0, "nothing revoked yet");
    cr_expect_eq(stats().open_streams, 3);

    write_registry("BOC", "revoked = true;");
    cr_assert_eq(registry_reload(reg, path, &st), 0, "%s", st.message);
    seen.calls = 0;
    cr_expect_eq(rpc_server_end_revoked(srv), 2);
    cr_expect_eq(stats().open_streams, 1, "the lead's stream stays open");
    cr_expect_eq(seen.calls, 2, "the observer (the audit trail) is told of each");
    cr_expect_eq(seen.code, SYND_UNAUTHENTICATED);
    cr_expect_str_eq(seen.method, "/synd.v1.Health/Watch");
    cr_expect_str_eq(seen.bank, "BOC");
    cr_expect_str_eq(seen.message, "key revoked");

    /* The health service forgot them: a change reaches the lead alone. */
    rpc_health_set_serving(health, 1);
    cr_expect_eq(stats().undeliverable, 0);
    cr_expect_eq(rpc_server_end_revoked(srv), 0);

    /* Removing the key from the file is revoking it. */
    write_file("banks = ( { id = \"BOC\"; keys = ( ); } );\n");
    cr_assert_eq(registry_reload(reg, path, &st), 0, "%s", st.message);
    cr_expect_eq(rpc_server_end_revoked(srv), 1);
    cr_expect_eq(stats().open_streams, 0);
}

Test(server_keys, without_a_registry_nothing_is_checked)
{
    rpc_server_set_registry(srv, NULL);
    call(part_peer, sizeof(part_peer), "FUZZ/lead", 1, "/synd.v1.Reflection/WhoAmI");
    cr_expect_eq(stats().calls, 1);
    call(part_peer, sizeof(part_peer), "BOC/participant/short", 2, "/synd.v1.Reflection/WhoAmI");
    cr_expect_eq(stats().calls, 1, "a malformed key is a malformed User-Id");
}
