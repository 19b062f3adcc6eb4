/* format: see format.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "fsutil.h"
#include "inifile.h"
#include "log.h"
#include "valid.h"

const char *const format_row_keys[] = {
	"email", "name", "reception", "owner", "moderator", NULL
};
/* A header is written once, with no member: literal text only. */
static const char *const header_keys[] = { NULL };

struct fparse {
	struct inifile		 ini;
	struct lf_format	*f;
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

	if (*dst != NULL)
		return ini_fail(&p->ini, "%s: set twice", k);
	if ((*dst = unescape(v)) == NULL)
		return ini_fail(&p->ini, "%s: %s", k, errno == EINVAL ?
		    "only \\t and \\\\ escapes are known" : strerror(errno));
	if (tmpl_check(*dst, strlen(*dst), keys, why, sizeof(why)) == -1)
		return ini_fail(&p->ini, "%s: %s", k, why);
	return 1;
}

static int
fhandler(void *user, const char *section, const char *k, const char *v)
{
	struct fparse		*p = user;
	struct lf_format	*f = p->f;
	int			 e;

	if (strcmp(section, "format") != 0)
		return ini_fail(&p->ini, "unknown section [%s]", section);
	if (strcmp(k, "description") == 0) {
		free(f->description);
		return (f->description = strdup(v)) != NULL;
	}
	if (strcmp(k, "escape") == 0) {
		if ((e = esc_parse(v)) == -1 || e == ESC_HTML)
			return ini_fail(&p->ini, "escape: \"%s\" is not none, "
			    "csv or mailbox", v);
		f->escape = (enum esc)e;
		return 1;
	}
	if (strcmp(k, "newline") == 0) {
		if (strcmp(v, "lf") == 0)
			f->newline = "\n";
		else if (strcmp(v, "crlf") == 0)
			f->newline = "\r\n";
		else
			return ini_fail(&p->ini, "newline: \"%s\" is not lf or "
			    "crlf", v);
		return 1;
	}
	if (strcmp(k, "header") == 0)
		return set_tmpl(p, &f->header, k, v, header_keys);
	if (strcmp(k, "row") == 0)
		return set_tmpl(p, &f->row, k, v, format_row_keys);
	if (strcmp(k, "row_noname") == 0)
		return set_tmpl(p, &f->row_noname, k, v, format_row_keys);
	return ini_fail(&p->ini, "unknown key \"%s\"", k);
}

int
format_load(const char *dir, const char *name, struct lf_format *f)
{
	struct fparse	 p;
	char		 path[PATH_MAX];

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
	if (ini_load(&p.ini, path, fhandler, &p) == 0) {
		if (f->row != NULL)
			return 0;
		log_warnx("%s: no row template", path);
	}
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
