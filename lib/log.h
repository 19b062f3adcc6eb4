/*
 * log: the one logging shim of both programs.
 *
 * Messages go to stderr (foreground, tests) or to syslog(3) (daemon mode).
 * Each line is prefixed with the program name.  When stderr is the systemd
 * journal (JOURNAL_STREAM names it), each line starts with its syslog
 * priority as sd-daemon(3) reads it: "<3>" for warn and warnx, "<6>" for
 * info, "<7>" for debug, so that `journalctl -p err` shows the errors.
 * Nothing here exits: only main() decides to stop.  All calls are safe
 * from several threads (one write(2) or syslog(3) per line).
 */
#ifndef LF_LOG_H
#define LF_LOG_H

#include <stdarg.h>

void	log_init(const char *progname, int use_syslog);
void	log_set_verbose(int verbose);
/* 1 when lines go to the journal, which stamps each with its own time. */
int	log_journal(void);

/* warn: appends ": strerror(errno)"; warnx: message only. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* debug: only printed when verbose. */
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
