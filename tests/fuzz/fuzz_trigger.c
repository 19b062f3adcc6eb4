/*
 * fuzz_trigger: the trigger datagram (lib/trigmsg.c), trigmsg_parse()
 * as listfeed-gen --watch reads it from its socket, and trigmsg_format()
 * as the responder writes it.
 *
 * The whole input is one datagram.  Invariants:
 *  - trigmsg_parse() accepts exactly what the POSIX extended regular
 *    expression ^regenerate( [a-z0-9][a-z0-9._-]{0,63})?\n?$ matches (no
 *    NUL byte, at most TRIGMSG_MAX bytes): an oracle by another
 *    algorithm than the parser's;
 *  - list is always NUL-terminated within its bytes, "" on refusal;
 *  - round trip: what trigmsg_format() writes for the parsed list is the
 *    input itself, with its LF;
 *  - and back: the input as a list name is formatted exactly when
 *    valid_list_name() takes it, and what is formatted parses back to it.
 */
#include <regex.h>

#include "fuzz.h"
#include "trigmsg.h"
#include "valid.h"

static regex_t	 grammar;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (regcomp(&grammar, "^regenerate( [a-z0-9][a-z0-9._-]{0,63})?\n?$",
	    REG_EXTENDED | REG_NOSUB) != 0)
		abort();
	return 0;
}

/* Does the regular expression take the len bytes at data? */
static int
grammar_takes(const uint8_t *data, size_t len)
{
	char	*s;
	int	 m;

	if (len > TRIGMSG_MAX || memchr(data, '\0', len) != NULL)
		return 0;
	s = fuzz_strndup(data, len, len);
	m = regexec(&grammar, s, 0, NULL, 0) == 0;
	free(s);
	return m;
}

static void
check_format(const uint8_t *data, size_t size)
{
	char	*name, msg[TRIGMSG_MAX + 1], again[VALID_LIST_MAX + 1];
	int	 n;

	name = fuzz_strndup(data, size, TRIGMSG_MAX);
	n = trigmsg_format(msg, sizeof(msg), name);
	if (name[0] != '\0' && !valid_list_name(name))
		FUZZ_ASSERT(n == -1, "formatted \"%s\"", name);
	else {
		FUZZ_ASSERT(n > 0 && (size_t)n == strlen(msg) &&
		    msg[n - 1] == '\n' && grammar_takes((const uint8_t *)msg,
		    (size_t)n), "format of \"%s\": \"%s\"", name, msg);
		FUZZ_ASSERT(trigmsg_parse(msg, (size_t)n, again) == 0 &&
		    strcmp(again, name) == 0, "\"%s\" does not parse back",
		    name);
	}
	free(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 list[VALID_LIST_MAX + 1], msg[TRIGMSG_MAX + 1];
	int	 rc, n;

	memset(list, 'x', sizeof(list));
	rc = trigmsg_parse((const char *)data, size, list);
	FUZZ_ASSERT(memchr(list, '\0', sizeof(list)) != NULL,
	    "list not terminated");
	FUZZ_ASSERT(rc == 0 || rc == -1, "rc %d", rc);
	FUZZ_ASSERT((rc == 0) == grammar_takes(data, size),
	    "parser (%d) and grammar disagree", rc);
	if (rc == 0) {
		n = trigmsg_format(msg, sizeof(msg), list);
		FUZZ_ASSERT(n > 0 && (size == (size_t)n || size + 1 ==
		    (size_t)n) && memcmp(msg, data, size) == 0,
		    "accepted more or less than the message");
	} else
		FUZZ_ASSERT(list[0] == '\0', "list left on refusal");
	check_format(data, size);
	return 0;
}
