/*
 * log: the one logging shim of both programs.
 *
 * Messages go to stderr (foreground, tests) or to syslog(3) (daemon mode).
 * Each line is prefixed with the program name, and on a stderr that is
 * systemd's journal (JOURNAL_STREAM) with the priority ("<3>" for warn
 * and warnx, "<6>" info, "<7>" debug), which the journal keeps.  Nothing here exits: only
 * main() decides to stop.  All calls are safe from several threads (one
 * write(2) or syslog(3) per line).
 */
#ifndef LF_LOG_H
#define LF_LOG_H

#include <stdarg.h>

void	log_init(const char *progname, int use_syslog);
void	log_set_verbose(int verbose);
int	log_verbose(void);

/* warn: appends ": strerror(errno)"; warnx: message only. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* debug: only printed when verbose. */
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
