# tarmac — build, test, demo and benchmark on a bare Debian machine.
# `make test` and `make demo` install what they need first (as root, via apt-get).

PREFIX ?= /usr/local
SWIFT  ?= swift
# The -dev packages also hold the static archives the release links (Fixtures/release/static-link.sh).
APT_PACKAGES = libarchive-dev libssh2-1-dev libsqlite3-dev libssl-dev zlib1g-dev liblzma-dev libzstd-dev \
               libbz2-dev liblz4-dev libacl1-dev libdeflate-dev nettle-dev binutils debootstrap \
               openssh-server openssh-client pkg-config git \
               acl iproute2 tar gzip xz-utils zstd zip unzip python3 procps sudo
# The release needs nothing but glibc on the host: libarchive, libssh2, SQLite and what they use
# are linked statically, through the linker scripts and pkg-config files in STATIC_LINK
# (Fixtures/release/static-link.sh). It is linked against a Debian 11 sysroot (glibc 2.31, made
# once by Fixtures/release/sysroot.sh) so that it runs on Debian 11, 12 and 13;
# `make release SYSROOT=` links against this machine's glibc instead.
STATIC_LINK = $(CURDIR)/.build/static-link
SYSROOT ?= /var/cache/tarmac-build/debian-11-sysroot
# Source paths (C asserts' __FILE__ in BoringSSL and libyaml, debug info) are made relative to the
# checkout. Two checkouts at different paths still give binaries that differ in the toolchain's
# .swift_modhash section (and so the build id) and in one #filePath length in GRDB.
RELEASE_FLAGS = -c release --static-swift-stdlib -Xcc -ffile-prefix-map=$(CURDIR)/= \
                -Xswiftc -file-prefix-map -Xswiftc $(CURDIR)/= \
                $(if $(SYSROOT),-Xswiftc -Xclang-linker -Xswiftc --sysroot=$(SYSROOT) -Xlinker $(STATIC_LINK)/glibc231-compat.o)
BIN_DEBUG = .build/debug/tarmac
BIN_RELEASE = .build/release/tarmac
# swift-argument-parser's manual generator, at the version tarmac itself resolved.
GENERATE_MANUAL = .build/generate-manual/debug/generate-manual
DIST_STAGE = .build/dist
DIST = dist

.PHONY: all deps build release dist generate-manual test demo bench bench-deps bench-roots install lint goldens \
        fleet-clean clean roots

all: build

# Installs the packages $(1) that are missing (apt-get); a no-op when all are present.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

# Installs the system packages the build and the tests use; a no-op when all are present.
deps:
	$(call apt_install,$(APT_PACKAGES))

build: deps
	$(SWIFT) build

release: deps
	$(if $(SYSROOT),sh Fixtures/release/sysroot.sh $(SYSROOT))
	sh Fixtures/release/static-link.sh $(STATIC_LINK) $(SYSROOT)
	PKG_CONFIG_PATH=$(STATIC_LINK) $(SWIFT) build $(RELEASE_FLAGS) --product tarmac

generate-manual: release
	$(SWIFT) build --package-path .build/checkouts/swift-argument-parser --scratch-path .build/generate-manual \
		--product generate-manual

# dist/tarmac-<version>-linux-<arch>.tar.gz and dist/SHA256SUMS; with SIGN=<ed25519 key> also the
# tarball's .sig (ssh-keygen -Y sign -n tarmac). The bytes depend only on the commit.
dist: release generate-manual
	SIGN="$(SIGN)" sh Fixtures/release/dist.sh $(BIN_RELEASE) $(GENERATE_MANUAL) $(DIST_STAGE) $(DIST)

# The release tests (USB route on minimal Debian roots) use the dist tarball.
# TARMAC_REQUIRE_FLEET=1: a test whose precondition (root, namespaces, sshd, the roots, the
# release) is missing fails instead of being skipped.
# Two runs: the suites of async code that must be scheduled promptly (the build runner, the SSH
# transport, each with bounded waits) run first, on their own. The fleet suites are synchronous
# and block the test process's cooperative threads (two on two CPUs) while they wait on hosts,
# which can keep an async suite's tasks from running for minutes.
PROMPT_SUITES = TarmacPipelineTests|TarmacSSHTests
test: deps roots dist
	$(SWIFT) build --build-tests
	TARMAC_REQUIRE_FLEET=1 $(SWIFT) test --skip-build --filter '$(PROMPT_SUITES)'
	TARMAC_REQUIRE_FLEET=1 $(SWIFT) test --skip-build --skip '$(PROMPT_SUITES)'

# The test fleet's systems: debootstrap roots of Debian 11, 12 and 13, built once into
# /var/cache/tarmac-test/roots (TARMAC_ROOTS_DIR); a no-op when they are there.
roots: deps
	bash Fixtures/fleet/roots.sh build

# The main job on the embedded sample application (Fixtures/sample-app).
demo: build roots
	TARMAC=$(CURDIR)/$(BIN_DEBUG) sh Fixtures/demo.sh

# Speed and memory against baselines measured in the same run (Benchmarks/bench.py).
bench: release roots bench-roots bench-deps
	python3 Benchmarks/bench.py --tarmac $(BIN_RELEASE)

# The bench's baselines on this machine: pigz (gzip on as many threads as tarmac's), rsync
# (rsync -a --delete over OpenSSH, the floor of a one-file change); the fleet hosts get theirs
# from the debian-N-bench roots.
BENCH_APT_PACKAGES = rsync pigz
bench-deps: deps
	$(call apt_install,$(BENCH_APT_PACKAGES))

# The bench fleet's systems: debian-N-full + rsync (Fixtures/fleet/roots.sh), built once like the
# test roots but only for the bench.
bench-roots: deps
	bash Fixtures/fleet/roots.sh build debian-11-bench debian-12-bench debian-13-bench

# The tree of the dist tarball under PREFIX: binary, manual pages, completions.
install: dist
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	tree=$$(echo $(DIST_STAGE)/tarmac-*); \
	install -m 0755 $$tree/bin/tarmac $(DESTDIR)$(PREFIX)/bin/tarmac && \
	install -m 0644 $$tree/share/man/man1/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/ && \
	install -m 0644 $$tree/share/bash-completion/completions/tarmac $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ && \
	install -m 0644 $$tree/share/zsh/site-functions/_tarmac $(DESTDIR)$(PREFIX)/share/zsh/site-functions/ && \
	install -m 0644 $$tree/share/fish/vendor_completions.d/tarmac.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

# Rewrites the golden files under Fixtures/ from the current code; review the diff. Each
# rewritten file fails its test by name, so the run fails when anything changed (.ci/run
# refuses TARMAC_UPDATE_GOLDENS).
goldens: deps
	TARMAC_UPDATE_GOLDENS=1 $(SWIFT) test

clean:
	rm -rf .build dist

# Stops the SSH test fleets (Fixtures/fleet/fleet.sh) that crashed test runs left behind:
# those whose owning process is gone. Fleets of tests still running are left alone;
# `bash Fixtures/fleet/fleet.sh clean --all` stops those too.
fleet-clean:
	bash Fixtures/fleet/fleet.sh clean
