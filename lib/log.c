/* log: see log.h. */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static const char	*prog = "listfeed";
static int		 use_syslog;
static int		 verbose;
static int		 journal;

/*
 * systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it connects
 * to stdout and stderr; it names the journal only while stderr is still
 * that stream (a shell redirection in between changes the inode).
 */
static int
stderr_is_journal(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;
	char			 end;

	if (js == NULL || sscanf(js, "%llu:%llu%c", &dev, &ino, &end) != 2 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *progname, int syslog_on)
{
	if (progname != NULL)
		prog = progname;
	use_syslog = syslog_on;
	journal = !syslog_on && stderr_is_journal();
	if (use_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_verbose(int v)
{
	verbose = v;
}

int
log_journal(void)
{
	return journal;
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char	 msg[2048], line[2200], pfx[8] = "";
	int	 n;

	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		(void)strcpy(msg, "(unprintable message)");
	if (use_syslog) {
		if (suffix != NULL)
			syslog(pri, "%s: %s", msg, suffix);
		else
			syslog(pri, "%s", msg);
		return;
	}
	if (journal)
		(void)snprintf(pfx, sizeof(pfx), "<%d>", pri);
	if (suffix != NULL)
		n = snprintf(line, sizeof(line), "%s%s: %s: %s\n", pfx, prog,
		    msg, suffix);
	else
		n = snprintf(line, sizeof(line), "%s%s: %s\n", pfx, prog, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* One write per line so that threads do not interleave. */
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

void
log_warn(const char *fmt, ...)
{
	char		 ebuf[128];
	const char	*e;
	int		 saved = errno;
	va_list		 ap;

	/* GNU strerror_r: returns the message, maybe not in ebuf. */
	e = strerror_r(saved, ebuf, sizeof(ebuf));
	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, e);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}
