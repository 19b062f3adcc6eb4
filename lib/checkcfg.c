/* checkcfg: see checkcfg.h. */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkcfg.h"
#include "log.h"

/* Takes the uid and groups of pw (name and dir copied first: the
 * calls below may reuse getpwnam()'s buffer) for good.  0, or -1
 * logged. */
static int
become(struct passwd *pw)
{
	uid_t	 ru, eu, su;
	int	 rc = -1;

	pw->pw_name = strdup(pw->pw_name);
	pw->pw_dir = strdup(pw->pw_dir);
	if (pw->pw_name == NULL || pw->pw_dir == NULL) {
		log_warn("strdup");
		goto out;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) == -1) {
		log_warn("initgroups %s", pw->pw_name);
		goto out;
	}
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_warn("becoming %s", pw->pw_name);
		goto out;
	}
	if (getresuid(&ru, &eu, &su) == -1 || ru != pw->pw_uid ||
	    eu != pw->pw_uid || su != pw->pw_uid || setuid(0) == 0) {
		log_warnx("becoming %s: root privileges not dropped",
		    pw->pw_name);
		goto out;
	}
	/* gpg without [gpg] home looks in $HOME/.gnupg. */
	if (setenv("HOME", pw->pw_dir, 1) == -1 ||
	    setenv("USER", pw->pw_name, 1) == -1 ||
	    setenv("LOGNAME", pw->pw_name, 1) == -1) {
		log_warn("setenv");
		goto out;
	}
	log_info("checking as user %s, as its service would see the files",
	    pw->pw_name);
	rc = 0;
out:
	free(pw->pw_name);
	free(pw->pw_dir);
	return rc;
}

int
checkcfg_become(const char *user, const char *dflt)
{
	const struct passwd	*pw;
	struct passwd		 copy;	/* the fields become() uses */
	const char		*name, *env = getenv(CHECKCFG_ENV);

	if (env != NULL && env[0] != '\0')
		dflt = env;
	name = user != NULL ? user : dflt;
	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL && user == NULL && dflt == env) {
		if (errno != 0)
			log_warn("%s %s", CHECKCFG_ENV, env);
		else
			log_warnx("%s: no user %s", CHECKCFG_ENV, env);
		return -1;
	}
	if (geteuid() != 0) {
		if (user == NULL || (pw != NULL && pw->pw_uid == geteuid()))
			return 0;
		log_warnx("--user %s: only root may check as another user",
		    user);
		return -1;
	}
	if (pw == NULL) {
		if (user == NULL && errno == 0) {
			log_info("no user %s (systemd-sysusers makes it): "
			    "checking as root", dflt);
			return 0;
		}
		if (errno != 0)
			log_warn("user %s", name);
		else
			log_warnx("no user %s", name);
		return -1;
	}
	if (pw->pw_uid == 0)
		return 0;
	memset(&copy, 0, sizeof(copy));
	copy.pw_name = pw->pw_name;
	copy.pw_dir = pw->pw_dir;
	copy.pw_uid = pw->pw_uid;
	copy.pw_gid = pw->pw_gid;
	return become(&copy);
}

void
checkcfg_verdict(const char *path, unsigned problems)
{
	if (problems == 0) {
		printf("%s: configuration ok\n", path);
		(void)fflush(stdout);
	} else
		log_warnx("%s: %u problem%s found", path, problems,
		    problems == 1 ? "" : "s");
}
