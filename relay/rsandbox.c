/* rsandbox: see rsandbox.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rsandbox.h"
#include "sandbox.h"

#define MAXP	16

struct paths {
	char	*v[MAXP];
	size_t	 n;
	int	 failed;
};

static void
add(struct paths *p, const char *path, int parent)
{
	char	*s, *slash;

	if (p->n >= MAXP || (s = strdup(path)) == NULL) {
		p->failed = 1;
		return;
	}
	if (parent && (slash = strrchr(s, '/')) != NULL)
		slash[slash == s ? 1 : 0] = '\0';
	p->v[p->n++] = s;
}

static void
clear(struct paths *p)
{
	while (p->n > 0)
		free(p->v[--p->n]);
}

int
rsandbox_apply(const struct rconf *c)
{
	struct sandbox_paths	 sp;
	struct paths		 ro = { { 0 }, 0, 0 }, rw = { { 0 }, 0, 0 };
	const char *const	 exec[] = { "/usr" };
	unsigned short		 tcp[] = { c->url_port, 53 };
	char			 run[64];
	int			 rc = -1;

	if (!sandbox_wanted())
		return 0;
	add(&ro, "/etc", 0);
	add(&ro, c->path, 1);
	add(&ro, c->cert, 1);
	add(&ro, c->key, 1);
	add(&ro, c->ca, 1);
	add(&ro, "/proc", 0);
	add(&ro, "/sys/devices/system/cpu", 0);
	add(&ro, "/dev/urandom", 0);
	add(&ro, "/dev/random", 0);
	add(&ro, "/run/systemd/resolve", 0);
	add(&rw, c->gnupghome, 0);
	add(&rw, c->state, 0);
	(void)snprintf(run, sizeof(run), "/run/user/%u", (unsigned)getuid());
	add(&rw, run, 0);
	add(&rw, "/dev/null", 0);
	if (ro.failed || rw.failed) {
		log_warnx("sandbox: out of memory");
		goto out;
	}
	memset(&sp, 0, sizeof(sp));
	sp.ro = (const char *const *)ro.v;
	sp.nro = ro.n;
	sp.rw = (const char *const *)rw.v;
	sp.nrw = rw.n;
	sp.exec = exec;
	sp.nexec = 1;
	sp.tcp = tcp;
	sp.ntcp = 2;
	if (sandbox_landlock(&sp, 0) == -1 ||
	    sandbox_seccomp(SANDBOX_GEN) == -1)
		goto out;
	rc = 0;
out:
	clear(&ro);
	clear(&rw);
	return rc;
}
