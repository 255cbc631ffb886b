/* key list|add|revoke: which key acts as which bank and role, edited in
 * the registry file itself. The broker reads the file again by itself
 * within a second of a change, so no broker connection is made here. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "regfile.h"

/* The flags of the key commands; each command takes the ones it names. */
typedef struct key_args {
    const char *registry, *bank, *role, *public_key, *pub_file;
    char from_file[SYND_KEY_LEN];
} key_args;

enum { OPT_REGISTRY, OPT_BANK, OPT_ROLE, OPT_PUBLIC_KEY, OPT_PUB, OPT_HELP };

/* Parses the flags allowed (a bit per OPT_ value) into a. Returns -1 to
 * go on, or the exit code: 0 after --help, 2 after a usage error. */
static int parse_args(ctl *c, int argc, char **argv, unsigned allowed, key_args *a)
{
    static const struct option opts[] = {{"registry", required_argument, NULL, OPT_REGISTRY},
                                         {"bank", required_argument, NULL, OPT_BANK},
                                         {"role", required_argument, NULL, OPT_ROLE},
                                         {"public-key", required_argument, NULL, OPT_PUBLIC_KEY},
                                         {"pub", required_argument, NULL, OPT_PUB},
                                         {"help", no_argument, NULL, OPT_HELP},
                                         {NULL, 0, NULL, 0}};
    const char **slot[] = {&a->registry, &a->bank, &a->role, &a->public_key, &a->pub_file};
    synd_status st;
    int o;

    memset(a, 0, sizeof(*a));
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (o == OPT_HELP) {
            ctl_usage(c, stdout);
            return 0;
        }
        if (o < 0 || o >= OPT_HELP || !(allowed & (1u << o))) {
            if (o >= 0 && o < OPT_HELP)
                return ctl_usage_error(c, "option '%s' does not apply here", argv[optind - 1]);
            ctl_opt_error(o, argv, &st);
            return ctl_usage_error(c, "%s", st.message);
        }
        *slot[o] = optarg;
    }
    if (optind < argc)
        return ctl_usage_error(c, "unexpected argument '%s'", argv[optind]);
    if (a->registry == NULL)
        return ctl_usage_error(c, "--registry is required");
    if (a->public_key != NULL && a->pub_file != NULL)
        return ctl_usage_error(c, "give --public-key or --pub, not both");
    if (a->pub_file != NULL) {
        if (synd_keyfile_read(a->pub_file, a->from_file, NULL, &st) != 0)
            return ctl_fail(&st);
        a->public_key = a->from_file;
    }
    return -1;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ctl_key_list(ctl *c, int argc, char **argv)
{
    static const char *const heads[] = {"bank", "role", "state", "public key", "added", "revoked"};
    key_args a;
    regfile_key *keys;
    size_t n;
    synd_status st;
    ctl_table *t;
    int rc = parse_args(c, argc, argv, 1u << OPT_REGISTRY, &a);

    if (rc >= 0)
        return rc;
    if (regfile_list(a.registry, &keys, &n, &st) != 0)
        return ctl_fail(&st);
    if ((t = ctl_table_new(6, heads, "llllll")) == NULL) {
        free(keys);
        return ctl_oom();
    }
    for (size_t i = 0; i < n; i++) {
        const regfile_key *k = &keys[i];
        const char *row[] = {k->bank_id,
                             k->role,
                             k->revoked ? "revoked" : "active",
                             k->public_key,
                             k->added_at[0] ? k->added_at : "-",
                             k->revoked_at[0] ? k->revoked_at : "-"};
        ctl_table_add(t, row);
    }
    rc = ctl_table_print(t, stdout) == 0 ? 0 : ctl_oom();
    ctl_table_free(t);
    free(keys);
    return rc;
}

int ctl_key_add(ctl *c, int argc, char **argv)
{
    key_args a;
    synd_status st;
    char now[40];
    int rc = parse_args(c, argc, argv,
                        1u << OPT_REGISTRY | 1u << OPT_BANK | 1u << OPT_ROLE |
                            1u << OPT_PUBLIC_KEY | 1u << OPT_PUB,
                        &a);

    if (rc >= 0)
        return rc;
    if (a.bank == NULL || a.role == NULL || a.public_key == NULL)
        return ctl_usage_error(c, "--bank, --role and one of --public-key and --pub are required");
    if (regfile_add(a.registry, a.bank, a.role, a.public_key, ctl_time(now_ms(), now, sizeof(now)),
                    &st) != 0)
        return ctl_fail(&st);
    printf("added %s/%s %s\n", a.bank, a.role, a.public_key);
    return 0;
}

int ctl_key_revoke(ctl *c, int argc, char **argv)
{
    key_args a;
    regfile_key *matched;
    size_t n;
    synd_status st;
    char now[40];
    regfile_match m;
    int rc = parse_args(c, argc, argv,
                        1u << OPT_REGISTRY | 1u << OPT_BANK | 1u << OPT_ROLE |
                            1u << OPT_PUBLIC_KEY | 1u << OPT_PUB,
                        &a);

    if (rc >= 0)
        return rc;
    if ((a.public_key != NULL) == (a.bank != NULL || a.role != NULL) ||
        (a.public_key == NULL && (a.bank == NULL || a.role == NULL)))
        return ctl_usage_error(c, "name the key (--public-key or --pub) or its --bank and --role");
    m = (regfile_match){a.public_key, a.bank, a.role};
    if (regfile_revoke(a.registry, &m, ctl_time(now_ms(), now, sizeof(now)), &matched, &n, &st) !=
        0)
        return ctl_fail(&st);
    for (size_t i = 0; i < n; i++) {
        const regfile_key *k = &matched[i];
        if (k->revoked)
            printf("already revoked %s/%s %s (%s)\n", k->bank_id, k->role, k->public_key,
                   k->revoked_at[0] ? k->revoked_at : "no date");
        else
            printf("revoked %s/%s %s\n", k->bank_id, k->role, k->public_key);
    }
    free(matched);
    return 0;
}
