/*
 * format: an output format for lists, read from TEMPLATES/NAME.format
 * (INI, section [format]):
 *
 *   description = Sympa include_remote_file
 *   escape      = none | csv | mailbox
 *   newline     = lf | crlf
 *   header      = email,name,reception,owner,moderator   (optional,
 *                 literal text: no placeholders)
 *   row         = {email}\t{name}
 *   row_noname  = {email}            (optional: used when the name is empty)
 *
 * In header/row values "\t" stands for a tab and "\\" for a backslash.
 * Row keys: email, name, reception (mail|digest), owner, moderator (0|1).
 * An operator adds a format by dropping a file in and naming it in
 * [feed] formats.
 */
#ifndef LF_FORMAT_H
#define LF_FORMAT_H

#include "tmpl.h"

struct lf_format {
	char		*name;
	char		*description;
	enum esc	 escape;
	const char	*newline;	/* "\n" or "\r\n" */
	char		*header;	/* NULL: none */
	char		*row;
	char		*row_noname;	/* NULL: row */
};

extern const char *const format_row_keys[];

/* 0, or -1 with the reason logged. */
int	format_load(const char *dir, const char *name, struct lf_format *);
void	format_free(struct lf_format *);

#endif
