# Entry points for people and CI. The work is done by scripts/; see README.md.
#   make run          build and run the whole stack in the foreground (Ctrl-C stops it)
#   make test         build, then unit + integration + end-to-end tests (ARGS="-L unit" to filter)
#   make seed-large   add PRODUCTS generated products to the running stack's database
#   make cluster-up   the service on six network-namespace hosts (scripts/cluster.sh);
#                     make cluster-down / cluster-status
#   make install      binaries, SQL, nginx files, docs and the operator's kit under
#                     PREFIX (/usr/local), honouring DESTDIR; make uninstall removes them
#   make test SANITIZE=1   the same tests, built with ASan + UBSan into build-sanitize/
#   make fuzz         each libFuzzer target of tests/fuzz for FUZZ_SECONDS (build-fuzz/)

# SANITIZE=1: a separate build directory, every binary with -fsanitize=address,undefined.
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD_DIR ?= build-sanitize
BUILD_TYPE ?= RelWithDebInfo
SANITIZE_CMAKE := -DSANITIZE=ON
else
SANITIZE_CMAKE := -DSANITIZE=OFF
endif
BUILD_DIR ?= build
BUILD_TYPE ?= Release
FUZZ_SECONDS ?= 60
PRODUCTS ?= 100000
ARGS ?=
PREFIX ?= /usr/local
DESTDIR ?=
export BUILD_DIR SANITIZE FUZZ_SECONDS

.PHONY: all deps build run up down status test fuzz bench seed-large format clean install uninstall \
	cluster-up cluster-down cluster-status

all: build

deps:
	scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(SANITIZE_CMAKE)
	cmake --build $(BUILD_DIR) -j$(shell nproc)
	scripts/docs.sh build

run: build
	scripts/stack.sh run

up: build
	scripts/stack.sh up

down:
	scripts/stack.sh down

status:
	scripts/stack.sh status

test: build
	scripts/test.sh $(ARGS)

# Several hosts on one machine (root): db1, db2, cache, app1, app2, edge as
# network namespaces; http://127.0.0.1:$(CLUSTER_HTTP_PORT) (8090). See README.
cluster-up: build
	scripts/cluster.sh up

cluster-down:
	scripts/cluster.sh down

cluster-status:
	scripts/cluster.sh status

# Builds the fuzz targets with clang-14 into build-fuzz/ and runs each for
# FUZZ_SECONDS (FUZZ_TARGETS="jwt_verify router" narrows it); see scripts/fuzz.sh.
fuzz:
	DEPS_FUZZ=1 scripts/deps.sh
	scripts/fuzz.sh

# Speed against measured limits, in one table. The variables it reads are listed
# at the top of scripts/bench.sh (BENCH_DURATION, BENCH_SCENARIOS, ...).
bench: build
	scripts/bench.sh

# The running stack's database: DATABASE_URL, else the local cluster of STATE_DIR.
seed-large: build
	@bin="$${SERVER_BIN:-$$(ls -d $(BUILD_DIR)/workers/ecommerce-server $(BUILD_DIR)/ecommerce-server 2>/dev/null | head -n 1)}"; \
	test -x "$$bin" || { echo "ecommerce-server not found under $(BUILD_DIR)" >&2; exit 1; }; \
	DATABASE_URL="$${DATABASE_URL:-$$(scripts/pg.sh url)}" "$$bin" seed-large --products $(PRODUCTS)

# Paths inside the units and the nginx site follow PREFIX, so it is configured first.
install: build
	cmake -S . -B $(BUILD_DIR) -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD_DIR)

uninstall:
	DESTDIR=$(DESTDIR) scripts/uninstall.sh

format:
	@command -v clang-format >/dev/null || { echo "clang-format missing: apt-get install clang-format"; exit 1; }
	find common workers tests -type f \( -name '*.h' -o -name '*.cc' -o -name '*.cpp' \) -print0 | \
	  xargs -0 -r clang-format -i

clean:
	rm -rf $(BUILD_DIR)
