/*
 * render: one member list in one output format (lib/format.h), and the
 * formats a run loads.
 *
 * Writes the format's header line, then one row per member, each ended by
 * the format's newline.  The display name follows the list's names mode
 * (full, first, none); an empty name uses row_noname where the format has
 * one.  which selects the members: all, only mail or only digest (the
 * Sympa sources per reception mode).  0, or -1 (out of memory).
 *
 * formats_load() loads the templates (templates/NAME.format) of a run.
 */
#ifndef LF_RENDER_H
#define LF_RENDER_H

#include "buf.h"
#include "collect.h"
#include "conf.h"
#include "format.h"
#include "sympafile.h"

int	render_list(struct buf *out, const struct lf_format *f,
	    const struct members *l, enum names_mode names,
	    enum sympafile_reception which);

/* The formats of a run: every one a list may use, and sympa. */
struct formats {
	struct lf_format	*v;
	size_t			 n;
};

/* Loads every format any list may use, and sympa.  0 or -1. */
int	formats_load(const struct lf_config *, struct formats *);
void	formats_free(struct formats *);
/* The loaded format of that name, or NULL. */
const struct lf_format *formats_find(const struct formats *,
	    const char *name);

#endif
