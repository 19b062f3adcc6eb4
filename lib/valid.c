/* valid: see valid.h. */
#include <stdint.h>
#include <string.h>

#include "unicode.h"
#include "valid.h"

static int
is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
is_alnum(int c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

int
valid_list_name_n(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > VALID_LIST_MAX || !is_lower_alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

int
valid_list_name(const char *s)
{
	return s != NULL && valid_list_name_n(s, strnlen(s, VALID_LIST_MAX + 1));
}

int
valid_format_name(const char *s)
{
	size_t	 i, n;

	if (s == NULL || (n = strnlen(s, VALID_FORMAT_MAX + 1)) == 0 ||
	    n > VALID_FORMAT_MAX || !is_lower_alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return 1;
}

int
valid_fingerprint(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return 0;
	for (i = 0; i < 40; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[40] == '\0';
}

int
valid_pgp_fingerprint(const char *in, char *out)
{
	size_t	 i;
	char	 c;

	if (in == NULL)
		return 0;
	for (i = 0; i < VALID_PGP_FPR_LEN; i++) {
		c = in[i];
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return 0;
		out[i] = c;
	}
	if (in[i] != '\0')
		return 0;
	out[i] = '\0';
	return 1;
}

/* RFC 5322 atext. */
static int
is_atext(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c)
	    != NULL);
}

static int
check_local(const char *s, size_t n)
{
	size_t	 i;

	/* A leading '#' is legal, but Sympa reads such a line as a comment. */
	if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.' || s[0] == '#')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static int
check_domain(const char *s, size_t n)
{
	size_t	 i, label = 0, labels = 0;
	int	 tld_alpha = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return 0;
			labels++;
			label = 0;
			tld_alpha = 0;
			continue;
		}
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
		if (label == 0 && s[i] == '-')
			return 0;
		if (!(s[i] >= '0' && s[i] <= '9'))
			tld_alpha = 1;
		label++;
	}
	/* At least two labels; the last not all digits (no IP addresses).
	 * tld_alpha was reset at the final label's end: look again. */
	for (i = n; i > 0 && s[i - 1] != '.'; i--)
		if (!(s[i - 1] >= '0' && s[i - 1] <= '9'))
			tld_alpha = 1;
	return labels >= 2 && tld_alpha;
}

enum email_status
valid_email(const char *in, size_t len, char *out, size_t outsz)
{
	const char	*at = NULL;
	size_t		 i;

	if (outsz > 0)
		out[0] = '\0';
	if (in == NULL || len == 0)
		return EMAIL_EMPTY;
	if (len > VALID_EMAIL_MAX || outsz < len + 1)
		return EMAIL_TOO_LONG;
	for (i = 0; i < len; i++)
		if (in[i] == '@') {
			if (at != NULL)
				return EMAIL_BAD_LOCAL;
			at = in + i;
		}
	if (at == NULL)
		return EMAIL_NO_AT;
	if (!check_local(in, (size_t)(at - in)))
		return EMAIL_BAD_LOCAL;
	if (!check_domain(at + 1, len - (size_t)(at - in) - 1))
		return EMAIL_BAD_DOMAIN;
	memcpy(out, in, len);
	out[len] = '\0';
	for (i = (size_t)(at - in) + 1; i < len; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	return EMAIL_OK;
}


int
valid_rel_path(const char *p)
{
	size_t	 i, seg = 0;

	if (p == NULL || p[0] == '\0' || p[0] == '/' || strstr(p, "..") !=
	    NULL || strlen(p) > VALID_REL_PATH_MAX)
		return 0;
	for (i = 0; ; i++) {
		if (p[i] == '/' || p[i] == '\0') {
			if (seg == 0 || (seg == 1 && p[i - 1] == '.'))
				return 0;
			if (p[i] == '\0')
				return 1;
			seg = 0;
			continue;
		}
		if (!is_alnum((unsigned char)p[i]) && p[i] != '.' &&
		    p[i] != '_' && p[i] != '-')
			return 0;
		seg++;
	}
}

void
valid_lower(const char *in, char *out, size_t outsz)
{
	size_t	 i;

	if (outsz == 0)
		return;
	for (i = 0; in[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ?
		    (char)(in[i] - 'A' + 'a') : in[i];
	out[i] = '\0';
}

static int
is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f' || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202f || c == 0x205f || c == 0x3000 || c == 0x85;
}

/* Already clean: printable ASCII, single inner spaces (most names). */
static int
clean_ascii(const unsigned char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return 1;
	if (s[0] == ' ' || s[len - 1] == ' ')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == ' ') {
			if (s[i + 1] == ' ')	/* the last byte is no space */
				return 0;
		} else if (s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	}
	return 1;
}

size_t
valid_clean_name(const char *in, size_t len, char *out, size_t outsz)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 i = 0, o = 0, ncp = 0, step;
	uint32_t		 c;
	int			 pending_space = 0;

	if (outsz == 0)
		return 0;
	if (in != NULL && len <= VALID_NAME_MAX && len < outsz &&
	    clean_ascii(s, len)) {
		memcpy(out, in, len);
		out[len] = '\0';
		return len;
	}
	while (in != NULL && i < len && ncp < VALID_NAME_MAX) {
		if ((step = uni_decode(in + i, len - i, &c)) == 0)
			step = 1;	/* c is U+FFFD */
		i += step;
		if (is_space(c)) {
			pending_space = (o > 0);
			continue;
		}
		if (uni_invisible(c))
			continue;
		if (pending_space) {
			if (o + 1 >= outsz || ncp + 1 >= VALID_NAME_MAX)
				break;
			out[o++] = ' ';
			ncp++;
			pending_space = 0;
		}
		if (o + UNI_LEN_MAX >= outsz)
			break;
		o += uni_encode(c, out + o);
		ncp++;
	}
	out[o] = '\0';
	return o;
}

int
valid_name_safe(const char *in, size_t len)
{
	size_t		 i = 0, step, ncp = 0;
	uint32_t	 c;
	int		 space = 1;	/* a space here would lead */

	if (in == NULL || len == 0)
		return 0;
	while (i < len) {
		if ((step = uni_decode(in + i, len - i, &c)) == 0 ||
		    ++ncp > VALID_NAME_MAX)
			return 0;
		i += step;
		if (c == ' ' && !space) {
			space = 1;
			continue;
		}
		if (is_space(c) || uni_control(c))
			return 0;
		space = 0;
	}
	return !space;
}
