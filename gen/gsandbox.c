/* gsandbox: see gsandbox.h. */
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "gsandbox.h"
#include "optfile.h"
#include "sandbox.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct sandbox_filter filter = {
	"gen", SANDBOX_ALLOW, SANDBOX_EPERM, NULL, 0
};

/* The MariaDB option file: the directories of the files it names, and
 * its port. */
static void
optfile_rules(struct sandbox_rules *r, const struct lf_config *cfg)
{
	static const enum optfile_key files[] = { OPTFILE_SSL_CA,
	    OPTFILE_SSL_CERT, OPTFILE_SSL_KEY, OPTFILE_SSL_CRL };
	static const enum optfile_key dirs[] = { OPTFILE_SSL_CAPATH,
	    OPTFILE_SSL_CRLPATH };
	struct optfile	 of;
	size_t		 i;

	sandbox_parent(r, SANDBOX_RO, cfg->defaults_file);
	if (optfile_load(cfg->defaults_file, cfg->group, OPTFILE_QUIET,
	    &of) == -1)
		optfile_free(&of);
	sandbox_port(r, optfile_port(&of));
	for (i = 0; i < NELEM(files); i++)
		sandbox_parent(r, SANDBOX_RO, of.val[files[i]]);
	for (i = 0; i < NELEM(dirs); i++)
		sandbox_path(r, SANDBOX_RO, of.val[dirs[i]]);
	optfile_free(&of);
}

/* GNUPGHOME as gpg finds it, in buf if made there; NULL if unknown. */
static const char *
gnupghome(const struct lf_config *cfg, char *buf, size_t sz)
{
	struct passwd	*pw;
	const char	*home;

	if (cfg->gpg_home != NULL)
		return cfg->gpg_home;
	if ((home = getenv("GNUPGHOME")) != NULL)
		return home;
	if ((home = getenv("HOME")) == NULL &&
	    (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	if (home == NULL || xsnprintf(buf, sz, "%s/.gnupg", home) == -1)
		return NULL;
	return buf;
}

int
gsandbox_apply(const struct lf_config *cfg, const char *conffile)
{
	struct sandbox_rules	 r;
	char			 home[PATH_MAX], run[64];

	if (!sandbox_wanted())
		return 0;
	/* The feed directory must exist to be named. */
	if (cfg->feed_dir != NULL && mkdir_p(cfg->feed_dir, 0755) == -1)
		return -1;
	memset(&r, 0, sizeof(r));
	sandbox_path(&r, SANDBOX_EXEC, "/usr");

	sandbox_path(&r, SANDBOX_RO, "/etc");
	sandbox_path(&r, SANDBOX_RO, conffile);
	sandbox_path(&r, SANDBOX_RO, cfg->templates);
	if (cfg->defaults_file != NULL)
		optfile_rules(&r, cfg);
	sandbox_path(&r, SANDBOX_RO, "/run/systemd/resolve");
	sandbox_path(&r, SANDBOX_RO, "/proc");
	sandbox_path(&r, SANDBOX_RO, "/sys/devices/system/cpu");
	sandbox_path(&r, SANDBOX_RO, "/dev/urandom");
	sandbox_path(&r, SANDBOX_RO, "/dev/random");
	sandbox_port(&r, 53);

	r.refer = 1;
	sandbox_path(&r, SANDBOX_RW, cfg->feed_dir);
	sandbox_path(&r, SANDBOX_RW, gnupghome(cfg, home, sizeof(home)));
	if (xsnprintf(run, sizeof(run), "/run/user/%u", (unsigned)getuid())
	    != -1)
		sandbox_path(&r, SANDBOX_RW, run);
	sandbox_parent(&r, SANDBOX_RW, cfg->trigger_socket);
	sandbox_path(&r, SANDBOX_RW, "/dev/null");
	return sandbox_apply(&r, &filter);
}
