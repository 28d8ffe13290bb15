# tarmac — build, test, demo and benchmark on a bare Debian machine.
# `make test` and `make demo` install what they need first (as root, via apt-get).

PREFIX ?= /usr/local
SWIFT  ?= swift
APT_PACKAGES = libarchive-dev libssh2-1-dev libsqlite3-dev openssh-server openssh-client pkg-config git \
               acl iproute2 tar gzip xz-utils zstd zip unzip python3 procps sudo debootstrap
RELEASE_FLAGS = -c release --static-swift-stdlib
BIN_DEBUG = .build/debug/tarmac
BIN_RELEASE = .build/release/tarmac

.PHONY: all deps build release test demo bench install lint goldens fleet-clean clean roots

all: build

# Installs the system packages the build and the tests use; a no-op when all are present.
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product tarmac

# TARMAC_REQUIRE_FLEET=1: a test whose precondition (root, namespaces, sshd, the roots) is
# missing fails instead of being skipped.
test: deps roots
	$(SWIFT) build --build-tests
	TARMAC_REQUIRE_FLEET=1 $(SWIFT) test

# The test fleet's systems: debootstrap roots of Debian 11, 12 and 13, built once into
# /var/cache/tarmac-test/roots (TARMAC_ROOTS_DIR); a no-op when they are there.
roots: deps
	bash Fixtures/fleet/roots.sh build

# The main job on the embedded sample application (Fixtures/sample-app).
demo: build roots
	TARMAC=$(CURDIR)/$(BIN_DEBUG) sh Fixtures/demo.sh

# Speed and memory against baselines measured in the same run (Benchmarks/bench.py).
bench: release roots
	python3 Benchmarks/bench.py --tarmac $(BIN_RELEASE)

install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN_RELEASE) $(DESTDIR)$(PREFIX)/bin/tarmac

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

# Rewrites the golden files under Fixtures/ from the current code; review the diff.
goldens: deps
	TARMAC_UPDATE_GOLDENS=1 $(SWIFT) test

clean:
	rm -rf .build

# Stops the SSH test fleets (Fixtures/fleet/fleet.sh) that crashed test runs left behind:
# those whose owning process is gone. Fleets of tests still running are left alone;
# `bash Fixtures/fleet/fleet.sh clean --all` stops those too.
fleet-clean:
	bash Fixtures/fleet/fleet.sh clean
