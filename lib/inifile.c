/* inifile: see inifile.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "fsutil.h"
#include "inifile.h"
#include "log.h"

int
ini_fail(struct inifile *ini, const char *fmt, ...)
{
	va_list	 ap;

	if (ini->why[0] == '\0') {
		va_start(ap, fmt);
		(void)vsnprintf(ini->why, sizeof(ini->why), fmt, ap);
		va_end(ap);
	}
	return 0;
}

const char *
ini_word(const char **v, size_t *len)
{
	const char	*w = *v + strspn(*v, " \t");

	if (*w == '\0')
		return NULL;
	*len = strcspn(w, " \t");
	*v = w + *len;
	return w;
}

int
ini_once(struct inifile *ini, const char *section, const char *key)
{
	char	 k[512];

	if (xsnprintf(k, sizeof(k), "%s\n%s", section, key) == -1)
		return ini_fail(ini, "%s: key too long", key);
	if (strlist_has(&ini->seen, k))
		return ini_fail(ini, "%s: set twice in [%s]", key, section);
	if (strlist_add(&ini->seen, k) == -1)
		return ini_fail(ini, "%s: %s", key, strerror(errno));
	return 1;
}

int
ini_set_str(struct inifile *ini, char **dst, const char *v, const char *key)
{
	if (*v == '\0')
		return ini_fail(ini, "%s: empty value", key);
	free(*dst);
	if ((*dst = strdup(v)) == NULL)
		return ini_fail(ini, "%s: %s", key, strerror(errno));
	return 1;
}

int
ini_set_path(struct inifile *ini, char **dst, const char *v, const char *key)
{
	if (v[0] != '/')
		return ini_fail(ini, "%s: \"%s\" is not an absolute path", key,
		    v);
	return ini_set_str(ini, dst, v, key);
}

int
ini_set_uint(struct inifile *ini, unsigned *dst, const char *v,
    const char *key, unsigned long min, unsigned long max)
{
	char		*end;
	unsigned long	 n;

	errno = 0;
	if (!isdigit((unsigned char)v[0]))
		return ini_fail(ini, "%s: \"%s\" is not a number", key, v);
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return ini_fail(ini, "%s: \"%s\" is not a number from %lu to "
		    "%lu", key, v, min, max);
	*dst = (unsigned)n;
	return 1;
}

int
ini_set_percent(struct inifile *ini, unsigned *dst, const char *v,
    const char *key)
{
	char	 n[16];
	size_t	 len = strlen(v);

	if (len > 0 && v[len - 1] == '%')
		len--;
	if (len >= sizeof(n))
		return ini_fail(ini, "%s: \"%s\" is not a percentage", key, v);
	memcpy(n, v, len);
	n[len] = '\0';
	return ini_set_uint(ini, dst, n, key, 0, 100);
}

int
ini_set_bool(struct inifile *ini, int *dst, const char *v, const char *key)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*dst = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*dst = 0;
	else
		return ini_fail(ini, "%s: \"%s\" is not yes or no", key, v);
	return 1;
}

/* inih cuts longer lines and ends a line at a NUL: refuse both. */
static int
check_lines(const char *path)
{
	FILE	*f;
	int	 ch, col = 0, line = 1, rc = 0;

	if ((f = fopen(path, "re")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	while ((ch = getc(f)) != EOF) {
		if (ch == '\n') {
			line++;
			col = 0;
		} else if (ch == '\0') {
			log_warnx("%s:%d: NUL byte", path, line);
			rc = -1;
		} else if (++col == INI_LINE_MAX + 1) {
			log_warnx("%s:%d: line longer than %d bytes; continue "
			    "a long value on indented lines", path, line,
			    INI_LINE_MAX);
			rc = -1;
		}
	}
	(void)fclose(f);
	return rc;
}

/* inih's reader: fgets(3) that counts lines. */
static char *
read_line(char *str, int num, void *stream)
{
	struct inifile	*ini = stream;
	size_t		 n;

	if (fgets(str, num, ini->f) == NULL)
		return NULL;
	ini->line = ini->done + 1;
	n = strlen(str);
	if (n > 0 && str[n - 1] == '\n')
		ini->done++;
	return str;
}

/* The handler inih calls: after the first error, no line reaches fn
 * (inih itself goes on parsing: a key of a refused section must not be
 * taken as if the section were there). */
struct ini_call {
	struct inifile	*ini;
	ini_fn		 fn;
	void		*user;
};

static int
call(void *v, const char *section, const char *key, const char *value)
{
	struct ini_call	*c = v;

	if (c->ini->why[0] != '\0')
		return 0;
	if (c->fn(c->user, section, key, value))
		return 1;
	if (c->ini->why[0] == '\0')
		(void)ini_fail(c->ini, "[%s] %s: refused", section, key);
	return 0;
}

int
ini_load(struct inifile *ini, const char *path, ini_fn fn, void *user)
{
	struct ini_call	 c = { ini, fn, user };
	int		 line;

	ini->path = path;
	if (check_lines(path) == -1)
		return -1;
	if ((ini->f = fopen(path, "re")) == NULL)
		line = -1;
	else {
		line = ini_parse_stream(read_line, ini, call, &c);
		(void)fclose(ini->f);
		ini->f = NULL;
	}
	strlist_free(&ini->seen);
	if (line == -1)
		log_warn("%s", path);
	else if (line == -2)
		log_warnx("%s: out of memory", path);
	else if (line > 0)
		log_warnx("%s:%d: %s", path, line,
		    ini->why[0] != '\0' ? ini->why : "syntax error");
	return line == 0 ? 0 : -1;
}
