/*
 * Unit test of gen/collect.c: rows through collect_row() and
 * collect_finish(), as db_read() would hand them over.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect.h"
#include "valid.h"

static int
setup(void **state)
{
	struct collect	*c;

	if ((c = malloc(sizeof(*c))) == NULL)
		return -1;
	collect_init(c);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	collect_free(*state);
	free(*state);
	return 0;
}

/* One row; NULL strings stand for SQL NULL.  name has name_len bytes. */
static void
row_n(struct collect *c, const char *list, const char *email,
    const char *name, size_t name_len, const char *first,
    const char *reception, int owner, int moderator)
{
	struct db_row	 r;

	memset(&r, 0, sizeof(r));
	r.list = list;
	r.list_len = list != NULL ? strlen(list) : 0;
	r.email = email;
	r.email_len = email != NULL ? strlen(email) : 0;
	r.name = name;
	r.name_len = name != NULL ? name_len : 0;
	r.first = first;
	r.first_len = first != NULL ? strlen(first) : 0;
	r.reception = reception;
	r.reception_len = reception != NULL ? strlen(reception) : 0;
	r.owner = owner;
	r.moderator = moderator;
	assert_int_equal(collect_row(c, &r), 0);
}

static void
row(struct collect *c, const char *list, const char *email,
    const char *name, const char *reception)
{
	row_n(c, list, email, name, name != NULL ? strlen(name) : 0, NULL,
	    reception, 0, 0);
}

/* The only member of list, after collect_finish(). */
static const struct member *
only(struct collect *c, const char *list)
{
	const struct members	*l;

	assert_int_equal(collect_finish(c), 0);
	assert_non_null(l = collect_find(c, list));
	assert_int_equal(l->n, 1);
	return &l->m[0];
}

/* Name cleaning never leaves a line break, tab or control character. */
static void
assert_clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fail_msg("control character 0x%02x in a name",
			    (unsigned char)*s);
}

static void
test_valid_row(void **state)
{
	struct collect		*c = *state;
	const struct member	*m;

	row_n(c, "deelnemers", "Jan@Example.ORG", "Jan Jansen", 10, NULL,
	    "mail", 1, 0);
	m = only(c, "deelnemers");
	assert_string_equal(m->email, "Jan@example.org");
	assert_string_equal(m->key, "jan@example.org");
	assert_string_equal(m->name, "Jan Jansen");
	assert_string_equal(m->first, "Jan");
	assert_int_equal(m->digest, 0);
	assert_int_equal(m->owner, 1);
	assert_int_equal(m->moderator, 0);
	assert_int_equal(c->rows, 1);
	assert_int_equal(c->nlists, 1);
	assert_int_equal(collect_find(c, "deelnemers")->mail, 1);
	assert_int_equal(collect_find(c, "deelnemers")->digest, 0);
}

static void
test_reception_words(void **state)
{
	struct collect		*c = *state;
	const struct members	*l;
	static const struct { const char *w; int digest; } words[] = {
		{ "mail", 0 }, { "digest", 1 }, { "digestplain", 1 },
		{ "0", 0 }, { "1", 1 }, { "", 0 }, { NULL, 0 },
	};
	char			 email[32];
	size_t			 i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		(void)snprintf(email, sizeof(email), "m%zu@example.org", i);
		row(c, "l", email, "", words[i].w);
	}
	assert_int_equal(collect_finish(c), 0);
	assert_non_null(l = collect_find(c, "l"));
	assert_int_equal(l->n, 7);
	for (i = 0; i < l->n; i++)
		assert_int_equal(l->m[i].digest, words[i].digest);
	assert_int_equal(l->mail, 4);
	assert_int_equal(l->digest, 3);
	assert_int_equal(c->rejects[REJ_RECEPTION], 0);
}

static void
test_rejects_by_reason(void **state)
{
	struct collect	*c = *state;

	row(c, NULL, "a@example.org", "A", "mail");
	row(c, "", "a@example.org", "A", "mail");
	row(c, "Upper", "a@example.org", "A", "mail");
	row(c, "../etc", "a@example.org", "A", "mail");
	row(c, "l", NULL, "A", "mail");
	row(c, "l", "", "A", "mail");
	row(c, "l", "not-an-address", "A", "mail");
	row(c, "l", "a@localhost", "A", "mail");
	row(c, "l", "a@example.org\nb@example.org", "A", "mail");
	row(c, "l", "a@example.org", "A", "MAIL");
	row(c, "l", "a@example.org", "A", "nomail");
	row(c, "l", "a@example.org", "A", "digest ");
	row(c, "l", "ok@example.org", "A", "mail");
	assert_int_equal(collect_finish(c), 0);
	assert_int_equal(c->rows, 13);
	assert_int_equal(c->rejects[REJ_LIST], 4);
	assert_int_equal(c->rejects[REJ_EMAIL], 5);
	assert_int_equal(c->rejects[REJ_RECEPTION], 3);
	assert_int_equal(c->rejects[REJ_DUPLICATE], 0);
	assert_int_equal(c->nlists, 1);
	assert_int_equal(collect_find(c, "l")->n, 1);
}

