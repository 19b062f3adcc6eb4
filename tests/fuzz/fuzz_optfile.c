/*
 * fuzz_optfile: the MariaDB option file through optfile_parse()
 * (lib/optfile.c), checked against an independent reader of the same
 * file: Connector/C itself.
 *
 * For every input optfile accepts, the library reads the same bytes as an
 * option file (MYSQL_READ_DEFAULT_FILE, group "listfeed", options kept
 * with CLIENT_REMEMBER_OPTIONS); its connection attempt fails at once
 * (getaddrinfo() and connect() are replaced below, so nothing leaves the
 * process).  Invariants:
 *  - every setting the library took from the file is the one optfile
 *    reports, byte for byte (host, user, password, database, socket, port,
 *    ssl-ca, ssl-cert, ssl-key, ssl-capath, ssl-crl, ssl-crlpath, the
 *    character set);
 *  - the library took nothing else: options set beforehand to sentinel
 *    values (plugin directory, default authentication plugin, TLS
 *    versions, cipher, bind address) are unchanged, and no init command,
 *    compression, named pipe or protocol appeared;
 *  - an accepted value is printable ASCII, a path is absolute, a port is
 *    1 to 65535.
 * Inputs optfile refuses are not given to the library (it may read other
 * files for them: !include).
 */
#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>

#include <mysql.h>

#include "fuzz.h"
#include "optfile.h"

#define SENTINEL	"/fuzz-sentinel"

/* The library's name lookups and connections fail without a packet. */
int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	(void)node;
	(void)service;
	(void)hints;
	(void)res;
	return EAI_FAIL;
}

int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	(void)fd;
	(void)sa;
	(void)len;
	errno = ECONNREFUSED;
	return -1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	(void)fuzz_tmpdir();
	return mysql_library_init(0, NULL, NULL);
}

static void
same(const char *what, const char *lib, const char *ours)
{
	FUZZ_ASSERT((lib == NULL && ours == NULL) || (lib != NULL &&
	    ours != NULL && strcmp(lib, ours) == 0),
	    "%s: Connector/C read \"%s\", optfile \"%s\"", what,
	    lib != NULL ? lib : "(unset)", ours != NULL ? ours : "(unset)");
}

static const char *
get_str(MYSQL *my, enum mysql_option opt)
{
	const char	*v = NULL;

	FUZZ_ASSERT(mysql_get_optionv(my, opt, &v) == 0, "get option %d",
	    (int)opt);
	return v;
}

static void
check_values(const struct optfile *of)
{
	size_t		 k;
	const char	*v;

	for (k = 0; k < OPTFILE_NKEYS; k++) {
		if ((v = of->val[k]) == NULL)
			continue;
		for (; *v != '\0'; v++)
			FUZZ_ASSERT(*v >= 0x20 && *v <= 0x7e, "%s: byte %02x",
			    optfile_key_name((enum optfile_key)k),
			    (unsigned char)*v);
	}
	for (k = OPTFILE_SSL_CA; k <= OPTFILE_SSL_CRLPATH; k++)
		FUZZ_ASSERT(of->val[k] == NULL || of->val[k][0] == '/',
		    "%s not absolute", optfile_key_name((enum optfile_key)k));
	FUZZ_ASSERT(optfile_port(of) >= 1 && optfile_port(of) <= 65535,
	    "port %u", optfile_port(of));
}

/* Connector/C reads path as an option file; compare with of. */
static void
library_agrees(const char *path, const struct optfile *of)
{
	MYSQL		*my;
	unsigned int	 port;

	if ((my = mysql_init(NULL)) == NULL)
		abort();
	if (mysql_optionsv(my, MYSQL_PLUGIN_DIR, SENTINEL) ||
	    mysql_optionsv(my, MYSQL_DEFAULT_AUTH, SENTINEL) ||
	    mysql_optionsv(my, MARIADB_OPT_TLS_VERSION, SENTINEL) ||
	    mysql_optionsv(my, MYSQL_OPT_SSL_CIPHER, SENTINEL) ||
	    mysql_optionsv(my, MYSQL_OPT_BIND, SENTINEL) ||
	    mysql_optionsv(my, MYSQL_READ_DEFAULT_FILE, path) ||
	    mysql_optionsv(my, MYSQL_READ_DEFAULT_GROUP, "listfeed"))
		abort();
	FUZZ_ASSERT(mysql_real_connect(my, NULL, NULL, NULL, NULL, 0, NULL,
	    CLIENT_REMEMBER_OPTIONS) == NULL, "connected");

	same("host", my->options.host, of->val[OPTFILE_HOST]);
	same("user", my->options.user, of->val[OPTFILE_USER]);
	same("password", my->options.password, of->val[OPTFILE_PASSWORD]);
	same("database", my->options.db, of->val[OPTFILE_DATABASE]);
	same("socket", my->options.unix_socket, of->val[OPTFILE_SOCKET]);
	same("ssl-ca", my->options.ssl_ca, of->val[OPTFILE_SSL_CA]);
	same("ssl-cert", my->options.ssl_cert, of->val[OPTFILE_SSL_CERT]);
	same("ssl-key", my->options.ssl_key, of->val[OPTFILE_SSL_KEY]);
	same("ssl-capath", my->options.ssl_capath,
	    of->val[OPTFILE_SSL_CAPATH]);
	same("ssl-crl", get_str(my, MYSQL_OPT_SSL_CRL),
	    of->val[OPTFILE_SSL_CRL]);
	same("ssl-crlpath", get_str(my, MYSQL_OPT_SSL_CRLPATH),
	    of->val[OPTFILE_SSL_CRLPATH]);
	same("default-character-set", my->options.charset_name,
	    of->val[OPTFILE_CHARSET]);
	port = of->val[OPTFILE_PORT] != NULL ? optfile_port(of) : 0;
	FUZZ_ASSERT(my->options.port == port, "port: Connector/C %u, "
	    "optfile %u", my->options.port, port);

	same("plugin-dir", get_str(my, MYSQL_PLUGIN_DIR), SENTINEL);
	same("default-auth", get_str(my, MYSQL_DEFAULT_AUTH), SENTINEL);
	same("tls-version", get_str(my, MARIADB_OPT_TLS_VERSION), SENTINEL);
	same("ssl-cipher", my->options.ssl_cipher, SENTINEL);
	same("bind-address", my->options.bind_address, SENTINEL);
	FUZZ_ASSERT(my->options.init_command == NULL, "init-command set");
	FUZZ_ASSERT(!my->options.compress && !my->options.named_pipe &&
	    my->options.protocol == 0, "compress, pipe or protocol set");
	mysql_close(my);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optfile	 of;
	const char	*path;

	if (size > OPTFILE_MAX)
		return 0;
	if (optfile_parse("fuzz.cnf", (const char *)data, size, "listfeed",
	    OPTFILE_QUIET, &of) == 0) {
		check_values(&of);
		path = fuzz_write("my.cnf", data, size);
		library_agrees(path, &of);
	}
	optfile_free(&of);
	return 0;
}
