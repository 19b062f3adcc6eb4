/* optfile: see optfile.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "optfile.h"

#define KEY_MAX		64
#define HOST_MAX	253

enum vtype { V_HOST, V_PORT, V_PATH, V_TEXT, V_ONE, V_UTF8MB4 };

static const struct {
	const char	*name;
	enum vtype	 type;
} keys[OPTFILE_NKEYS] = {
	[OPTFILE_HOST] =	{ "host", V_HOST },
	[OPTFILE_PORT] =	{ "port", V_PORT },
	[OPTFILE_SOCKET] =	{ "socket", V_PATH },
	[OPTFILE_USER] =	{ "user", V_TEXT },
	[OPTFILE_PASSWORD] =	{ "password", V_TEXT },
	[OPTFILE_DATABASE] =	{ "database", V_TEXT },
	[OPTFILE_SSL_CA] =	{ "ssl-ca", V_PATH },
	[OPTFILE_SSL_CERT] =	{ "ssl-cert", V_PATH },
	[OPTFILE_SSL_KEY] =	{ "ssl-key", V_PATH },
	[OPTFILE_SSL_CRL] =	{ "ssl-crl", V_PATH },
	[OPTFILE_SSL_CAPATH] =	{ "ssl-capath", V_PATH },
	[OPTFILE_SSL_CRLPATH] =	{ "ssl-crlpath", V_PATH },
	[OPTFILE_SSL_VERIFY] =	{ "ssl-verify-server-cert", V_ONE },
	[OPTFILE_CHARSET] =	{ "default-character-set", V_UTF8MB4 },
};

/* The groups Connector/C reads besides the configured one. */
static const char *const lib_groups[] = { "client", "client-server",
	"client-mariadb" };

/* One parse: where, what is allowed, and whether to say why not. */
struct parse {
	const char	*name;
	const char	*group;
	unsigned	 line;
	int		 quiet;
	int		 failed;
};

