/*
 * fuzz_relay: what listfeed-relay parses after gpg: the decrypted file
 * through accept_check() (relay/accept.c: sympafile_parse(), the binding
 * to the source, replay and the guard), and its state file through
 * rstate_parse() (relay/rstate.c).
 *
 * Input: the first byte picks the target.  Even: the rest is a state
 * file.  Odd: the next three bytes give the source's reception (b1 % 3),
 * the last accepted generation (b2 % 12, 0: none) and count (b3 % 24);
 * the rest is the cleartext, for the source list "deelnemers" with
 * max_shrink 20 and min_shrink 2.
 *
 * Invariants, checked by code written apart from the relay's:
 *  - a state file is accepted exactly when it is the first line then
 *    lines of five fields as rstate.h says, each source once; an
 *    accepted one formats back to the same bytes;
 *  - an accepted file ends in "\n"; it has six "# " header lines naming
 *    this list and reception, a generation not older than the last one
 *    (and equal only with the same count), then exactly count member
 *    lines, none empty, none starting with '#', each with one '@' before
 *    any tab, no control character but one tab; a source with a last
 *    count passes the guard's rule;
 *  - a held file is a well-formed file of this source whose count
 *    breaks the guard's rule.
 */
#include "fuzz.h"
#include "accept.h"
#include "buf.h"
#include "rstate.h"

static const char *const recs[] = { "all", "mail", "digest" };

/* ------------------------------------------------ independent state check */

static int
is_num(const char *s, size_t n, unsigned long long max, unsigned long long min)
{
	unsigned long long	 v = 0;
	size_t			 i;

	if (n == 0 || n > 18 || (s[0] == '0' && n > 1))
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	return v >= min && v <= max;
}

static int
is_list(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (i > 0 && (c == '.' || c == '_' || c == '-'));
		if (!ok)
			return 0;
	}
	return 1;
}

static int
is_time(const char *s, size_t n)
{
	const char	*shape = "dddd-dd-ddTdd:dd:ddZ";
	size_t		 i;

	if (n != 20)
		return 0;
	for (i = 0; i < n; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') :
		    s[i] != shape[i])
			return 0;
	return 1;
}

static int
rec_index(const char *s, size_t n)
{
	int	 i;

	for (i = 0; i < 3; i++)
		if (strlen(recs[i]) == n && memcmp(recs[i], s, n) == 0)
			return i;
	return -1;
}

static int
state_ok(const char *d, size_t len)
{
	static const char first[] = "# listfeed-relay state 1\n";
	char		 seen[512][72];
	size_t		 nseen = 0, i, k, fl[5];
	const char	*p, *end = d + len, *nl, *f[5];

	if (len < sizeof(first) - 1 || memcmp(d, first, sizeof(first) - 1))
		return 0;
	for (p = d + sizeof(first) - 1; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return 0;
		for (k = 0, f[0] = p, i = 0; p + i < nl; i++)
			if (p[i] == ' ') {
				if (k == 4)
					return 0;
				fl[k] = (size_t)(p + i - f[k]);
				f[++k] = p + i + 1;
			}
		if (k != 4)
			return 0;
		fl[4] = (size_t)(nl - f[4]);
		if (!is_list(f[0], fl[0]) || rec_index(f[1], fl[1]) < 0 ||
		    !is_num(f[2], fl[2], 999999999999999999ULL, 1) ||
		    !is_num(f[3], fl[3], 1000000000ULL, 0) ||
		    !is_time(f[4], fl[4]))
			return 0;
		if (nseen == 512)
			return -1;	/* too many to track: no verdict */
		(void)snprintf(seen[nseen], sizeof(seen[0]), "%.*s %.*s",
		    (int)fl[0], f[0], (int)fl[1], f[1]);
		for (i = 0; i < nseen; i++)
			if (strcmp(seen[i], seen[nseen]) == 0)
				return 0;
		nseen++;
	}
	return 1;
}

static void
fuzz_state(const char *d, size_t len)
{
	struct rstate	 st;
	struct buf	 b = BUF_INIT;
	char		 why[128];
	int		 rc, want;

	rc = rstate_parse(d, len, &st, why, sizeof(why));
	want = state_ok(d, len);
	if (want >= 0)
		FUZZ_ASSERT((rc == 0) == want, "rstate_parse %d, oracle %d "
		    "(%s)", rc, want, why);
	if (rc != 0)
		return;
	FUZZ_ASSERT(rstate_format(&st, &b) == 0, "format");
	FUZZ_ASSERT(b.len == len && memcmp(b.data, d, len) == 0,
	    "state does not format back to its bytes");
	buf_free(&b);
	rstate_free(&st);
}

