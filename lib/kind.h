/*
 * kind: the one table of the files a list can have.  listfeed-gen writes
 * them (publish, feed), the manifest names them, listfeed.fcgi routes,
 * authorises and links them, all through this table: no other code tells
 * one kind from another by its name.
 *
 *   kind               manifest key   path in a generation          content
 *   KIND_FORMAT        FORMAT         lists/NAME.FORMAT.asc         OpenPGP, all
 *   KIND_SYMPA_MAIL    sympa-mail     lists/mail/NAME.sympa.asc     OpenPGP, mail
 *   KIND_SYMPA_DIGEST  sympa-digest   lists/digest/NAME.sympa.asc   OpenPGP, digest
 *   KIND_PLAIN         plain          plain/NAME.sympa              clear, all
 *   KIND_PLAIN_MAIL    plain-mail     plain/mail/NAME.sympa         clear, mail
 *   KIND_PLAIN_DIGEST  plain-digest   plain/digest/NAME.sympa       clear, digest
 *
 * A list has a KIND_FORMAT file per format of the list, the two
 * KIND_SYMPA_* files when its formats include sympa, and the three
 * KIND_PLAIN* files only when a client with plain = yes sees it.  Every
 * file rendered in the sympa format (all but KIND_FORMAT of another
 * format) starts with the signed header of sympafile.h.
 *
 * Who may fetch: an OpenPGP file, any client that sees the list; a clear
 * one, only such a client with plain = yes.
 *
 * URLs (cgi/route.h): /lists/NAME[?reception=R] is the clear kind of R;
 * /lists/NAME.FORMAT.asc is KIND_FORMAT; /lists/NAME.sympa.asc?reception=R
 * (R mail or digest) is KIND_SYMPA_R.  Nothing else names a file.
 *
 * The manifest keys of the internal kinds are reserved: no format may be
 * named so (kind_reserved(), checked where formats are configured).
 */
#ifndef LF_KIND_H
#define LF_KIND_H

#include <stddef.h>
#include <sys/types.h>

#include "sympafile.h"

#define KIND_SYMPA_FORMAT	"sympa"	/* the format Sympa reads */

enum lf_kind {
	KIND_FORMAT = 0,
	KIND_SYMPA_MAIL,
	KIND_SYMPA_DIGEST,
	KIND_PLAIN,
	KIND_PLAIN_MAIL,
	KIND_PLAIN_DIGEST,
	KIND_N
};

/* When a list has a file of the kind. */
enum kind_when {
	KIND_EACH_FORMAT,	/* one per format of the list */
	KIND_IF_SYMPA,		/* the list's formats include sympa */
	KIND_IF_PLAIN		/* a client with plain = yes sees the list */
};

struct kind_info {
	const char		*key;	/* manifest key; NULL: the format */
	const char		*dir;	/* directory inside a generation */
	int			 encrypted;
	enum sympafile_reception reception;
	enum kind_when		 when;
};

/* The directories of a generation, parents first, with their modes. */
struct kind_dir {
	const char	*name;
	mode_t		 mode;
};
extern const struct kind_dir kind_dirs[];
extern const size_t kind_ndirs;

const struct kind_info *kind_info(enum lf_kind);

/* 1 if a format may not be called name: an internal kind's key. */
int	kind_reserved(const char *name);

/*
 * A manifest key: *k and, for KIND_FORMAT, the format (the key itself).
 * 0, or -1 for a key that is neither an internal kind nor a valid
 * format name.
 */
int	kind_parse(const char *key, enum lf_kind *k);

/* The manifest key of kind k (format: its format, else ignored). */
const char *kind_key(enum lf_kind k, const char *format);

/* The format a kind is rendered in. */
const char *kind_format(enum lf_kind k, const char *format);

/* 1 if the file starts with the signed header (the sympa format). */
int	kind_has_header(enum lf_kind k, const char *format);

/* The file's path relative to a generation.  0, or -1 (too long). */
int	kind_path(enum lf_kind k, const char *format, const char *list,
	    char *out, size_t outsz);

/* File mode: 0644 for OpenPGP, 0640 for clear text. */
mode_t	kind_mode(enum lf_kind k);

/*
 * The kind a request URL names: asc (the last segment ends in ".asc",
 * with format), reception from ?reception=.  0, or -1: no file has
 * such a URL.
 */
int	kind_for_url(int asc, const char *format,
	    enum sympafile_reception reception, enum lf_kind *k);

/* 1 if a client (plain: it has plain = yes) may fetch files of kind k. */
int	kind_may_fetch(enum lf_kind k, int plain);

#endif
