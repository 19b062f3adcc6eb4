# listfeed: one Makefile for both programs, their tests and install.
#
#   make            build build/listfeed-gen, build/listfeed.fcgi and
#                   build/listfeed-relay
#   make check      install missing packages, build with ASan+UBSan, run all tests
#   make demo       the whole system on a sample CRM database (DEMO_ONESHOT=1: run and exit)
#   make bench      measured speed (tests/bench/)
#   make install    PREFIX=/usr/local DESTDIR=...
#   make deb        Debian packages listfeed and listfeed-relay in build/deb/

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
DATADIR		?= $(PREFIX)/share/listfeed
LIBEXECDIR	?= $(PREFIX)/lib/listfeed
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= /etc
# systemd reads units, sysusers.d and tmpfiles.d from /usr/local/lib as
# well: only an install into /usr uses the distribution's directories
# (as systemd.pc names them).
ifeq ($(PREFIX),/usr)
sd_dir		= $(or $(shell $(PKG_CONFIG) --variable=$(1) systemd 2>/dev/null),$(2))
UNITDIR		?= $(call sd_dir,systemdsystemunitdir,/lib/systemd/system)
SYSUSERSDIR	?= $(call sd_dir,sysusersdir,/usr/lib/sysusers.d)
TMPFILESDIR	?= $(call sd_dir,tmpfilesdir,/usr/lib/tmpfiles.d)
else
UNITDIR		?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR	?= $(PREFIX)/lib/tmpfiles.d
endif
DESTDIR		?=

BUILD		?= build
CC		?= cc
PKG_CONFIG	?= pkg-config
CFLAGS		?= -O2 -g
SAN		?=

LIB_PKGS	= inih jansson libcrypto libseccomp
GEN_PKGS	= libmariadb gpgme
CGI_PKGS	= fcgi
RELAY_PKGS	= gpgme libcurl libmicrohttpd
TEST_PKGS	= cmocka

WARN		= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
		  -Wstrict-prototypes -Wpointer-arith -Wvla
LF_CFLAGS	= -std=c17 -D_GNU_SOURCE $(WARN) -Ilib \
		  -DLF_TEMPLATES_DIR='"$(DATADIR)/templates"' \
		  -DLF_VERSION='"$(VERSION)"' -fstack-protector-strong \
		  -D_FORTIFY_SOURCE=2 -fPIE
LF_LDFLAGS	= -pie -Wl,-z,relro,-z,now
ifneq ($(SAN),)
LF_CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined -U_FORTIFY_SOURCE -O1
LF_LDFLAGS	+= -fsanitize=address,undefined
endif
VERSION		= 0.1

pc_cflags	= $(shell $(PKG_CONFIG) --cflags $(1))
pc_libs		= $(shell $(PKG_CONFIG) --libs $(1))

