/* CurveZMQ key files, written and read with libconfig. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>
#include <zmq.h>

#include "synd/synd.h"

/* Creates path exclusively with mode and writes one setting per key, so a
 * secret key never sits in a file others could read, even briefly. */
static int write_keyfile(const char *path, mode_t mode, const char *pub, const char *sec,
                         synd_status *st)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    FILE *f;
    int bad;

    if (fd < 0) {
        synd_status_set(st, errno == EEXIST ? SYND_ALREADY_EXISTS : SYND_INVALID_ARGUMENT,
                        "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        synd_status_set(st, SYND_INTERNAL, "fdopen %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "# synd CurveZMQ key, written by syndctl keygen\n");
    fprintf(f, "public_key = \"%s\";\n", pub);
    if (sec != NULL)
        fprintf(f, "secret_key = \"%s\";\n", sec);
    bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        synd_status_set(st, SYND_INTERNAL, "cannot write %s", path);
        return -1;
    }
    return 0;
}

int synd_keygen(const char *prefix, char public_key[SYND_KEY_LEN], synd_status *st)
{
    char pub[SYND_KEY_LEN], sec[SYND_KEY_LEN], path[4096];

    if (zmq_curve_keypair(pub, sec) != 0) {
        synd_status_set(st, SYND_INTERNAL, "zmq_curve_keypair: %s (libzmq built without CURVE?)",
                        zmq_strerror(errno));
        return -1;
    }
    if (snprintf(path, sizeof(path), "%s.key", prefix) >= (int)sizeof(path)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "key path prefix is too long");
        return -1;
    }
    if (write_keyfile(path, 0600, pub, sec, st) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s.pub", prefix);
    if (write_keyfile(path, 0644, pub, NULL, st) != 0) {
        /* A lone .key would pair with no .pub and block the next keygen. */
        snprintf(path, sizeof(path), "%s.key", prefix);
        unlink(path);
        return -1;
    }
    if (public_key != NULL)
        memcpy(public_key, pub, SYND_KEY_LEN);
    return 0;
}

/* Reads setting name as a Z85 key, checking that it decodes to 32 bytes. */
static int read_key(config_t *cfg, const char *path, const char *name, char out[SYND_KEY_LEN],
                    synd_status *st)
{
    const char *s;
    uint8_t raw[32];

    if (!config_lookup_string(cfg, name, &s)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s: no %s setting", path, name);
        return -1;
    }
    if (strlen(s) != SYND_KEY_LEN - 1 || zmq_z85_decode(raw, s) == NULL) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s: %s is not a 40-character Z85 key", path,
                        name);
        return -1;
    }
    memcpy(out, s, SYND_KEY_LEN);
    return 0;
}

int synd_keyfile_read(const char *path, char public_key[SYND_KEY_LEN],
                      char secret_key[SYND_KEY_LEN], synd_status *st)
{
    config_t cfg;
    int rc = -1;

    config_init(&cfg);
    if (!config_read_file(&cfg, path)) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
            synd_status_set(st, SYND_NOT_FOUND, "cannot read key file %s", path);
        else
            synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: %s", path, config_error_line(&cfg),
                            config_error_text(&cfg));
        goto out;
    }
    if (read_key(&cfg, path, "public_key", public_key, st) != 0)
        goto out;
    if (secret_key != NULL && read_key(&cfg, path, "secret_key", secret_key, st) != 0)
        goto out;
    rc = 0;
out:
    config_destroy(&cfg);
    return rc;
}
