/*
 * dbdump: db_read() on its own, for tests/t_20_gen_db.sh.
 *
 *   dbdump [-fv] CONFIG [LIST...]
 *
 * Prints every row as one TSV line: list, email, name, reception, owner,
 * moderator (-f: first_name as a seventh field), escaped as
 * "mariadb --batch" does (NUL, tab, line feed and backslash as \0, \t, \n,
 * \\; SQL NULL as NULL), so the output compares with the client's.
 * Exit 0, 1 on usage or config errors, 2 on a database error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "db.h"
#include "log.h"

static int	first;

static void
field(const char *p, size_t len, int last)
{
	size_t	 i;

	if (p == NULL)
		fputs("NULL", stdout);
	for (i = 0; p != NULL && i < len; i++) {
		switch (p[i]) {
		case '\t':
			fputs("\\t", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\0':
			fputs("\\0", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		default:
			putchar(p[i]);
		}
	}
	putchar(last ? '\n' : '\t');
}

static int
print_row(void *ctx, const struct db_row *r)
{
	(void)ctx;
	field(r->list, r->list_len, 0);
	field(r->email, r->email_len, 0);
	field(r->name, r->name_len, 0);
	field(r->reception, r->reception_len, 0);
	printf("%d\t%d%c", r->owner, r->moderator, first ? '\t' : '\n');
	if (first)
		field(r->first, r->first_len, 1);
	return ferror(stdout) ? -1 : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: dbdump [-fv] config [list ...]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct lf_config cfg;
	enum db_status	 st;
	int		 ch;

	log_init("dbdump", 0);
	while ((ch = getopt(argc, argv, "fv")) != -1) {
		switch (ch) {
		case 'f':
			first = 1;
			break;
		case 'v':
			log_set_verbose(1);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (conf_load(argv[0], &cfg) == -1)
		return 1;
	st = db_read(&cfg, (const char *const *)argv + 1, (size_t)argc - 1,
	    print_row, NULL);
	conf_free(&cfg);
	if (fflush(stdout) == EOF)
		st = DB_ERR_CALLBACK;
	if (st != DB_OK) {
		log_warnx("%s", db_strerror(st));
		return 2;
	}
	return 0;
}
