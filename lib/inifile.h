/*
 * inifile: the INI layer under every configuration file listfeed reads
 * (listfeed.conf(5), relay.conf, TEMPLATES/NAME.format): Debian's libinih
 * with line numbers, the refusal of what inih would misread, and one
 * setter, with one message, per kind of value.
 *
 * A parser embeds a struct inifile, sets nothing in it, and passes it to
 * ini_load() with its inih handler.  The handler takes each value with
 * the ini_set_*() setters or refuses it with ini_fail(): they return 1
 * when the value is taken and 0 after recording the first error, and 0
 * from the handler stops inih's parse.  ini_load() then logs
 * "FILE:LINE: reason" through log_warnx() and returns -1.
 *
 * Refused before inih reads the file, each with FILE:LINE: a line longer
 * than INI_LINE_MAX bytes (inih would cut it), a NUL byte (inih would take
 * it for the line's end).  Nothing here exits.
 */
#ifndef LF_INIFILE_H
#define LF_INIFILE_H

#include <stdio.h>

#include "strlist.h"

#define INI_LINE_MAX	199	/* the bytes of a line Debian's libinih reads */

struct inifile {
	const char	*path;		/* set by ini_load() */
	unsigned long	 line;		/* the line inih is parsing */
	char		 why[1024];	/* the first error */
	struct strlist	 seen;		/* ini_once(): "section\nkey" */
	FILE		*f;		/* ini_load()'s own */
	unsigned long	 done;		/* lines read to their end */
};

/* The handler: user as given to ini_load(); 1 go on, 0 stop (no later
 * line reaches it; the first error is the one reported). */
typedef int (*ini_fn)(void *user, const char *section, const char *key,
	    const char *value);

/*
 * Parses path with fn.  0, or -1 with the reason logged: the file cannot
 * be read, a line too long or with a NUL, or the first error fn recorded
 * (or inih's "syntax error") with its line.  ini is emptied either way.
 */
int	ini_load(struct inifile *ini, const char *path, ini_fn fn,
	    void *user);

/*
 * The next word of a value of white-space separated words, from *v on:
 * its start, its length in *len, and *v past it; NULL at the value's end.
 */
const char	*ini_word(const char **v, size_t *len);

/* Records the first error (printf-style); returns 0. */
int	ini_fail(struct inifile *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* A scalar key may be set once per section; else 0 ("set twice"). */
int	ini_once(struct inifile *, const char *section, const char *key);

/* A copy of v, which may not be empty; *dst's old value is freed. */
int	ini_set_str(struct inifile *, char **dst, const char *v,
	    const char *key);
/* As ini_set_str(), for an absolute path (a relative one would depend
 * on the working directory). */
int	ini_set_path(struct inifile *, char **dst, const char *v,
	    const char *key);
/* Decimal digits only, min..max. */
int	ini_set_uint(struct inifile *, unsigned *dst, const char *v,
	    const char *key, unsigned long min, unsigned long max);
/* A percentage 0..100, "20" or "20%". */
int	ini_set_percent(struct inifile *, unsigned *dst, const char *v,
	    const char *key);
/* yes true on 1, or no false off 0. */
int	ini_set_bool(struct inifile *, int *dst, const char *v,
	    const char *key);

#endif
