/*
 * csandbox: the responder's least privilege (lib/sandbox.h does the
 * work), applied after the configuration, templates and listening socket
 * are ready and before any worker thread starts.  listfeed.fcgi holds no
 * secret and only reads: the feed, its configuration, its templates.
 *
 * Landlock:
 *   ro   [feed] dir (the files it serves and hands to nginx), the
 *        directory of the config file (editors replace the file by
 *        rename; reloads read it again), the templates directory,
 *        /etc/localtime, /usr/share/zoneinfo (times in the index),
 *        /proc/self, /sys/devices/system/cpu (the C library, the
 *        sanitizers)
 *   rm   the directory of sockpath (the socket is removed at exit)
 *   tcp  none (it speaks FastCGI on a Unix socket, triggers the
 *        generator by a datagram to a pathname Unix socket)
 * Nothing else: not the generator's GNUPGHOME, .state or option file,
 * nor a secret beside its configuration in another directory.  A reload
 * that moves [feed] dir or the templates elsewhere needs a restart.
 *
 * seccomp: an allow-list of what the responder does once serving
 * (libfcgi, threads, jansson, inih, syslog, the sanitizers, inotify
 * watches on the descriptor made before: fswatch.h); any other system
 * call fails with EPERM.  socket(2) only for AF_UNIX; clone only with
 * CLONE_VM (threads: no fork); openat only read-only; mmap and mprotect
 * never executable; ioctl only TCGETS, FIONREAD, FIONBIO; kill and
 * tgkill only to itself; prlimit only to read.  The process is killed
 * at once (SIGSYS) on execve, execveat and the calls that administer
 * the machine (sandbox.h).
 *
 * LISTFEED_SANDBOX=off turns it off (logged).
 */
#ifndef LF_CSANDBOX_H
#define LF_CSANDBOX_H

#include "conf.h"

/* sockpath: the socket it created, NULL for one inherited on fd 0.
 * 0, or -1 (logged): the caller stops. */
int	csandbox_apply(const struct lf_config *, const char *conffile,
	    const char *sockpath);

#endif
