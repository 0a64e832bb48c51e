# anbud: build, test and run. `make run` and `make test` are the two commands a newcomer
# needs; both install missing Debian packages first (`make deps`).

BUILD   ?= build
CC      ?= cc
# libssl-dev: h2o.h includes <openssl/ssl.h> but Debian's libh2o-dev does not depend on it.
# curl: the service's e2e tests. Two programs: anbud (CORE_PKGS) and anbud-serve, which
# `anbud serve` executes and which alone links libuv and libh2o (loading libh2o with its
# OpenSSL costs every command about 10 ms at start).
CORE_PKGS := lua5.4 jansson sqlite3
PKGS    := $(CORE_PKGS) libuv libh2o
DEBS    := pkg-config liblua5.4-dev libjansson-dev libsqlite3-dev libuv1-dev libh2o-dev libssl-dev \
           lua-check jq sqlite3 curl
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) \
             -Icore -Iinclude $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
             -DANBUD_LUA_DIR='"$(CURDIR)/lua"' -DANBUD_RULES_DIR='"$(CURDIR)/rules"'
LDLIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm $(EXTRA_LDFLAGS)
CORE_LDLIBS = $(shell pkg-config --libs $(CORE_PKGS) 2>/dev/null) -lm $(EXTRA_LDFLAGS)

