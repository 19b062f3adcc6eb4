/* format: see format.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "format.h"
#include "fsutil.h"
#include "log.h"
#include "valid.h"

const char *const format_row_keys[] = {
	"email", "name", "reception", "owner", "moderator", NULL
};
/* A header is written once, with no member: literal text only. */
static const char *const header_keys[] = { NULL };

struct fparse {
	struct lf_format	*f;
	char			 why[160];
};

/* "\t" -> tab, "\\" -> backslash; other backslashes are errors. */
static char *
unescape(const char *v)
{
	char	*s, *o;

	if ((s = o = malloc(strlen(v) + 1)) == NULL)
		return NULL;
	for (; *v != '\0'; v++) {
		if (*v != '\\') {
			*o++ = *v;
			continue;
		}
		v++;
		if (*v == 't')
			*o++ = '\t';
		else if (*v == '\\')
			*o++ = '\\';
		else {
			free(s);
			errno = EINVAL;
			return NULL;
		}
	}
	*o = '\0';
	return s;
}

static int
set_tmpl(struct fparse *p, char **dst, const char *k, const char *v,
    const char *const keys[])
{
	char	 why[96];

	if (*dst != NULL) {
		(void)snprintf(p->why, sizeof(p->why), "%s: set twice", k);
		return 0;
	}
	if ((*dst = unescape(v)) == NULL) {
		(void)snprintf(p->why, sizeof(p->why), "%s: %s", k,
		    errno == EINVAL ? "only \\t and \\\\ escapes are known" :
		    strerror(errno));
		return 0;
	}
	if (tmpl_check(*dst, strlen(*dst), keys, why,
	    sizeof(why)) == -1) {
		(void)snprintf(p->why, sizeof(p->why), "%s: %s", k, why);
		return 0;
	}
	return 1;
}

static int
fhandler(void *user, const char *section, const char *k, const char *v)
{
	struct fparse		*p = user;
	struct lf_format	*f = p->f;
	int			 e;

	if (strcmp(section, "format") != 0) {
		(void)snprintf(p->why, sizeof(p->why), "unknown section [%s]",
		    section);
		return 0;
	}
	if (strcmp(k, "description") == 0) {
		free(f->description);
		return (f->description = strdup(v)) != NULL;
	}
	if (strcmp(k, "escape") == 0) {
		if ((e = esc_parse(v)) == -1 || e == ESC_HTML) {
			(void)snprintf(p->why, sizeof(p->why), "escape: \"%s\" "
			    "is not none, csv or mailbox", v);
			return 0;
		}
		f->escape = (enum esc)e;
		return 1;
	}
	if (strcmp(k, "newline") == 0) {
		if (strcmp(v, "lf") == 0)
			f->newline = "\n";
		else if (strcmp(v, "crlf") == 0)
			f->newline = "\r\n";
		else {
			(void)snprintf(p->why, sizeof(p->why), "newline: \"%s\" "
			    "is not lf or crlf", v);
			return 0;
		}
		return 1;
	}
	if (strcmp(k, "header") == 0)
		return set_tmpl(p, &f->header, k, v, header_keys);
	if (strcmp(k, "row") == 0)
		return set_tmpl(p, &f->row, k, v, format_row_keys);
	if (strcmp(k, "row_noname") == 0)
		return set_tmpl(p, &f->row_noname, k, v, format_row_keys);
	(void)snprintf(p->why, sizeof(p->why), "unknown key \"%s\"", k);
	return 0;
}

int
format_load(const char *dir, const char *name, struct lf_format *f)
{
	struct fparse	 p;
	char		 path[PATH_MAX];
	int		 line;

	memset(f, 0, sizeof(*f));
	memset(&p, 0, sizeof(p));
	p.f = f;
	f->newline = "\n";
	if (!valid_format_name(name)) {
		log_warnx("format \"%s\": not a valid format name", name);
		return -1;
	}
	if (xsnprintf(path, sizeof(path), "%s/%s.format", dir, name) == -1) {
		log_warnx("%s: path too long", dir);
		return -1;
	}
	if ((f->name = strdup(name)) == NULL) {
		log_warn("format %s", name);
		return -1;
	}
	line = ini_parse(path, fhandler, &p);
	if (line == -1)
		log_warn("format %s: %s", name, path);
	else if (line != 0)
		log_warnx("%s:%d: %s", path, line,
		    p.why[0] ? p.why : "syntax error");
	else if (f->row == NULL)
		log_warnx("%s: no row template", path);
	else
		return 0;
	format_free(f);
	return -1;
}

void
format_free(struct lf_format *f)
{
	free(f->name);
	free(f->description);
	free(f->header);
	free(f->row);
	free(f->row_noname);
	memset(f, 0, sizeof(*f));
}