static void
test_list_name_with_nul_rejected(void **state)
{
	struct collect	*c = *state;
	struct db_row	 r;

	memset(&r, 0, sizeof(r));
	r.list = "ab\0cd";
	r.list_len = 5;
	r.email = "a@example.org";
	r.email_len = 13;
	assert_int_equal(collect_row(c, &r), 0);
	assert_int_equal(collect_finish(c), 0);
	assert_int_equal(c->rejects[REJ_LIST], 1);
	assert_int_equal(c->nlists, 0);
	assert_null(collect_find(c, "ab"));
}

static void
test_reject_names(void **state)
{
	(void)state;
	assert_string_equal(reject_name(REJ_LIST), "invalid list name");
	assert_string_equal(reject_name(REJ_EMAIL), "invalid email");
	assert_string_equal(reject_name(REJ_RECEPTION),
	    "invalid reception mode");
	assert_string_equal(reject_name(REJ_DUPLICATE),
	    "duplicate address (merged)");
	assert_string_equal(reject_name(REJ_NREASONS), "other");
}

static void
test_dedup_case_insensitive_mail_wins(void **state)
{
	struct collect		*c = *state;
	const struct members	*l;

	row(c, "l", "JAN@example.org", "Digest Jan", "digest");
	row(c, "l", "jan@EXAMPLE.org", "Mail Jan", "mail");
	row(c, "l", "Jan@example.org", "Other Jan", "digestplain");
	assert_int_equal(collect_finish(c), 0);
	assert_non_null(l = collect_find(c, "l"));
	assert_int_equal(l->n, 1);
	assert_int_equal(l->m[0].digest, 0);
	assert_string_equal(l->m[0].email, "jan@example.org");
	assert_string_equal(l->m[0].name, "Mail Jan");
	assert_int_equal(l->mail, 1);
	assert_int_equal(l->digest, 0);
	assert_int_equal(c->rejects[REJ_DUPLICATE], 2);
}

static void
test_dedup_digest_kept_when_all_digest(void **state)
{
	struct collect		*c = *state;
	const struct member	*m;

	row(c, "l", "a@example.org", "A", "digest");
	row(c, "l", "A@example.org", "A", "digestplain");
	m = only(c, "l");
	assert_int_equal(m->digest, 1);
	assert_int_equal(collect_find(c, "l")->digest, 1);
	assert_int_equal(c->rejects[REJ_DUPLICATE], 1);
}

static void
test_dedup_owner_moderator_ored(void **state)
{
	struct collect		*c = *state;
	const struct member	*m;

	row_n(c, "l", "a@example.org", "A", 1, NULL, "digest", 1, 0);
	row_n(c, "l", "a@example.org", "A", 1, NULL, "mail", 0, 0);
	row_n(c, "l", "A@Example.org", "A", 1, NULL, "digest", 0, 1);
	m = only(c, "l");
	assert_int_equal(m->digest, 0);
	assert_int_equal(m->owner, 1);
	assert_int_equal(m->moderator, 1);
}

static void
test_dedup_per_list(void **state)
{
	struct collect	*c = *state;

	row(c, "a", "x@example.org", "X", "mail");
	row(c, "b", "X@example.org", "X", "digest");
	assert_int_equal(collect_finish(c), 0);
	assert_int_equal(collect_find(c, "a")->n, 1);
	assert_int_equal(collect_find(c, "b")->n, 1);
	assert_int_equal(collect_find(c, "b")->m[0].digest, 1);
	assert_int_equal(c->rejects[REJ_DUPLICATE], 0);
}