CLI_SRC := core/main.c $(wildcard core/cli_*.c)
SERVE_SRC := core/serve_main.c core/cli_opts.c
LIB_SRC := $(filter-out $(CLI_SRC) $(SERVE_SRC),$(wildcard core/*.c))
LIB_OBJ := $(LIB_SRC:core/%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:core/%.c=$(BUILD)/%.o)
SERVE_OBJ := $(SERVE_SRC:core/%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps deps-check test unit asan valgrind run clean format lint-lua

all: deps-check $(BUILD)/anbud $(BUILD)/anbud-serve $(BUILD)/libanbud.a
	@if [ "$(BUILD)" = build ]; then cp --remove-destination $(BUILD)/anbud anbud && \
	  cp --remove-destination $(BUILD)/anbud-serve anbud-serve && \
	  cp --remove-destination $(BUILD)/libanbud.a libanbud.a; fi

# Installs the Debian packages that are missing (as root), or says which to install.
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null \
	    || { echo "deps: apt-get install$$missing failed" >&2; exit 1; }; \
	else echo "deps: missing$$missing; run: sudo apt-get install -y$$missing" >&2; exit 1; fi

deps-check:
	@pkg-config --exists $(PKGS) || { echo "missing libraries: run 'make deps'" >&2; exit 1; }

$(BUILD)/%.o: core/%.c core/*.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD):
	mkdir -p $(BUILD)/tests

$(BUILD)/libanbud.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/anbud: $(CLI_OBJ) $(BUILD)/libanbud.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libanbud.a $(CORE_LDLIBS)

$(BUILD)/anbud-serve: $(SERVE_OBJ) $(BUILD)/libanbud.a
	$(CC) $(ALL_CFLAGS) -o $@ $(SERVE_OBJ) $(BUILD)/libanbud.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/*.h $(BUILD)/libanbud.a
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libanbud.a $(LDLIBS)

unit: all $(UNIT_BIN)

# Every suite: C unit tests, end-to-end tests of the binary, each rule set's own tests.
test: deps
	@$(MAKE) --no-print-directory all unit
	@ANBUD=$(CURDIR)/$(BUILD)/anbud BUILD=$(CURDIR)/$(BUILD) tests/run

# The same suites built with AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan CC=gcc CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" test

# The unit tests, the end-to-end tests of `check` and the rule tests under valgrind.
valgrind: deps
	@$(MAKE) --no-print-directory all unit
	@ANBUD=$(CURDIR)/tests/valgrind-anbud BUILD=$(CURDIR)/$(BUILD) \
	  tests/run unit-valgrind e2e/check e2e/tutorial rules

# The main job: build, load the examples into an SQLite file (the framework agreement
# first, so the purchase that leaks from it finds it), list them, check them, then start
# the service on 127.0.0.1:8473 with a fresh token for Alver and one for Bergen.
EXAMPLES = examples/alver-rammeavtale-kontorrekvisita.json \
           $(filter-out examples/alver-rammeavtale-kontorrekvisita.json,$(wildcard examples/*.json))
RUN_DB ?= anbud.db
run: deps
	@$(MAKE) --no-print-directory all
	./anbud import --db $(RUN_DB) --now 2025-06-01 $(EXAMPLES) || test $$? -eq 1
	./anbud list --db $(RUN_DB)
	./anbud check --now 2025-06-01 $(EXAMPLES) || test $$? -eq 1
	@echo "service tokens (shown once): Alver $$(./anbud token create --municipality 4631 --db $(RUN_DB))"
	@echo "                             Bergen $$(./anbud token create --municipality 4601 --db $(RUN_DB))"
	./anbud serve --db $(RUN_DB)

format:
	clang-format -i core/*.c core/*.h include/*.h tests/unit/*.c tests/unit/*.h

lint-lua:
	luacheck --no-color -q lua rules

clean:
	rm -rf build anbud anbud-serve libanbud.a

# ---- fuzzing (issue 6) -------------------------------------------------------------------
# `make fuzz` builds the libFuzzer targets in fuzz/ with clang (-fsanitize=fuzzer,address,
# undefined) against the core sources in build/fuzz (build/ and build/asan are untouched),
# then runs each for FUZZ_SECONDS with a seed corpus from examples/ and the tests
# (fuzz/run). A crash fails it and lands in fuzz/regressions/TARGET/, which `make test`
# replays. fuzz-deps installs clang and libclang-rt-14-dev, which holds Debian's
# libFuzzer runtime (libclang_rt.fuzzer); clang alone does not pull it in.
FUZZ_BUILD   := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := fuzz_ocds fuzz_ruleset fuzz_bindings fuzz_http_body
FUZZ_DEBS    := clang libclang-rt-14-dev
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all

.PHONY: fuzz fuzz-deps fuzz-build

fuzz-deps:
	@missing=""; for p in $(FUZZ_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "fuzz-deps: all present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "fuzz-deps: installing$$missing"; \
	  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null \
	    || { echo "fuzz-deps: apt-get install$$missing failed" >&2; exit 1; }; \
	else echo "fuzz-deps: missing$$missing; run: sudo apt-get install -y$$missing" >&2; exit 1; fi

fuzz-build: deps fuzz-deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" EXTRA_LDFLAGS="$(FUZZ_SAN)" \
	  $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(FUZZ_BUILD)/libanbud.a
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -DFUZZ_DIR='"$(CURDIR)/fuzz"' -o $@ $< \
	  $(FUZZ_BUILD)/libanbud.a $(LDLIBS)

fuzz: fuzz-build
	@fuzz/run $(FUZZ_SECONDS) $(FUZZ_BUILD) $(FUZZ_TARGETS)

# ---- benchmarks (issue 7) ----------------------------------------------------------------
# `make bench` builds bench/gen (the seeded OCDS generator) and bench/eval (engine_evaluate
# timed alone over processes in memory), then bench/run measures and writes
# bench/results.json and bench/RESULTS.md (bench/report, from the JSON). Not part of
# `make test` or .ci/run: it takes long and its numbers depend on the machine.
# `make bench BENCH_QUICK=1` is a smoke test of the whole pipeline at small sizes (a few
# minutes). The BENCH_* settings (bench/run's header lists them) pass through unchanged;
# an empty one means bench/run's default.
BENCH_VARS := BENCH_QUICK BENCH_N BENCH_BIG BENCH_TIMEOUT BENCH_TIMEOUT_BIG BENCH_SERVICE_S \
              BENCH_SERVICE_STEPS BENCH_SEED BENCH_NOW BENCH_ONLY
.PHONY: bench bench-build bench-peers

bench-build: all $(BUILD)/bench/gen $(BUILD)/bench/eval $(BUILD)/bench/load
	@$(MAKE) --no-print-directory bench-peers

$(BUILD)/bench/gen: bench/gen.c | $(BUILD)
	@mkdir -p $(BUILD)/bench
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $< -lm

$(BUILD)/bench/eval: bench/eval.c $(BUILD)/libanbud.a core/*.h
	@mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libanbud.a $(LDLIBS)

# The service's load generator (bench/service.sh runs it against `anbud serve`).
$(BUILD)/bench/load: bench/load.c
	@mkdir -p $(BUILD)/bench
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror $(shell pkg-config --cflags jansson) -o $@ $< \
	  $(shell pkg-config --libs jansson) -lm

bench: deps
	@$(MAKE) --no-print-directory bench-build
	@cp --remove-destination $(BUILD)/bench/gen bench/gen && cp --remove-destination $(BUILD)/bench/eval bench/eval
	@BUILD=$(CURDIR)/$(BUILD) $(foreach v,$(BENCH_VARS),$(v)="$($(v))") bench/run

# The CLIPS peer (Debian libclips-dev: static library /usr/lib/libclips.a, headers in
# /usr/include/clips); skipped with a message when the package is missing.
# The Node peers (json-rules-engine, @gorules/zen-engine): `npm ci` in bench/peers/node
# from its package-lock.json (node_modules is git-ignored), again only when the lock file
# is newer than the installed tree; skipped with a message when npm is missing or the
# registry cannot be reached. bench/compile writes their input (one compiled release per
# line).
CLIPS_DEBS := clips libclips-dev
NODE_PEERS := bench/peers/node
bench-peers: $(BUILD)/bench/compile
	@missing=""; for p in $(CLIPS_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; fi
	@if [ -f /usr/lib/libclips.a ]; then mkdir -p $(BUILD)/bench && \
	  $(CC) -std=gnu11 -O2 -Icore -Iinclude -I/usr/include/clips $(shell pkg-config --cflags $(PKGS)) \
	    -o $(BUILD)/bench/clips bench/peers/clips.c $(BUILD)/libanbud.a /usr/lib/libclips.a $(LDLIBS) 2>/dev/null \
	  || echo "bench: the CLIPS peer did not build" >&2; \
	else echo "bench: libclips-dev missing, the CLIPS peer is skipped" >&2; fi
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "bench: npm missing (Debian: apt-get install npm), the Node peers are skipped" >&2; \
	elif [ ! -f $(NODE_PEERS)/node_modules/.package-lock.json ] || \
	     [ $(NODE_PEERS)/package-lock.json -nt $(NODE_PEERS)/node_modules/.package-lock.json ]; then \
	  (cd $(NODE_PEERS) && timeout 300 npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>npm-ci.log) \
	  && rm -f $(NODE_PEERS)/npm-ci.log && echo "bench: Node peers installed (npm ci)" \
	  || echo "bench: npm ci failed (registry unreachable?), the Node peers are skipped; see $(NODE_PEERS)/npm-ci.log" >&2; \
	fi

$(BUILD)/bench/compile: bench/compile.c $(BUILD)/libanbud.a core/*.h
	@mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libanbud.a $(LDLIBS)