static void refuse(struct parse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
refuse(struct parse *p, const char *fmt, ...)
{
	char	 msg[400];
	va_list	 ap;

	p->failed = 1;
	if (p->quiet)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%u: %s", p->name, p->line, msg);
}

/* Connector/C's white space (isspace() in the C locale). */
static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

static int
is_print(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* [group]: 1 when the group is one Connector/C reads here. */
static void
group_line(struct parse *p, const char *s, size_t n, int *in_group)
{
	size_t	 i, len;

	for (len = 1; len < n && s[len] != ']'; len++)
		if (!is_alnum(s[len]) && s[len] != '-' && s[len] != '_' &&
		    s[len] != '.')
			break;
	for (i = len + 1; i < n && is_ws(s[i]); i++)
		;
	if (len >= n || s[len] != ']' || len == 1 || i < n) {
		refuse(p, "%s", "a group is a name in brackets, alone on "
		    "its line");
		*in_group = 0;
		return;
	}
	for (i = 0; i < sizeof(lib_groups) / sizeof(lib_groups[0]); i++)
		if (strlen(lib_groups[i]) == len - 1 &&
		    memcmp(lib_groups[i], s + 1, len - 1) == 0)
			break;
	if (i == sizeof(lib_groups) / sizeof(lib_groups[0]) &&
	    (strlen(p->group) != len - 1 ||
	    memcmp(p->group, s + 1, len - 1) != 0)) {
		char	 g[KEY_MAX + 1];

		(void)snprintf(g, sizeof(g), "%.*s", (int)(len - 1), s + 1);
		refuse(p, "group [%s] is not read (only [client], "
		    "[client-server], [client-mariadb] and [%s])", g,
		    p->group);
		*in_group = 0;
		return;
	}
	*in_group = 1;
}

/* s (n bytes) for a message: at most KEY_MAX bytes, '?' for unprintable. */
static void
shown(char *out, const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && i < KEY_MAX; i++)
		out[i] = is_print(s[i]) ? s[i] : '?';
	out[i] = '\0';
}

/* The allowed key spelt s (n bytes), or OPTFILE_NKEYS. */
static enum optfile_key
key_lookup(struct parse *p, const char *s, size_t n)
{
	char		 k[KEY_MAX + 1];
	size_t		 i;
	int		 key;

	for (i = 0; i < n && i < KEY_MAX; i++)
		k[i] = s[i] == '_' ? '-' : s[i];
	k[i] = '\0';
	for (key = 0; key < OPTFILE_NKEYS && n <= KEY_MAX; key++)
		if (strcmp(k, keys[key].name) == 0)
			return (enum optfile_key)key;
	shown(k, s, n);
	refuse(p, "key \"%s\" is not allowed in the option file (allowed: "
	    "host, port, socket, user, password, database, ssl-ca, ssl-cert, "
	    "ssl-key, ssl-crl, ssl-capath, ssl-crlpath, "
	    "ssl-verify-server-cert = 1, default-character-set = utf8mb4)", k);
	return OPTFILE_NKEYS;
}

/*
 * The value as Connector/C reads it: quotes removed, escapes replaced.
 * NULL (refused) or a new string.
 */
static char *
value_text(struct parse *p, const char *s, size_t n, const char *key)
{
	char	*v, *o;
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!is_print(s[i])) {
			refuse(p, "%s: the value may hold printable ASCII "
			    "only", key);
			return NULL;
		}
	if (n > 0 && (s[0] == '"' || s[0] == '\'')) {
		if (n < 2 || s[n - 1] != s[0]) {
			refuse(p, "%s: the value's quotes do not match", key);
			return NULL;
		}
		s++;
		n -= 2;
	} else if (n > 0 && (s[n - 1] == '"' || s[n - 1] == '\'')) {
		refuse(p, "%s: the value ends with a quote it does not start "
		    "with", key);
		return NULL;
	}
	if ((v = o = malloc(n + 1)) == NULL) {
		refuse(p, "%s: out of memory", key);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			*o++ = s[i];
			continue;
		}
		if (i + 1 == n || strchr("\\\"'s", s[i + 1]) == NULL) {
			refuse(p, "%s: only \\\\, \\\", \\' and \\s are "
			    "escapes in the value", key);
			free(v);
			return NULL;
		}
		i++;
		*o++ = s[i] == 's' ? ' ' : s[i];
	}
	*o = '\0';
	if (*v == '\0') {
		refuse(p, "%s: the value is empty", key);
		free(v);
		return NULL;
	}
	return v;
}

/* The value fits the key's type: 0 or -1 (refused). */
static int
value_check(struct parse *p, enum optfile_key key, const char *v)
{
	const char	*name = keys[key].name;
	size_t		 i, len = strlen(v);
	unsigned long	 port = 0;

	switch (keys[key].type) {
	case V_HOST:
		for (i = 0; i < len; i++)
			if (!is_alnum(v[i]) && v[i] != '.' && v[i] != '-' &&
			    v[i] != '_' && v[i] != ':')
				break;
		if (i == len && len <= HOST_MAX)
			return 0;
		refuse(p, "%s: not a host name or IP address", name);
		return -1;
	case V_PORT:
		for (i = 0; i < len && i < 6 && v[i] >= '0' && v[i] <= '9'; i++)
			port = port * 10 + (unsigned long)(v[i] - '0');
		if (i == len && port >= 1 && port <= 65535)
			return 0;
		refuse(p, "%s: not a port number (1 to 65535)", name);
		return -1;
	case V_PATH:
		if (v[0] == '/' && len < 4096)
			return 0;
		refuse(p, "%s: not an absolute path", name);
		return -1;
	case V_TEXT:
		return 0;
	case V_ONE:
		if (strcmp(v, "1") == 0)
			return 0;
		refuse(p, "ssl-verify-server-cert = %s would turn certificate "
		    "verification off; it is always on: remove the line", v);
		return -1;
	case V_UTF8MB4:
		if (strcmp(v, "utf8mb4") == 0)
			return 0;
		refuse(p, "default-character-set = %s: the connection is "
		    "always utf8mb4 (utf8 is utf8mb3, which turns 4-byte "
		    "characters into '?'): remove the line", v);
		return -1;
	}
	return -1;
}