static void
test_members_sorted_case_insensitively(void **state)
{
	struct collect		*c = *state;
	const struct members	*l;

	row(c, "l", "zed@example.org", "", "mail");
	row(c, "l", "Bob@example.org", "", "mail");
	row(c, "l", "alice@example.org", "", "mail");
	row(c, "l", "Carol@example.org", "", "digest");
	row(c, "l", "bob@example.net", "", "mail");
	assert_int_equal(collect_finish(c), 0);
	assert_non_null(l = collect_find(c, "l"));
	assert_int_equal(l->n, 5);
	assert_string_equal(l->m[0].email, "alice@example.org");
	assert_string_equal(l->m[1].email, "bob@example.net");
	assert_string_equal(l->m[2].email, "Bob@example.org");
	assert_string_equal(l->m[3].email, "Carol@example.org");
	assert_string_equal(l->m[4].email, "zed@example.org");
}

static void
test_lists_sorted_and_found(void **state)
{
	struct collect	*c = *state;
	char		 name[16], email[32];
	size_t		 i;

	/* Enough lists to make the name table grow more than once. */
	for (i = 200; i > 0; i--) {
		(void)snprintf(name, sizeof(name), "list%03zu", i);
		(void)snprintf(email, sizeof(email), "m%zu@example.org", i);
		row(c, name, email, "", "mail");
		row(c, name, "common@example.org", "", "mail");
	}
	assert_int_equal(collect_finish(c), 0);
	assert_int_equal(c->nlists, 200);
	for (i = 1; i < c->nlists; i++)
		assert_true(strcmp(c->lists[i - 1].name, c->lists[i].name) < 0);
	assert_string_equal(c->lists[0].name, "list001");
	assert_int_equal(collect_find(c, "list123")->n, 2);
	assert_null(collect_find(c, "list000"));
	assert_null(collect_find(c, "list2000"));
	assert_null(collect_find(c, ""));
}

