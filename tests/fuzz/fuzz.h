/*
 * fuzz.h: what the libFuzzer targets in tests/fuzz/ share.
 *
 * Each target is one file, built with clang -fsanitize=fuzzer,address,
 * undefined together with the lib/ gen/ cgi/ sources it exercises (but
 * lib/log.c: the log shim below drops messages, so a run is not buried
 * in warnings about the junk it is fed; FUZZ_LOG=1 prints them).
 *
 * FUZZ_ASSERT() states an invariant: on failure it names it and aborts,
 * which libFuzzer reports as a crash and saves the input.
 */
#ifndef LF_FUZZ_H
#define LF_FUZZ_H

#include <iconv.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "unicode.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#ifndef FUZZ_TOP
#define FUZZ_TOP	"."
#endif

#define FUZZ_ASSERT(c, ...) do {					\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s: ",	\
		    __FILE__, __LINE__, #c);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* The log shim (lib/log.h), quiet unless FUZZ_LOG is set. */
static int	 fuzz_log_on = -1;

static void	fuzz_vlog(const char *, va_list)
		    __attribute__((format(printf, 1, 0)));

static void
fuzz_vlog(const char *fmt, va_list ap)
{
	if (fuzz_log_on == -1)
		fuzz_log_on = getenv("FUZZ_LOG") != NULL;
	if (fuzz_log_on) {
		(void)vfprintf(stderr, fmt, ap);
		(void)fputc('\n', stderr);
	}
}

void
log_init(const char *progname, int syslog_on)
{
	(void)progname;
	(void)syslog_on;
}

void
log_set_verbose(int v)
{
	(void)v;
}

#define FUZZ_LOGFN(name)						\
void									\
name(const char *fmt, ...)						\
{									\
	va_list	 ap;							\
									\
	va_start(ap, fmt);						\
	fuzz_vlog(fmt, ap);						\
	va_end(ap);							\
}
FUZZ_LOGFN(log_warn)
FUZZ_LOGFN(log_warnx)
FUZZ_LOGFN(log_info)
FUZZ_LOGFN(log_debug)

/* The templates/ directory of the tree (LF_FUZZ_TEMPLATES overrides). */
static inline const char *
fuzz_templates(void)
{
	const char	*d = getenv("LF_FUZZ_TEMPLATES");

	return d != NULL ? d : FUZZ_TOP "/templates";
}

/* A private temporary directory for the whole run (removed at exit). */
static char	 fuzz_dir[64];

static void
fuzz_rmdir(void)
{
	char	 cmd[128];

	if (fuzz_dir[0] != '\0' && snprintf(cmd, sizeof(cmd), "rm -rf '%s'",
	    fuzz_dir) < (int)sizeof(cmd))
		(void)system(cmd);
}

static inline const char *
fuzz_tmpdir(void)
{
	const char	*t;

	if (fuzz_dir[0] != '\0')
		return fuzz_dir;
	if ((t = getenv("TMPDIR")) == NULL || strlen(t) > 40)
		t = "/tmp";
	(void)snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/lf-fuzz.XXXXXX", t);
	if (mkdtemp(fuzz_dir) == NULL) {
		perror(fuzz_dir);
		abort();
	}
	atexit(fuzz_rmdir);
	return fuzz_dir;
}

/* Writes data to TMPDIR/name; returns the path (static storage). */
static inline const char *
fuzz_write(const char *name, const void *data, size_t len)
{
	static char	 path[128];
	FILE		*f;

	(void)snprintf(path, sizeof(path), "%s/%s", fuzz_tmpdir(), name);
	if ((f = fopen(path, "w")) == NULL ||
	    (len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}

/*
 * Strict UTF-8 (no overlong forms, no surrogates, <= U+10FFFF), checked
 * by glibc's iconv, not by lib/unicode.c's decoder it is there to judge.
 * Returns the number of code points, or -1.  Each code point is passed
 * to fn (may be NULL); a non-zero return from fn stops with -1.
 */
static inline long
fuzz_utf8(const char *str, size_t n, int (*fn)(uint32_t))
{
	static iconv_t	 cd = (iconv_t)-1;
	unsigned char	*out, *o;
	char		*in = (char *)(uintptr_t)str;
	size_t		 il = n, ol = 4 * n + 4, i;
	long		 ncp;

	if (cd == (iconv_t)-1 &&
	    (cd = iconv_open("UTF-32LE", "UTF-8")) == (iconv_t)-1) {
		perror("iconv_open");
		abort();
	}
	(void)iconv(cd, NULL, NULL, NULL, NULL);
	if ((out = malloc(ol)) == NULL)
		abort();
	o = out;
	if (iconv(cd, &in, &il, (char **)&o, &ol) == (size_t)-1 || il != 0) {
		free(out);
		return -1;
	}
	ncp = (long)((size_t)(o - out) / 4);
	for (i = 0; fn != NULL && i < (size_t)ncp; i++)
		if (fn((uint32_t)out[4 * i] | (uint32_t)out[4 * i + 1] << 8 |
		    (uint32_t)out[4 * i + 2] << 16 |
		    (uint32_t)out[4 * i + 3] << 24) != 0) {
			ncp = -1;
			break;
		}
	free(out);
	return ncp;
}

/* Code points that must never reach a rendered name: every one
 * lib/unicode.h calls invisible (controls, format characters, private
 * use, unassigned), and the line and paragraph separators. */
static inline int
fuzz_bad_cp(uint32_t c)
{
	return uni_invisible(c) || c == 0x2028 || c == 0x2029;
}

/* The same, but the ASCII white space a format uses itself is allowed. */
static inline int
fuzz_bad_cp_tab(uint32_t c)
{
	return c != '\t' && c != '\r' && c != '\n' && fuzz_bad_cp(c);
}

/* A NUL-terminated copy of at most max bytes of data. */
static inline char *
fuzz_strndup(const void *data, size_t len, size_t max)
{
	char	*s;

	if (len > max)
		len = max;
	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/*
 * Splits data at byte sep: returns the length of the next field at *p
 * and moves *p past it and its separator.  -1 when nothing is left.
 */
static inline long
fuzz_field(const uint8_t **p, const uint8_t *end, uint8_t sep,
    const uint8_t **field)
{
	const uint8_t	*s;
	size_t		 n;

	if (*p == NULL)
		return -1;
	*field = *p;
	if ((s = memchr(*p, sep, (size_t)(end - *p))) == NULL) {
		n = (size_t)(end - *p);
		*p = NULL;
	} else {
		n = (size_t)(s - *p);
		*p = s + 1;
	}
	return (long)n;
}

#endif
