/* kind: see kind.h. */
#include <stdio.h>
#include <string.h>

#include "kind.h"
#include "valid.h"

static const struct kind_info table[KIND_N] = {
	[KIND_FORMAT] =
	    { NULL, "lists", 1, SF_RECEPTION_ALL, KIND_EACH_FORMAT },
	[KIND_SYMPA_MAIL] =
	    { "sympa-mail", "lists/mail", 1, SF_RECEPTION_MAIL, KIND_IF_SYMPA },
	[KIND_SYMPA_DIGEST] =
	    { "sympa-digest", "lists/digest", 1, SF_RECEPTION_DIGEST,
	    KIND_IF_SYMPA },
	[KIND_PLAIN] =
	    { "plain", "plain", 0, SF_RECEPTION_ALL, KIND_IF_PLAIN },
	[KIND_PLAIN_MAIL] =
	    { "plain-mail", "plain/mail", 0, SF_RECEPTION_MAIL, KIND_IF_PLAIN },
	[KIND_PLAIN_DIGEST] =
	    { "plain-digest", "plain/digest", 0, SF_RECEPTION_DIGEST,
	    KIND_IF_PLAIN },
};

/* plain/ is for the responder's group only. */
const struct kind_dir kind_dirs[] = {
	{ "lists", 0755 }, { "lists/mail", 0755 }, { "lists/digest", 0755 },
	{ "plain", 0750 }, { "plain/mail", 0750 }, { "plain/digest", 0750 },
};
const size_t kind_ndirs = sizeof(kind_dirs) / sizeof(kind_dirs[0]);

const struct kind_info *
kind_info(enum lf_kind k)
{
	return (unsigned)k < KIND_N ? &table[k] : NULL;
}

int
kind_reserved(const char *name)
{
	int	 k;

	for (k = 0; k < KIND_N; k++)
		if (table[k].key != NULL && strcmp(table[k].key, name) == 0)
			return 1;
	return 0;
}

int
kind_parse(const char *key, enum lf_kind *out)
{
	int	 k;

	for (k = 0; k < KIND_N; k++)
		if (table[k].key != NULL && strcmp(table[k].key, key) == 0) {
			*out = (enum lf_kind)k;
			return 0;
		}
	if (!valid_format_name(key))
		return -1;
	*out = KIND_FORMAT;
	return 0;
}

const char *
kind_key(enum lf_kind k, const char *format)
{
	return k == KIND_FORMAT ? format : table[k].key;
}

const char *
kind_format(enum lf_kind k, const char *format)
{
	return k == KIND_FORMAT ? format : KIND_SYMPA_FORMAT;
}

int
kind_has_header(enum lf_kind k, const char *format)
{
	return strcmp(kind_format(k, format), KIND_SYMPA_FORMAT) == 0;
}

int
kind_path(enum lf_kind k, const char *format, const char *list, char *out,
    size_t outsz)
{
	int	 n;

	if ((unsigned)k >= KIND_N)
		return -1;
	if (table[k].encrypted)
		n = snprintf(out, outsz, "%s/%s.%s.asc", table[k].dir, list,
		    kind_format(k, format));
	else
		n = snprintf(out, outsz, "%s/%s.%s", table[k].dir, list,
		    KIND_SYMPA_FORMAT);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

mode_t
kind_mode(enum lf_kind k)
{
	return table[k].encrypted ? 0644 : 0640;
}

int
kind_for_url(int asc, const char *format, enum sympafile_reception r,
    enum lf_kind *out)
{
	int	 k;

	if (asc && r == SF_RECEPTION_ALL) {
		if (!valid_format_name(format) || kind_reserved(format))
			return -1;
		*out = KIND_FORMAT;
		return 0;
	}
	if (asc && strcmp(format, KIND_SYMPA_FORMAT) != 0)
		return -1;
	for (k = 0; k < KIND_N; k++)
		if (table[k].key != NULL && table[k].encrypted == asc &&
		    table[k].reception == r) {
			*out = (enum lf_kind)k;
			return 0;
		}
	return -1;
}

int
kind_may_fetch(enum lf_kind k, int plain)
{
	return (unsigned)k < KIND_N && (table[k].encrypted || plain);
}