static void
test_collect_find_overlong_name(void **state)
{
	struct collect	*c = *state;
	char		 name[200];

	row(c, "l", "a@example.org", "", "mail");
	assert_int_equal(collect_finish(c), 0);
	memset(name, 'l', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_null(collect_find(c, name));
}

static void
test_first_name_from_column(void **state)
{
	struct collect		*c = *state;
	const struct member	*m;

	row_n(c, "l", "a@example.org", "Anna Maria de Vries", 19,
	    " Anna\tMaria ", "mail", 0, 0);
	m = only(c, "l");
	assert_string_equal(m->name, "Anna Maria de Vries");
	assert_string_equal(m->first, "Anna Maria");
}

static void
test_first_name_derived_from_full_name(void **state)
{
	struct collect	*c = *state;

	row(c, "l", "a@example.org", "Jan Jansen", "mail");
	row(c, "l", "b@example.org", "Cher", "mail");
	row(c, "l", "c@example.org", "", "mail");
	row(c, "l", "d@example.org", NULL, "mail");
	assert_int_equal(collect_finish(c), 0);
	assert_string_equal(collect_find(c, "l")->m[0].first, "Jan");
	assert_string_equal(collect_find(c, "l")->m[1].first, "Cher");
	assert_string_equal(collect_find(c, "l")->m[2].first, "");
	assert_string_equal(collect_find(c, "l")->m[3].first, "");
	assert_string_equal(collect_find(c, "l")->m[3].name, "");
}

/* The first name ends at the full name's first white space of any kind
 * (tab, new line, no-break); a leading one means there is none, as the
 * seed's view writes first_name ' ' last_name. */
static void
test_first_name_derived_after_cleaning(void **state)
{
	struct collect		*c = *state;
	const struct members	*l;

	row(c, "l", "a@example.org", "  Jan Jansen", "mail");
	row(c, "l", "b@example.org", "Piet\tPietersen", "mail");
	row(c, "l", "c@example.org", "Kees\nevil@example.org", "mail");
	row(c, "l", "d@example.org", "Zo\xc3\xab\xc2\xa0" "de Wit", "mail");
	row(c, "l", "e@example.org", "\xe2\x80\xae" "Eva Evers", "mail");
	row(c, "l", "f@example.org", " Bakker", "mail");
	assert_int_equal(collect_finish(c), 0);
	assert_non_null(l = collect_find(c, "l"));
	assert_string_equal(l->m[0].first, "");
	assert_string_equal(l->m[1].first, "Piet");
	assert_string_equal(l->m[2].first, "Kees");
	assert_string_equal(l->m[3].first, "Zo\xc3\xab");
	assert_string_equal(l->m[4].first, "Eva");
	assert_string_equal(l->m[5].first, "");
	assert_string_equal(l->m[5].name, "Bakker");
}

static void
test_hostile_name_newline_tab_cr(void **state)
{
	struct collect		*c = *state;
	const struct member	*m;

	row(c, "l", "a@example.org",
	    "Jan\r\nb@evil.example\tX\rY\n", "mail");
	m = only(c, "l");
	assert_string_equal(m->name, "Jan b@evil.example X Y");
	assert_clean(m->name);
	assert_clean(m->first);
}

static void
test_hostile_name_nul(void **state)
{
	struct collect		*c = *state;
	const struct member	*m;

	row_n(c, "l", "a@example.org", "Ja\0n\0\0Jansen", 12, NULL, "mail",
	    0, 0);
	m = only(c, "l");
	assert_string_equal(m->name, "JanJansen");
}

static void
test_hostile_name_bidi_override(void **state)
{
	struct collect		*c = *state;
	const struct member	*m;

	row(c, "l", "a@example.org", "\xe2\x80\xae" "gro.live@nimda "
	    "\xe2\x81\xa6x\xe2\x81\xa9", "mail");
	m = only(c, "l");
	assert_string_equal(m->name, "gro.live@nimda x");
	assert_null(strstr(m->name, "\xe2\x80\xae"));
}

static void
test_hostile_name_invalid_utf8(void **state)
{
	struct collect		*c = *state;
	const struct member	*m;

	row(c, "l", "a@example.org", "J\xc3" "an \xff\xfe", "mail");
	m = only(c, "l");
	assert_string_equal(m->name,
	    "J\xef\xbf\xbd" "an \xef\xbf\xbd\xef\xbf\xbd");
}

static void
test_hostile_name_10k_capped(void **state)
{
	struct collect		*c = *state;
	const struct member	*m;
	char			*big;
	size_t			 i, ncp = 0;

	/* 10 kB of "é" with a line break in the middle. */
	assert_non_null(big = malloc(10240));
	for (i = 0; i < 10240; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[5000] = '\n';
	big[5001] = 'x';
	row_n(c, "l", "a@example.org", big, 10240, NULL, "mail", 0, 0);
	free(big);
	m = only(c, "l");
	assert_int_equal(strlen(m->name), 2 * VALID_NAME_MAX);
	for (i = 0; m->name[i] != '\0'; i++)
		if (((unsigned char)m->name[i] & 0xc0) != 0x80)
			ncp++;
	assert_int_equal(ncp, VALID_NAME_MAX);
	/* Whole characters only: it ends with a complete "é". */
	assert_memory_equal(m->name + 2 * VALID_NAME_MAX - 2, "\xc3\xa9", 2);
	assert_ptr_equal(m->first, m->name);
}

static void
test_hostile_name_cap_at_3byte_boundary(void **state)
{
	struct collect		*c = *state;
	const struct member	*m;
	char			 big[1024];
	size_t			 i;

	/* One ASCII letter, then "€" (3 bytes): 1 + 149 * 3 bytes kept. */
	big[0] = 'E';
	for (i = 1; i + 3 <= sizeof(big); i += 3)
		memcpy(big + i, "\xe2\x82\xac", 3);
	row_n(c, "l", "a@example.org", big, i, NULL, "mail", 0, 0);
	m = only(c, "l");
	assert_int_equal(strlen(m->name), 1 + 3 * (VALID_NAME_MAX - 1));
	assert_memory_equal(m->name + strlen(m->name) - 3, "\xe2\x82\xac", 3);
}

static void
test_empty_collect(void **state)
{
	struct collect	*c = *state;

	assert_int_equal(collect_finish(c), 0);
	assert_int_equal(c->nlists, 0);
	assert_null(collect_find(c, "l"));
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid_row),
		T(test_reception_words),
		T(test_rejects_by_reason),
		T(test_list_name_with_nul_rejected),
		T(test_reject_names),
		T(test_dedup_case_insensitive_mail_wins),
		T(test_dedup_digest_kept_when_all_digest),
		T(test_dedup_owner_moderator_ored),
		T(test_dedup_per_list),
		T(test_members_sorted_case_insensitively),
		T(test_lists_sorted_and_found),
		T(test_collect_find_overlong_name),
		T(test_first_name_from_column),
		T(test_first_name_derived_from_full_name),
		T(test_first_name_derived_after_cleaning),
		T(test_hostile_name_newline_tab_cr),
		T(test_hostile_name_nul),
		T(test_hostile_name_bidi_override),
		T(test_hostile_name_invalid_utf8),
		T(test_hostile_name_10k_capped),
		T(test_hostile_name_cap_at_3byte_boundary),
		T(test_empty_collect),
	};

	return cmocka_run_group_tests_name("gen_collect", tests, NULL, NULL);
}
