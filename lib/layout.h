/*
 * layout: where a list's published versions live in the feed directory
 * (doc/architecture.md), shared by listfeed-gen and listfeed.fcgi.
 *
 *   FEED/v/NAME/G/            list NAME as generation G published it: its
 *                             files at the paths of kind.h and entry.json
 *                             (manifest.h), written last; immutable once
 *                             FEED/l/NAME has pointed at it
 *   FEED/l/NAME -> ../v/NAME/G
 *                             the live version of NAME, switched by one
 *                             rename(2)
 *
 * A reader resolves l/NAME once (readlink) and then opens files of that
 * one version only: every file it gets of a list comes from one version.
 */
#ifndef LF_LAYOUT_H
#define LF_LAYOUT_H

#include <stddef.h>

#include "manifest.h"
#include "strlist.h"

#define LAYOUT_LIVE	"l"
#define LAYOUT_VERSIONS	"v"

/* "../v/NAME/G": the target of l/NAME.  0 or -1. */
int	layout_target(const char *name, long long gen, char *out, size_t sz);
/* FEED/v/NAME/G (gen > 0) or FEED/v/NAME (gen 0).  0 or -1. */
int	layout_vdir(const char *feed, const char *name, long long gen,
	    char *out, size_t sz);
/* The live version of NAME into *gen: 1, 0 if the list has none, -1 if
 * l/NAME is not a link to a version of NAME (logged). */
int	layout_live(const char *feed, const char *name, long long *gen);
/* Version G's entry into e (e->version = gen): 0, 1 if it has no
 * entry.json, -1 if it is unreadable or invalid (logged). */
int	layout_entry(const char *feed, const char *name, long long gen,
	    struct lf_entry *e);
/* The names in FEED/l, valid list names only, sorted.  0 or -1. */
int	layout_names(const char *feed, struct strlist *out);
/* A generation's decimal name: 1 if s is one (into *gen), else 0. */
int	layout_gen_name(const char *s, long long *gen);

#endif
