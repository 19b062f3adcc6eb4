-- The read-only account of listfeed-gen.  Run as a MariaDB administrator
-- after recommended-view.sql, with a strong password instead of CHANGE-ME;
-- put the same password in the option file named by listfeed.conf's
-- defaults_file (mode 0600, owned by the user listfeed-gen runs as).
--
-- Host: for MariaDB, 'localhost' means the Unix socket, and a TCP
-- connection from 127.0.0.1 only while the server resolves host names (no
-- skip-name-resolve).  listfeed-gen normally connects over TCP, so with
-- skip-name-resolve, or when it runs on another machine, name its address
-- instead ('127.0.0.1', or the generator's IP).  Over the socket, too,
-- tls = required insists on TLS with a certificate that names localhost.
-- REQUIRE SSL makes the server refuse this account in clear text;
-- listfeed-gen in turn verifies the server's certificate.
--
-- Authentication: the variant below uses the server's default plugin
-- (mysql_native_password in MariaDB 10.11), which works out of the box.
-- Better, and checked with Connector/C 3.3 against MariaDB 10.11: ed25519.
-- The server keeps only a public key, so neither a copy of mysql.global_priv
-- nor a recorded handshake lets anyone log in (with mysql_native_password,
-- the stored hash plus one recorded handshake does).  The client side,
-- client_ed25519, ships with Connector/C and loads by itself; the server
-- plugin is installed once (INSTALL SONAME fails if it already is: see
-- SELECT * FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ed25519'):
--
--   INSTALL SONAME 'auth_ed25519';
--   CREATE USER IF NOT EXISTS 'listfeed'@'localhost'
--     IDENTIFIED VIA ed25519 USING PASSWORD('CHANGE-ME') REQUIRE SSL;
--
-- (for an existing account: ALTER USER 'listfeed'@'localhost'
--  IDENTIFIED VIA ed25519 USING PASSWORD('...');)

CREATE USER IF NOT EXISTS 'listfeed'@'localhost'
  IDENTIFIED BY 'CHANGE-ME' REQUIRE SSL;

-- SELECT on the view and nothing else: no SHOW VIEW (the definition would
-- reveal the schema), no access to any base table.  The view runs with
-- its definer's rights (SQL SECURITY DEFINER), which need SELECT on
-- members_user, mailinglists_subscription and mailinglists_mailinglist.
GRANT SELECT ON `mslcrm`.`listfeed_subscribers` TO 'listfeed'@'localhost';
-- An installation whose query still reads the CRM's old view (which keeps
-- deactivated accounts; listfeed-gen --check-config warns) needs, until
-- it moves to listfeed_subscribers:
--   GRANT SELECT ON `mslcrm`.`mailinglists_api` TO 'listfeed'@'localhost';

-- Once Sympa reads listfeed instead of the database, retire the old
-- account it used (its password sits in clear text at the provider).
-- Find its host first:
--
--   SELECT `user`, `host` FROM `mysql`.`user` WHERE `user` = 'mlist';
--   SHOW GRANTS FOR 'mlist'@'SYMPA_IP';
--
-- then, with that host:
--
--   REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'mlist'@'SYMPA_IP';
--   DROP USER 'mlist'@'SYMPA_IP';
--
-- DROP USER alone is enough (it removes the grants too); a session of that
-- account that is still open keeps running until it disconnects:
-- SHOW PROCESSLIST, then KILL CONNECTION <id>.  Close the firewall port
-- opened for the provider as well.
