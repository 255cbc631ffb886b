/* Logging of the broker and the daemons: one line per event on stderr,
 * with time and level. */
#ifndef SYND_LOG_H
#define SYND_LOG_H

typedef enum log_level {
    LOG_LEVEL_DEBUG,
    LOG_LEVEL_INFO,
    LOG_LEVEL_WARN,
    LOG_LEVEL_ERROR
} log_level;

/* Parses "debug", "info", "warn" or "error". Returns 0, or -1. */
int log_parse_level(const char *name, log_level *level);

/* Sets the lowest level that is printed. Not thread-safe: call at start. */
void log_set_level(log_level level);

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

#endif
