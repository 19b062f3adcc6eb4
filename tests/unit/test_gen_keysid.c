/*
 * Unit test of gen/keysid.c: the id of a published file's keys does not
 * depend on the order, case or repetition of the recipients, and changes
 * with the signer or the set of recipients.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "keysid.h"

#define FEED	"8F3A0C1D2E4B5A69788796A5B4C3D2E1F0A1B2C3"
#define OTHER	"1111222233334444555566667777888899990000"
#define A	"ABCDEF0123456789ABCDEF0123456789ABCDEF01"
#define A_LOW	"abcdef0123456789abcdef0123456789abcdef01"
#define B	"0123456789ABCDEF0123456789ABCDEF01234567"
/* printf 'listfeed-keys-1\nsigner FEED\nrecipient A' | sha256sum */
#define KEYS_ID_FEED_A \
	"645111efd3f024c43878e120c96b7f6e7206fb1d8843e562a202f506806cf8b8"

static void
test_keys_id(void **state)
{
	char		 i1[65], i2[65], i3[65], i4[65], i5[65];
	const char	*ab[] = { A, B };
	const char	*ba[] = { B, A_LOW };
	const char	*a[] = { A };
	const char	*aa[] = { A, A_LOW };
	const char	*bad[] = { A, "a@x" };

	(void)state;
	assert_int_equal(keys_id(FEED, ab, 2, i1), 0);
	assert_int_equal(keys_id(FEED, ba, 2, i2), 0);
	assert_string_equal(i1, i2);
	assert_int_equal(strlen(i1), 64);
	assert_int_equal(keys_id(OTHER, ab, 2, i3), 0);
	assert_string_not_equal(i1, i3);
	assert_int_equal(keys_id(FEED, a, 1, i4), 0);
	assert_string_not_equal(i1, i4);
	assert_int_equal(keys_id(FEED, aa, 2, i5), 0);
	assert_string_equal(i4, i5);
	assert_int_equal(keys_id(FEED, bad, 2, i5), -1);
	assert_int_equal(keys_id("feed", ab, 2, i5), -1);
	assert_int_equal(keys_id(NULL, ab, 2, i5), -1);
}

/* The id is a published fact (files record it): pinned here. */
static void
test_keys_id_value(void **state)
{
	char		 id[65];
	const char	*a[] = { A };

	(void)state;
	assert_int_equal(keys_id(FEED, a, 1, id), 0);
	assert_string_equal(id, KEYS_ID_FEED_A);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_id),
		cmocka_unit_test(test_keys_id_value),
	};

	return cmocka_run_group_tests_name("gen_keysid", tests, NULL, NULL);
}
