/*
 * checkcfg: what the --check-config of listfeed-gen and listfeed.fcgi
 * share: whose eyes the check uses, and its last line.
 *
 * checkcfg_become(): run as root, the check looks at the files as the
 * service would, as the service's user (systemd/listfeed-*.service
 * User=): it takes that user's uid, primary group and supplementary
 * groups (initgroups(3)) for good, and that user's HOME.  user is the
 * --user option, or NULL for the program's unit user (dflt).  Run as
 * anyone else, it checks as that user: --user must then name that user.
 * LISTFEED_CHECK_USER in the environment, if set, replaces dflt ("root":
 * check as root; the tests set it, since their files are root's); like
 * --user, it must name a user that exists.  A dflt of the program's
 * that does not exist (a host where systemd-sysusers has not run) leaves
 * root checking as root, and says so.  0, or -1 with the reason logged.
 *
 * checkcfg_verdict(): "PATH: configuration ok" on standard output when no
 * problem was found, else "PATH: N problem(s) found" logged (standard
 * error); every problem was logged as it was found.
 */
#ifndef LF_CHECKCFG_H
#define LF_CHECKCFG_H

#define CHECKCFG_ENV	"LISTFEED_CHECK_USER"

int	checkcfg_become(const char *user, const char *dflt);
void	checkcfg_verdict(const char *path, unsigned problems);

#endif