LIB_SRCS	= $(sort $(wildcard lib/*.c))
PGP_SRCS	= $(sort $(wildcard pgp/*.c))
GEN_SRCS	= $(sort $(wildcard gen/*.c))
CGI_SRCS	= $(sort $(wildcard cgi/*.c))
RELAY_SRCS	= $(sort $(wildcard relay/*.c))
LIB_OBJS	= $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/lib/unicode_data.o
PGP_OBJS	= $(PGP_SRCS:%.c=$(BUILD)/%.o)
GEN_OBJS	= $(GEN_SRCS:%.c=$(BUILD)/%.o)
CGI_OBJS	= $(CGI_SRCS:%.c=$(BUILD)/%.o)
RELAY_OBJS	= $(RELAY_SRCS:%.c=$(BUILD)/%.o)
RELAY_NOMAIN	= $(filter-out $(BUILD)/relay/main.o,$(RELAY_OBJS))
GEN_NOMAIN	= $(filter-out $(BUILD)/gen/main.o,$(GEN_OBJS))
CGI_NOMAIN	= $(filter-out $(BUILD)/cgi/main.o,$(CGI_OBJS))

# Unit tests: tests/unit/test_lib_*.c link the shared library,
# test_pgp_*.c add pgp/, test_gen_*.c add gen/ (but main) and pgp/,
# test_cgi_*.c add cgi/ (but main).
UNIT_LIB	= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_lib_*.c))
UNIT_PGP	= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_pgp_*.c))
UNIT_GEN	= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_gen_*.c))
UNIT_CGI	= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_cgi_*.c))
UNIT_RELAY	= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_relay_*.c))
UNITS		= $(UNIT_LIB) $(UNIT_PGP) $(UNIT_GEN) $(UNIT_CGI) $(UNIT_RELAY)

GEN_BIN		= $(BUILD)/listfeed-gen
CGI_BIN		= $(BUILD)/listfeed.fcgi
RELAY_BIN	= $(BUILD)/listfeed-relay
LIBLF		= $(BUILD)/liblistfeed.a
# The OpenPGP operations (pgp/pgp.h), for the programs that run gpg:
# listfeed-gen and listfeed-relay.  listfeed.fcgi never links it.
LIBPGP		= $(BUILD)/libpgp.a
PGP_PKGS	= gpgme

.PHONY: all tests check demo bench fuzz install uninstall deb clean deps lint
all: $(GEN_BIN) $(CGI_BIN) $(RELAY_BIN)

$(BUILD)/lib/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) $(call pc_cflags,$(LIB_PKGS)) -c -o $@ $<

$(BUILD)/pgp/%.o: pgp/%.c pgp/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) -Ipgp $(call pc_cflags,$(LIB_PKGS) $(PGP_PKGS)) -c -o $@ $<

$(BUILD)/gen/%.o: gen/%.c gen/*.h pgp/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) -Igen -Ipgp $(call pc_cflags,$(LIB_PKGS) $(GEN_PKGS)) -c -o $@ $<

$(BUILD)/cgi/%.o: cgi/%.c cgi/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) -Icgi $(call pc_cflags,$(LIB_PKGS) $(CGI_PKGS)) -c -o $@ $<

# The table of lib/unicode.h, from the Unicode Character Database
# (Debian's unicode-data package).
UCD		?= /usr/share/unicode/UnicodeData.txt

$(BUILD)/lib/unicode_data.c: lib/unicode_data.awk $(UCD)
	@mkdir -p $(@D)
	awk -f lib/unicode_data.awk $(UCD) >$@.tmp
	mv $@.tmp $@

$(BUILD)/lib/unicode_data.o: $(BUILD)/lib/unicode_data.c lib/unicode.h
	$(CC) $(CFLAGS) $(LF_CFLAGS) -c -o $@ $<

$(BUILD)/relay/%.o: relay/%.c relay/*.h pgp/pgp.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) -Irelay -Ipgp $(call pc_cflags,$(LIB_PKGS) $(RELAY_PKGS)) -c -o $@ $<

$(LIBLF): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

$(LIBPGP): $(PGP_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(PGP_OBJS)

$(GEN_BIN): $(GEN_OBJS) $(LIBPGP) $(LIBLF)
	$(CC) $(LF_LDFLAGS) $(LDFLAGS) -o $@ $(GEN_OBJS) $(LIBPGP) $(LIBLF) \
	    $(call pc_libs,$(GEN_PKGS) $(LIB_PKGS)) -lpthread

# The responder links neither libmariadb nor gpgme (nor $(LIBPGP)).
$(CGI_BIN): $(CGI_OBJS) $(LIBLF)
	$(CC) $(LF_LDFLAGS) $(LDFLAGS) -o $@ $(CGI_OBJS) $(LIBLF) \
	    $(call pc_libs,$(CGI_PKGS) $(LIB_PKGS)) -lpthread

$(RELAY_BIN): $(RELAY_OBJS) $(LIBPGP) $(LIBLF)
	$(CC) $(LF_LDFLAGS) $(LDFLAGS) -o $@ $(RELAY_OBJS) $(LIBPGP) $(LIBLF) \
	    $(call pc_libs,$(RELAY_PKGS) $(LIB_PKGS)) -lpthread

$(BUILD)/tests/test_lib_%: tests/unit/test_lib_%.c $(LIBLF) $(wildcard tests/unit/*.h) lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) $(call pc_cflags,$(LIB_PKGS) $(TEST_PKGS)) \
	    $(LF_LDFLAGS) -o $@ $< $(LIBLF) $(call pc_libs,$(LIB_PKGS) $(TEST_PKGS))

$(BUILD)/tests/test_pgp_%: tests/unit/test_pgp_%.c $(LIBPGP) $(LIBLF) $(wildcard tests/unit/*.h) pgp/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) -Ipgp \
	    $(call pc_cflags,$(LIB_PKGS) $(PGP_PKGS) $(TEST_PKGS)) $(LF_LDFLAGS) \
	    -o $@ $< $(LIBPGP) $(LIBLF) \
	    $(call pc_libs,$(PGP_PKGS) $(LIB_PKGS) $(TEST_PKGS))

$(BUILD)/tests/test_gen_%: tests/unit/test_gen_%.c $(GEN_NOMAIN) $(LIBPGP) $(LIBLF) $(wildcard tests/unit/*.h) gen/*.h pgp/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) -Igen -Ipgp \
	    $(call pc_cflags,$(LIB_PKGS) $(GEN_PKGS) $(TEST_PKGS)) $(LF_LDFLAGS) \
	    -o $@ $< $(GEN_NOMAIN) $(LIBPGP) $(LIBLF) \
	    $(call pc_libs,$(GEN_PKGS) $(LIB_PKGS) $(TEST_PKGS)) -lpthread

$(BUILD)/tests/test_cgi_%: tests/unit/test_cgi_%.c $(CGI_NOMAIN) $(LIBLF) $(wildcard tests/unit/*.h) cgi/*.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) -Icgi \
	    $(call pc_cflags,$(LIB_PKGS) $(CGI_PKGS) $(TEST_PKGS)) $(LF_LDFLAGS) \
	    -o $@ $< $(CGI_NOMAIN) $(LIBLF) \
	    $(call pc_libs,$(CGI_PKGS) $(LIB_PKGS) $(TEST_PKGS)) -lpthread

$(BUILD)/tests/test_relay_%: tests/unit/test_relay_%.c $(RELAY_NOMAIN) $(LIBPGP) $(LIBLF) relay/*.h pgp/pgp.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) -Irelay -Ipgp \
	    $(call pc_cflags,$(LIB_PKGS) $(RELAY_PKGS) $(TEST_PKGS)) $(LF_LDFLAGS) \
	    -o $@ $< $(RELAY_NOMAIN) $(LIBPGP) $(LIBLF) \
	    $(call pc_libs,$(RELAY_PKGS) $(LIB_PKGS) $(TEST_PKGS)) -lpthread

# Small programs the integration tests drive.
TOOLS		= $(BUILD)/tests/dbdump

$(BUILD)/tests/dbdump: tests/tools/dbdump.c $(BUILD)/gen/db.o $(LIBLF) gen/db.h lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) -Igen $(call pc_cflags,$(LIB_PKGS) $(GEN_PKGS)) \
	    $(LF_LDFLAGS) -o $@ $< $(BUILD)/gen/db.o $(LIBLF) \
	    $(call pc_libs,$(GEN_PKGS) $(LIB_PKGS))

tests: all $(UNITS) $(TOOLS)

deps:
	@sh tests/deps.sh

# The test build lives apart from the normal one, with sanitizers; a
# plain build (build/vg) is run under valgrind by tests/t_70_valgrind.sh.
# Both are built at once, sharing one job per processor unless make was
# given -j (so neither waits for the other's last links); each test's wall
# time is kept in build/san/test-times (tests/README.md).
CHECK_JOBS	= $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 1))

.PHONY: check-builds check-build-san check-build-vg
check: deps
	$(MAKE) $(CHECK_JOBS) check-builds
	LF_VG_BUILD=$(CURDIR)/build/vg LF_TIMES=$(CURDIR)/build/san/test-times \
	    bash tests/run build/san

check-builds: check-build-san check-build-vg
check-build-san:
	$(MAKE) BUILD=build/san SAN=1 tests
check-build-vg:
	$(MAKE) BUILD=build/vg CFLAGS='-O1 -g' all

demo: deps
	$(MAKE) all
	bash tests/demo.sh $(BUILD)

# The trivial FastCGI responder the bench measures listfeed.fcgi against
# (tests/bench/accel.c): built only for the bench, never installed.
BENCH_ACCEL	= $(BUILD)/tests/bench-accel

$(BENCH_ACCEL): tests/bench/accel.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LF_CFLAGS) $(call pc_cflags,$(CGI_PKGS)) $(LF_LDFLAGS) \
	    -o $@ $< $(call pc_libs,$(CGI_PKGS)) -lpthread

bench: deps
	$(MAKE) BUILD=build/bench CFLAGS='-O2 -g -DNDEBUG' all build/bench/tests/bench-accel
	bash tests/bench/run.sh build/bench

lint:
	sh tests/lint.sh

# Units and the setup script name the installed paths; the nginx site is
# installed only where there is none (an edited site stays as it is).
SUBST		= sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
UNITS_SD	= listfeed-gen.service listfeed-fcgi.service listfeed-fcgi.socket \
		  listfeed-relay.service
MAN8		= gen/listfeed-gen.8 cgi/listfeed.fcgi.8 relay/listfeed-relay.8 \
		  setup/listfeed-setup.8
SITE		= $(DESTDIR)$(SYSCONFDIR)/nginx/sites-available/listfeed

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/templates \
	    $(DESTDIR)$(DATADIR)/sql $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SYSCONFDIR)/listfeed $(DESTDIR)$(SYSCONFDIR)/nginx/sites-available \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(GEN_BIN) $(CGI_BIN) $(RELAY_BIN) setup/listfeed-setup \
	    $(DESTDIR)$(SBINDIR)/
	install -m 0644 templates/* $(DESTDIR)$(DATADIR)/templates/
	install -m 0644 gen/*.sql $(DESTDIR)$(DATADIR)/sql/
	install -m 0644 lib/listfeed.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 listfeed.conf.example $(DESTDIR)$(SYSCONFDIR)/listfeed/listfeed.conf.example
	install -m 0644 relay/relay.conf.example $(DESTDIR)$(SYSCONFDIR)/listfeed/relay.conf.example
	install -m 0755 nginx/letsencrypt-deploy-hook $(DESTDIR)$(LIBEXECDIR)/
	@if [ -e $(SITE) ]; then \
	    echo "kept $(SITE): compare it with nginx/listfeed.conf"; \
	else \
	    echo "install -m 0644 nginx/listfeed.conf $(SITE)"; \
	    install -m 0644 nginx/listfeed.conf $(SITE); \
	fi
	for u in $(UNITS_SD); do \
	    $(SUBST) systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u.tmp && \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.tmp && \
	    mv $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -m 0644 systemd/listfeed.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/listfeed.conf
	install -m 0644 systemd/listfeed-relay.sysusers.conf \
	    $(DESTDIR)$(SYSUSERSDIR)/listfeed-relay.conf
	install -m 0644 systemd/listfeed.tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/listfeed.conf

# Leaves /etc alone: the nginx site, the examples and what the operator made.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/listfeed-gen $(DESTDIR)$(SBINDIR)/listfeed.fcgi \
	    $(DESTDIR)$(SBINDIR)/listfeed-relay $(DESTDIR)$(SBINDIR)/listfeed-setup
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(LIBEXECDIR)
	for u in $(UNITS_SD); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
	rm -f $(DESTDIR)$(SYSUSERSDIR)/listfeed.conf $(DESTDIR)$(SYSUSERSDIR)/listfeed-relay.conf \
	    $(DESTDIR)$(TMPFILESDIR)/listfeed.conf
	rm -f $(DESTDIR)$(MANDIR)/man5/listfeed.conf.5
	for m in $(MAN8); do rm -f $(DESTDIR)$(MANDIR)/man8/$${m##*/}; done

# The Debian packages (debian/), built from a copy of the tree in
# DEB_DIR/src so that dpkg-buildpackage writes nothing outside DEB_DIR;
# then lintian, which fails the target on an error (DEB_LINTIAN=no: not
# run here, for a caller that runs it itself).  DEB_DIR may be outside
# the tree (an absolute path): tests/t_96_deb.sh builds into its world.
DEB_DIR		?= build/deb
DEB_LINTIAN	?= yes

deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src/listfeed
	tar -c --exclude=./build --exclude=./.git -f - . | tar -x -C $(DEB_DIR)/src/listfeed
	cd $(DEB_DIR)/src/listfeed && dpkg-buildpackage -us -uc -b -Jauto
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.changes $(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/
	rm -rf $(DEB_DIR)/src
	@if [ "$(DEB_LINTIAN)" = no ]; then :; elif command -v lintian >/dev/null; then \
	    echo "lintian $(DEB_DIR)/*.changes"; \
	    lintian --fail-on error $(DEB_DIR)/*.changes; \
	else echo "lintian not installed: not checked"; fi

clean:
	rm -rf build

# Fuzzing (clang, libFuzzer): tests/fuzz/fuzz_NAME.c, one target per parser
# or validator.  Each is linked from its own file, lib/ (but lib/log.c:
# tests/fuzz/fuzz.h has a quiet log shim; and lib/sandbox.c, which only the
# programs' sandbox policies call) and the gen/ or cgi/ sources it
# exercises, all compiled by clang here (never the gcc objects).
#   make fuzz [FUZZ_SECONDS=60]   build into $(BUILD)/fuzz, run each target
#                                 from a copy of tests/fuzz/corpus/NAME
# `make check` builds them too (into build/san/fuzz) where clang can link a
# fuzzer, and tests/t_80_fuzz.sh runs each for a few seconds.
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_DIR	= $(BUILD)/fuzz
FUZZ_NAMES	= $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS	= $(FUZZ_NAMES:%=$(FUZZ_DIR)/%)
FUZZ_CFLAGS	= -std=c17 -D_GNU_SOURCE $(WARN) -Ilib -Ipgp -Igen -Icgi -Irelay -Itests/fuzz \
		  -DLF_TEMPLATES_DIR='"$(CURDIR)/templates"' \
		  -DLF_VERSION='"$(VERSION)"' -DFUZZ_TOP='"$(CURDIR)"' \
		  -g -O1 -fno-omit-frame-pointer \
		  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB	= $(filter-out lib/log.c lib/sandbox.c,$(LIB_SRCS)) \
		  $(BUILD)/lib/unicode_data.c
# What each target needs besides lib/: sources, and pkg-config packages.
FUZZ_SRCS_fuzz_format	= gen/render.c
FUZZ_SRCS_fuzz_row	= gen/collect.c gen/render.c
FUZZ_SRCS_fuzz_route	= cgi/route.c
FUZZ_SRCS_fuzz_params	= cgi/route.c cgi/authz.c
FUZZ_PKGS_fuzz_params	= $(CGI_PKGS)
FUZZ_SRCS_fuzz_cryptmsg	= gen/cryptmsg.c
FUZZ_SRCS_fuzz_manifest	= cgi/index.c cgi/report.c
FUZZ_PKGS_fuzz_optfile	= libmariadb
FUZZ_SRCS_fuzz_relay	= relay/accept.c relay/rstate.c

# Only asked when a goal needs it: can clang link a fuzzer here?
FUZZ_HAVE	:= $(if $(filter tests fuzz $(FUZZ_DIR)/%,$(MAKECMDGOALS)),$(shell \
		   printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
		   $(FUZZ_CC) -fsanitize=fuzzer,address,undefined -x c -o /dev/null - \
		   >/dev/null 2>&1 && echo yes))
FUZZERS		= $(if $(FUZZ_HAVE),$(FUZZ_BINS))

# Each source is compiled once into $(FUZZ_DIR)/obj (with the headers of
# every target's packages) and linked into each target that needs it.
FUZZ_OBJ	= $(FUZZ_DIR)/obj
FUZZ_OBJ_PKGS	= $(sort $(LIB_PKGS) $(foreach f,$(FUZZ_NAMES),$(FUZZ_PKGS_$(f))))
fuzz_objs	= $(patsubst $(BUILD)/%.c,$(FUZZ_OBJ)/%.o,$(patsubst %.c,$(FUZZ_OBJ)/%.o,$(1)))
FUZZ_HDRS	= lib/*.h pgp/*.h gen/*.h cgi/*.h relay/*.h

$(FUZZ_OBJ)/lib/unicode_data.o: $(BUILD)/lib/unicode_data.c lib/unicode.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pc_cflags,$(FUZZ_OBJ_PKGS)) -c -o $@ $<

$(FUZZ_OBJ)/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pc_cflags,$(FUZZ_OBJ_PKGS)) -c -o $@ $<

define FUZZ_RULE
$(FUZZ_DIR)/$(1): tests/fuzz/$(1).c tests/fuzz/fuzz.h $(call fuzz_objs,$(FUZZ_LIB) $(FUZZ_SRCS_$(1))) $(FUZZ_HDRS)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(call pc_cflags,$$(LIB_PKGS) $(FUZZ_PKGS_$(1))) \
	    -o $$@ tests/fuzz/$(1).c $$(call fuzz_objs,$$(FUZZ_LIB) $(FUZZ_SRCS_$(1))) \
	    $$(call pc_libs,$(FUZZ_PKGS_$(1)) $$(LIB_PKGS)) -lpthread
endef
$(foreach f,$(FUZZ_NAMES),$(eval $(call FUZZ_RULE,$(f))))

tests: $(FUZZERS)

fuzz: $(FUZZ_BINS)
	LF_BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) \
	    LF_FUZZ_ARTIFACTS=$(CURDIR)/$(FUZZ_DIR)/artifacts bash tests/t_80_fuzz.sh
