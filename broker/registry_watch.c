/* Registry file watching: stat once a second, reload on change. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "registry_watch.h"

/* What says the file changed. An editor that rewrites in place changes the
 * time (and mostly the size); syndctl's write-and-rename changes the
 * inode. ctime is left out so that SIGHUP is the one way to apply an edit
 * whose mtime was set back, which the tests rely on. */
typedef struct file_sig {
    int err; /* errno of a failed stat, else 0 */
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} file_sig;

struct registry_watch {
    registry *reg;
    const char *path;
    file_sig seen; /* the file as it was when last loaded or tried */
    int64_t due_ms;
    int forced;
};

static file_sig sig_of(const char *path)
{
    struct stat sb;
    file_sig s;

    memset(&s, 0, sizeof(s));
    if (stat(path, &sb) != 0) {
        s.err = errno ? errno : EIO;
        return s;
    }
    s.dev = sb.st_dev;
    s.ino = sb.st_ino;
    s.size = sb.st_size;
    s.mtime = sb.st_mtim;
    return s;
}

static int sig_equal(const file_sig *a, const file_sig *b)
{
    return a->err == b->err && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

registry_watch *registry_watch_new(registry *reg, const char *path)
{
    registry_watch *w = calloc(1, sizeof(*w));

    if (w == NULL)
        return NULL;
    w->reg = reg;
    w->path = path;
    w->seen = sig_of(path);
    return w;
}

void registry_watch_free(registry_watch *w)
{
    free(w);
}

void registry_watch_force(registry_watch *w)
{
    w->forced = 1;
}

/* Loads the file into the registry, keeping the old one on failure. */
static int reload(registry_watch *w, const char *why)
{
    synd_status st;

    if (registry_reload(w->reg, w->path, &st) != 0) {
        log_error("registry not reloaded (%s); the previous one stays in force. Fix: %s", why,
                  st.message);
        return 0;
    }
    log_info("registry %s reloaded (%s): %zu keys, %zu of them revoked", w->path, why,
             registry_size(w->reg), registry_revoked_count(w->reg));
    return 1;
}

int registry_watch_tick(registry_watch *w, int64_t now_ms, int64_t *next_ms)
{
    file_sig now;
    int forced = w->forced, changed;

    if (!forced && now_ms < w->due_ms) {
        *next_ms = w->due_ms - now_ms;
        return 0;
    }
    w->forced = 0;
    w->due_ms = now_ms + REGISTRY_WATCH_INTERVAL_MS;
    *next_ms = REGISTRY_WATCH_INTERVAL_MS;
    /* Taken before reading: a write that lands during the load changes
     * the file again, and the next look loads that too. */
    now = sig_of(w->path);
    changed = !sig_equal(&now, &w->seen);
    w->seen = now;
    if (now.err != 0) {
        if (changed || forced)
            log_error("cannot read registry %s: %s; the previous one stays in force", w->path,
                      strerror(now.err));
        return 0;
    }
    if (!changed && !forced)
        return 0;
    return reload(w, forced ? "SIGHUP" : "the file changed");
}