/* ------------------------------------------- independent content check */

struct hdr {
	char			 list[80], rec[16];
	unsigned long long	 gen, count;
};

/* The header's six lines; returns the offset after them, or 0. */
static size_t
read_header(const char *d, size_t len, struct hdr *h)
{
	const char	*p = d, *nl;
	int		 i;
	char		 line[128];

	memset(h, 0, sizeof(*h));
	for (i = 0; i < 6; i++) {
		if ((nl = memchr(p, '\n', len - (size_t)(p - d))) == NULL ||
		    (size_t)(nl - p) >= sizeof(line) || nl - p < 2 ||
		    memcmp(p, "# ", 2) != 0)
			return 0;
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		if ((i == 1 && sscanf(line, "# list: %79s", h->list) != 1) ||
		    (i == 2 && sscanf(line, "# reception: %15s", h->rec) != 1) ||
		    (i == 3 && sscanf(line, "# generation: %llu", &h->gen) != 1) ||
		    (i == 4 && sscanf(line, "# count: %llu", &h->count) != 1))
			return 0;
		p = nl + 1;
	}
	return (size_t)(p - d);
}

static void
check_members(const char *p, const char *end, unsigned long long count)
{
	unsigned long long	 n = 0;
	const char		*nl, *s;
	int			 tabs, at;

	for (; p < end; p = nl + 1, n++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		FUZZ_ASSERT(nl != NULL, "member line without end");
		FUZZ_ASSERT(nl > p && *p != '#', "empty or comment member line");
		for (tabs = at = 0, s = p; s < nl; s++) {
			FUZZ_ASSERT((unsigned char)*s >= 0x20 && *s != 0x7f ?
			    1 : *s == '\t', "control character in a member");
			tabs += *s == '\t';
			at += *s == '@' && tabs == 0;
		}
		FUZZ_ASSERT(tabs <= 1 && at == 1, "member line shape");
	}
	FUZZ_ASSERT(n == count, "%llu member lines, count %llu", n, count);
}

/* The guard's rule, from guard.h's words: held when emptied, or when it
 * loses more than max_shrink percent and more than min_shrink members. */
static int
guard_holds(unsigned long long before, unsigned long long after)
{
	if (before == 0 || after >= before)
		return 0;
	if (after == 0)
		return 1;
	return (before - after) * 100 > before * 20 && before - after > 2;
}

static void
fuzz_accept(const uint8_t *in, size_t n)
{
	struct accept_rules	 r = { 20, 2, NULL };
	struct rstate_entry	 last;
	struct sympafile_hdr	 h;
	struct hdr		 o;
	enum accept_verdict	 v;
	const char		*d = (const char *)in + 3;
	size_t			 len = n - 3, off;
	int			 rec = in[0] % 3;
	char			 why[256];

	memset(&last, 0, sizeof(last));
	(void)snprintf(last.list, sizeof(last.list), "deelnemers");
	last.rec = (enum sympafile_reception)rec;
	last.generation = in[1] % 12;
	last.count = in[2] % 24;
	(void)snprintf(last.time, sizeof(last.time), "2026-11-30T00:00:00Z");
	v = accept_check("deelnemers", (enum sympafile_reception)rec,
	    last.generation > 0 ? &last : NULL, &r, d, len, &h, why,
	    sizeof(why));
	if (v == ACCEPT_REFUSED)
		return;
	off = read_header(d, len, &o);
	FUZZ_ASSERT(off > 0, "accepted or held without a header");
	FUZZ_ASSERT(strcmp(o.list, "deelnemers") == 0 &&
	    strcmp(o.rec, recs[rec]) == 0, "another source's file: %s %s",
	    o.list, o.rec);
	FUZZ_ASSERT(o.gen >= (unsigned long long)last.generation,
	    "older generation");
	if (last.generation > 0 && o.gen == (unsigned long long)last.generation)
		FUZZ_ASSERT(o.count == last.count, "same generation, new count");
	check_members(d + off, d + len, o.count);
	if (last.generation == 0)
		FUZZ_ASSERT(v == ACCEPT_OK, "held without a last count");
	else
		FUZZ_ASSERT((v == ACCEPT_HELD) ==
		    guard_holds(last.count, o.count), "guard verdict %d for "
		    "%lu -> %llu", v, last.count, o.count);
}

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
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0)
		fuzz_state((const char *)data + 1, size - 1);
	else if (size >= 4)
		fuzz_accept(data + 1, size - 1);
	return 0;
}
