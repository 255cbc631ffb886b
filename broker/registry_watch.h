/* Keeps the loaded registry in step with its file: the broker asks from
 * its poll loop, and the file is looked at once a second (its inode, size
 * and modification time) or at once after SIGHUP. A file that fails to
 * load leaves the registry as it was, and the reason is logged with the
 * file, line and what to fix. */
#ifndef SYND_REGISTRY_WATCH_H
#define SYND_REGISTRY_WATCH_H

#include <stdint.h>

#include "registry.h"

#define REGISTRY_WATCH_INTERVAL_MS 1000

typedef struct registry_watch registry_watch;

/* Watches path, from which reg was just loaded; both are borrowed. Returns
 * NULL when out of memory. */
registry_watch *registry_watch_new(registry *reg, const char *path);

void registry_watch_free(registry_watch *w);

/* Reloads at the next tick even if the file looks unchanged (SIGHUP). */
void registry_watch_force(registry_watch *w);

/* Looks at the file when due (every REGISTRY_WATCH_INTERVAL_MS, or forced)
 * and reloads reg if it changed. Returns 1 when reg now holds a new file,
 * 0 otherwise; *next_ms is the ms until it wants to run again. */
int registry_watch_tick(registry_watch *w, int64_t now_ms, int64_t *next_ms);

#endif
