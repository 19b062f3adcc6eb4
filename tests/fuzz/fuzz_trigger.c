/*
 * fuzz_trigger: the trigger datagram that listfeed-gen --watch reads
 * from its socket, trigger_parse() (gen/watch.c).
 *
 * Invariants:
 *  - accepted messages are exactly "regenerate" or "regenerate NAME",
 *    with at most one trailing LF, NAME a valid list name (which is what
 *    the responder's trigger_send() writes);
 *  - list is always NUL-terminated within its 65 bytes, "" for all;
 *  - the message the responder would send for the parsed list parses
 *    back to the same list.
 */
#include "fuzz.h"
#include "valid.h"
#include "watch.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 list[65], again[65], want[96];
	int	 rc, n;

	memset(list, 'x', sizeof(list));
	rc = trigger_parse((const char *)data, size, list);
	FUZZ_ASSERT(memchr(list, '\0', sizeof(list)) != NULL,
	    "list not terminated");
	if (rc == -1)
		return 0;
	FUZZ_ASSERT(rc == 0, "rc %d", rc);
	FUZZ_ASSERT(list[0] == '\0' || valid_list_name(list), "list");
	n = list[0] == '\0' ? snprintf(want, sizeof(want), "regenerate") :
	    snprintf(want, sizeof(want), "regenerate %s", list);
	FUZZ_ASSERT(n > 0 && (size == (size_t)n || (size == (size_t)n + 1 &&
	    data[n] == '\n')) && memcmp(data, want, (size_t)n) == 0,
	    "accepted more than the message");
	/* What the responder sends (cgi/trigger.c). */
	n = list[0] == '\0' ? snprintf(want, sizeof(want), "regenerate\n") :
	    snprintf(want, sizeof(want), "regenerate %s\n", list);
	FUZZ_ASSERT(trigger_parse(want, (size_t)n, again) == 0 &&
	    strcmp(again, list) == 0, "round trip");
	return 0;
}
