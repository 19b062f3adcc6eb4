/* run: FEED/run.json, see manifest.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fsutil.h"
#include "log.h"
#include "manifest.h"
#include "unicode.h"
#include "valid.h"

static long long
jll(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/*
 * The names of a (an array of list names, sorted, unique) after those
 * already in r; *n counts them.  0, or -1 if a is anything else or the
 * names would be more than RUN_LISTS_MAX.
 */
static int
names_read(json_t *a, struct lf_run *r, size_t *n)
{
	size_t		 i, first = r->nlive + r->nheld;
	const char	*s;

	if (!json_is_array(a))
		return -1;
	for (i = 0; i < json_array_size(a); i++) {
		s = json_string_value(json_array_get(a, i));
		if (s == NULL || !valid_list_name(s) ||
		    first + i >= RUN_LISTS_MAX ||
		    (i > 0 && strcmp(r->lists[first + i - 1], s) >= 0))
			return -1;
		(void)snprintf(r->lists[first + i], sizeof(r->lists[0]), "%s",
		    s);
		(*n)++;
	}
	return 0;
}

/* "live" and "held", both or neither. */
static int
lists_read(json_t *root, struct lf_run *r)
{
	json_t	*live = json_object_get(root, "live");
	json_t	*held = json_object_get(root, "held");

	if (live == NULL && held == NULL)
		return 0;
	if (live == NULL || held == NULL || names_read(live, r, &r->nlive)
	    == -1 || names_read(held, r, &r->nheld) == -1)
		return -1;
	r->lists_known = 1;
	return 0;
}

int
run_read(const char *path, struct lf_run *r)
{
	json_error_t	 err;
	json_t		*root;
	const char	*s;

	memset(r, 0, sizeof(*r));
	if ((root = json_load_file(path, 0, &err)) == NULL) {
		if (access(path, F_OK) == -1 && errno == ENOENT)
			return 1;
		log_warnx("%s: %s", path, err.text);
		return -1;
	}
	if (!json_is_object(root) || lists_read(root, r) == -1) {
		if (json_is_object(root))
			log_warnx("%s: \"live\" and \"held\" are not both "
			    "lists of list names, each sorted, unique, %d "
			    "names at most", path, RUN_LISTS_MAX);
		else
			log_warnx("%s: not a JSON object", path);
		json_decref(root);
		memset(r, 0, sizeof(*r));
		return -1;
	}
	r->started_ms = jll(root, "started_ms");
	r->finished_ms = jll(root, "finished_ms");
	r->exit = (int)jll(root, "exit");
	r->generation = jll(root, "generation");
	if (json_is_integer(json_object_get(root, "sign_key_expires")) &&
	    jll(root, "sign_key_expires") >= 0) {
		r->sign_key.known = 1;
		r->sign_key.expires = jll(root, "sign_key_expires");
	}
	if ((s = json_string_value(json_object_get(root, "result"))) != NULL)
		(void)snprintf(r->result, sizeof(r->result), "%s", s);
	if ((s = json_string_value(json_object_get(root, "message"))) != NULL)
		(void)snprintf(r->message, sizeof(r->message), "%s", s);
	json_decref(root);
	return 0;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
run_set_lists(struct lf_run *r, const struct strlist *live,
    const struct strlist *held)
{
	size_t	 i;

	r->lists_known = 0;
	r->nlive = r->nheld = 0;
	if (live->n + held->n > RUN_LISTS_MAX)
		return -1;
	for (i = 0; i < live->n + held->n; i++) {
		const char *s = i < live->n ? live->v[i] : held->v[i - live->n];

		if (!valid_list_name(s))
			return -1;
		(void)snprintf(r->lists[i], sizeof(r->lists[0]), "%s", s);
	}
	qsort(r->lists, live->n, sizeof(r->lists[0]), cmp_name);
	qsort(r->lists + live->n, held->n, sizeof(r->lists[0]), cmp_name);
	r->nlive = live->n;
	r->nheld = held->n;
	r->lists_known = 1;
	return 0;
}

/*
 * Copies s into out, each byte that does not begin a valid UTF-8 sequence
 * replaced by '?': JSON strings must be UTF-8, and a message may come
 * from anywhere or have been cut inside a character.
 */
static void
utf8_fix(const char *s, char *out, size_t outsz)
{
	size_t		 n = strlen(s), i = 0, o = 0, len;
	uint32_t	 c;

	while (i < n && o + 1 < outsz) {
		len = uni_decode(s + i, n - i, &c);
		if (len == 0 || o + len >= outsz) {
			out[o++] = '?';
			i++;
			continue;
		}
		memcpy(out + o, s + i, len);
		o += len;
		i += len;
	}
	out[o] = '\0';
}

/* The names from the first of r's lists, n of them, as a JSON array. */
static json_t *
names_json(const struct lf_run *r, size_t first, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, json_string(r->lists[first + i]))
		    == -1) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

int
run_write(const char *dir, const struct lf_run *r)
{
	json_t	*root;
	char	*s = NULL;
	char	 result[sizeof(r->result)], message[sizeof(r->message)];
	int	 rc;

	utf8_fix(r->result, result, sizeof(result));
	utf8_fix(r->message, message, sizeof(message));
	root = json_pack("{s:I, s:I, s:i, s:s, s:s, s:I}",
	    "started_ms", (json_int_t)r->started_ms,
	    "finished_ms", (json_int_t)r->finished_ms,
	    "exit", r->exit, "result", result, "message", message,
	    "generation", (json_int_t)r->generation);
	if (root != NULL && ((r->sign_key.known && json_object_set_new(root,
	    "sign_key_expires", json_integer((json_int_t)r->sign_key.expires))
	    == -1) || (r->lists_known && (json_object_set_new(root, "live",
	    names_json(r, 0, r->nlive)) == -1 || json_object_set_new(root,
	    "held", names_json(r, r->nlive, r->nheld)) == -1)))) {
		json_decref(root);
		root = NULL;
	}
	if (root != NULL)
		s = json_dumps(root, JSON_SORT_KEYS);
	json_decref(root);
	if (s == NULL) {
		log_warnx("%s/%s: cannot serialise", dir, RUN_NAME);
		return -1;
	}
	rc = atomic_write(dir, RUN_NAME, s, strlen(s), 0644);
	free(s);
	return rc;
}
