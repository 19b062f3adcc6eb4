/*
 * render: one member list in one output format (lib/format.h).
 *
 * Writes the format's header line, then one row per member, each ended by
 * the format's newline.  The display name follows the list's names mode
 * (full, first, none); an empty name uses row_noname where the format has
 * one.  which selects the members: all, only mail or only digest (the
 * Sympa sources per reception mode).  0, or -1 (out of memory).
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

#endif
