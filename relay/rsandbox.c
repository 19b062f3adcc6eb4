/* rsandbox: see rsandbox.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rsandbox.h"
#include "sandbox.h"

static const struct sandbox_filter filter = {
	"relay", SANDBOX_ALLOW, SANDBOX_EPERM, NULL, 0
};

int
rsandbox_apply(const struct rconf *c)
{
	struct sandbox_rules	 r;
	char			 run[64];

	if (!sandbox_wanted())
		return 0;
	memset(&r, 0, sizeof(r));
	sandbox_path(&r, SANDBOX_EXEC, "/usr");
	sandbox_path(&r, SANDBOX_RO, "/etc");
	sandbox_parent(&r, SANDBOX_RO, c->path);
	sandbox_parent(&r, SANDBOX_RO, c->cert);
	sandbox_parent(&r, SANDBOX_RO, c->key);
	sandbox_parent(&r, SANDBOX_RO, c->ca);
	sandbox_path(&r, SANDBOX_RO, "/proc");
	sandbox_path(&r, SANDBOX_RO, "/sys/devices/system/cpu");
	sandbox_path(&r, SANDBOX_RO, "/dev/urandom");
	sandbox_path(&r, SANDBOX_RO, "/dev/random");
	sandbox_path(&r, SANDBOX_RO, "/run/systemd/resolve");
	sandbox_path(&r, SANDBOX_RW, c->gnupghome);
	sandbox_path(&r, SANDBOX_RW, c->state);
	(void)snprintf(run, sizeof(run), "/run/user/%u", (unsigned)getuid());
	sandbox_path(&r, SANDBOX_RW, run);
	sandbox_path(&r, SANDBOX_RW, "/dev/null");
	sandbox_port(&r, c->url_port);
	sandbox_port(&r, 53);
	return sandbox_apply(&r, &filter);
}