/* "key = value" (s: n bytes from the first non-blank byte). */
static void
setting_line(struct parse *p, const char *s, size_t n, struct optfile *of)
{
	size_t		 kn, vs, ve;
	enum optfile_key key;
	char		*v, k[KEY_MAX + 1];

	for (kn = 0; kn < n && s[kn] != '=' && !is_ws(s[kn]); kn++)
		;
	for (vs = kn; vs < n && is_ws(s[vs]); vs++)
		;
	if (vs == n || s[vs] != '=') {
		shown(k, s, kn);
		refuse(p, "\"%s\": not a setting (key = value)", k);
		return;
	}
	if ((key = key_lookup(p, s, kn)) == OPTFILE_NKEYS)
		return;
	for (vs++; vs < n && is_ws(s[vs]); vs++)
		;
	for (ve = n; ve > vs && is_ws(s[ve - 1]); ve--)
		;
	if ((v = value_text(p, s + vs, ve - vs, keys[key].name)) == NULL)
		return;
	if (value_check(p, key, v) == -1) {
		free(v);
		return;
	}
	free(of->val[key]);
	of->val[key] = v;
}

static void
one_line(struct parse *p, const char *s, size_t n, int *in_group,
    int *seen_group, struct optfile *of)
{
	while (n > 0 && is_ws(*s)) {
		s++;
		n--;
	}
	if (n == 0 || *s == '#' || *s == ';')
		return;
	if (*s == '!') {
		refuse(p, "%s", "!include and !includedir are not allowed in "
		    "the option file");
		return;
	}
	if (*s == '[') {
		*seen_group = 1;
		group_line(p, s, n, in_group);
		return;
	}
	if (!*seen_group) {
		refuse(p, "%s", "a setting before the first [group]");
		return;
	}
	/* A refused group's settings are not read, nor reported. */
	if (*in_group)
		setting_line(p, s, n, of);
}

int
optfile_parse(const char *name, const char *text, size_t len,
    const char *group, int flags, struct optfile *of)
{
	struct parse	 p;
	const char	*nl;
	size_t		 n;
	int		 in_group = 0, seen_group = 0;

	memset(of, 0, sizeof(*of));
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.group = group != NULL ? group : "";
	p.quiet = (flags & OPTFILE_QUIET) != 0;
	if (memchr(text, '\0', len) != NULL) {
		refuse(&p, "%s", "the file contains a NUL byte");
		return -1;
	}
	while (len > 0) {
		p.line++;
		nl = memchr(text, '\n', len);
		n = nl != NULL ? (size_t)(nl - text) + 1 : len;
		if (n > OPTFILE_LINE_MAX)
			refuse(&p, "%s", "line too long");
		else
			one_line(&p, text, n, &in_group, &seen_group, of);
		text += n;
		len -= n;
	}
	return p.failed ? -1 : 0;
}

int
optfile_load(const char *path, const char *group, int flags,
    struct optfile *of)
{
	char	*data;
	size_t	 len;
	int	 rc;

	memset(of, 0, sizeof(*of));
	if (secret_file_ok(path) == -1)
		return -1;
	if (read_file(path, OPTFILE_MAX, &data, &len) == -1) {
		if (!(flags & OPTFILE_QUIET))
			log_warn("%s", path);
		return -1;
	}
	rc = optfile_parse(path, data, len, group, flags, of);
	explicit_bzero(data, len);
	free(data);
	return rc;
}

void
optfile_free(struct optfile *of)
{
	size_t	 i;

	for (i = 0; i < OPTFILE_NKEYS; i++) {
		if (of->val[i] != NULL)
			explicit_bzero(of->val[i], strlen(of->val[i]));
		free(of->val[i]);
		of->val[i] = NULL;
	}
}

const char *
optfile_key_name(enum optfile_key key)
{
	return key < OPTFILE_NKEYS ? keys[key].name : "?";
}

unsigned
optfile_port(const struct optfile *of)
{
	const char	*v = of->val[OPTFILE_PORT];

	return v != NULL ? (unsigned)strtoul(v, NULL, 10) :
	    OPTFILE_PORT_DEFAULT;
}
