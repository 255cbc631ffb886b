/* Logging to stderr, line-buffered so that lines from several processes
 * writing to one terminal or file do not interleave. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static log_level min_level = LOG_LEVEL_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

int log_parse_level(const char *name, log_level *level)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *level = (log_level)i;
            return 0;
        }
    }
    return -1;
}

void log_set_level(log_level level)
{
    min_level = level;
}

void log_msg(log_level level, const char *fmt, ...)
{
    char line[1024], stamp[32];
    struct timespec ts;
    struct tm tm;
    va_list ap;

    if (level < min_level)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s.%03ldZ %-5s %s\n", stamp, ts.tv_nsec / 1000000, level_names[level], line);
    fflush(stderr);
}
