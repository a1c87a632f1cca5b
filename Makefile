# appointd — see README.md. `make run` and `make test` install what they need.
CC ?= cc
VERSION := 0.3.0
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
PKGS := glib-2.0 libmicrohttpd jansson libpq sqlite3 libjwt libcrypt libsystemd libcurl
WARN := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Werror
CFLAGS ?= -O2 -g
CPPFLAGS_ALL = $(WARN) -DAPPOINTD_VERSION=\"$(VERSION)\" -DAPPOINTD_COMMIT=\"$(COMMIT)\" -Isrc -Ibuild/gen $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
SWAGGER_VERSION := 5.35.0
SWAGGER_DIR := build/npm/node_modules/swagger-ui-dist

B ?= build
SRC := $(shell find src -name '*.c' | sort)
LIB_SRC := $(filter-out src/main.c,$(SRC))
GEN := build/gen/migrations_sqlite.c build/gen/migrations_postgres.c build/gen/docs_assets.c
OBJ := $(patsubst %.c,$(B)/obj/%.o,$(SRC) $(GEN))
LIB_OBJ := $(filter-out $(B)/obj/src/main.o,$(OBJ))
TEST_SRC := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
HDRS := $(shell find src -name '*.h')

.PHONY: all run test soak unit unit-asan lint bench bench-scaling deps deps-test deb clean npm-tools swagger-ui FORCE
all: build/appointd

deps:
	@bash tools/deps.sh run
deps-test:
	@bash tools/deps.sh test

# The npm tools the tests use, pinned: the OpenAPI linter and what a client
# developer generates a TypeScript client with, the Standard Webhooks
# verifier an integrator checks our signatures with, and what drives
# Debian's Chromium in the event stream's browser test.
NPM_TOOLS := @redocly/cli@1.34.20 openapi-typescript@7.9.1 openapi-fetch@0.17.0 \
	typescript@5.9.3 @types/node@18.19.130 standardwebhooks@1.1.1 playwright-core@1.65.1
npm-tools: build/npm-tools/.installed
build/npm-tools/.installed: Makefile
	@mkdir -p build/npm-tools
	npm install --prefix build/npm-tools --no-save --no-audit --no-fund --loglevel=error $(NPM_TOOLS)
	@touch $@

run: deps
	@$(MAKE) --no-print-directory all
	./build/appointd serve

test: deps-test
	@bash tools/test.sh

# The fault tests at their long settings and 10 million runs of each fuzz
# target; writes docs/RELIABILITY.md. Takes hours, not minutes.
soak: deps-test
	@bash tools/soak.sh

bench:
	@bash tools/deps.sh bench
	@$(MAKE) --no-print-directory all
	@bash bench/run.sh

# 1, 2 and 4 processes on one PostgreSQL behind deploy/nginx.conf; writes the
# measured part of docs/SCALING.md.
bench-scaling:
	@bash tools/deps.sh bench
	@$(MAKE) --no-print-directory all
	@bash bench/scaling.sh

$(B)/appointd: $(OBJ)
	@echo "LINK $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# The server under AddressSanitizer + UndefinedBehaviorSanitizer, for the HTTP
# suite (tools/asan-appointd.sh); objects shared with unit-asan.
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ifeq ($(B),build)
build/asan/appointd: FORCE
	@$(MAKE) --no-print-directory build/asan/appointd B=build/asan CFLAGS="$(ASAN_CFLAGS)"
endif

$(B)/obj/%.o: %.c $(HDRS) | build/gen/.dir
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -c -o $@ $<

# Only core/version.c uses the commit: rebuild it when the commit changes.
$(B)/obj/src/core/version.o: build/gen/commit.stamp
build/gen/commit.stamp: FORCE | build/gen/.dir
	@echo "$(VERSION) $(COMMIT)" | cmp -s - $@ || echo "$(VERSION) $(COMMIT)" > $@
FORCE:

build/gen/.dir:
	@mkdir -p build/gen && touch $@

build/embed: tools/embed.c | build/gen/.dir
	$(CC) -O1 -o $@ $<

build/gen/migrations_%.c: build/embed $(wildcard src/db/*/migrations/*.sql)
	./build/embed $*_migrations $@ $(sort $(wildcard src/db/$*/migrations/*.sql))

# `make swagger-ui`: just the fetch (the container build copies build/npm in).
swagger-ui: $(SWAGGER_DIR)/swagger-ui-bundle.js
$(SWAGGER_DIR)/swagger-ui-bundle.js:
	@mkdir -p build/npm
	npm install --prefix build/npm --no-save --no-audit --no-fund --loglevel=error swagger-ui-dist@$(SWAGGER_VERSION)

# The big text assets also go in gzip-compressed (at build time, so no request
# pays for it); they are served so to clients that accept it.
DOCS_GZIP := build/gen/openapi.json.gz build/gen/swagger-ui-bundle.js.gz build/gen/swagger-ui.css.gz
build/gen/openapi.json.gz: src/api/openapi.json | build/gen/.dir
	gzip -9 -n -c $< > $@
build/gen/%.gz: $(SWAGGER_DIR)/swagger-ui-bundle.js | build/gen/.dir
	gzip -9 -n -c $(SWAGGER_DIR)/$* > $@

build/gen/docs_assets.c: build/embed src/api/openapi.json src/api/docs/index.html $(SWAGGER_DIR)/swagger-ui-bundle.js $(DOCS_GZIP)
	./build/embed docs_assets $@ src/api/openapi.json src/api/docs/index.html \
	  $(SWAGGER_DIR)/swagger-ui-bundle.js $(SWAGGER_DIR)/swagger-ui.css \
	  $(SWAGGER_DIR)/oauth2-redirect.html $(SWAGGER_DIR)/oauth2-redirect.js \
	  $(SWAGGER_DIR)/favicon-32x32.png $(DOCS_GZIP)

# Unit tests: each tests/unit/**/test_X.c links with every object but main.
$(B)/unit/%: tests/unit/%.c $(LIB_OBJ) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "LINK $@"
	@$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ $< $(LIB_OBJ) -lcriterion $(LIBS)

unit: $(patsubst tests/unit/%.c,$(B)/unit/%,$(TEST_SRC))
	@set -e; for t in $^; do echo "== $$t"; $$t --jobs 2; done

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
unit-asan:
	@$(MAKE) --no-print-directory unit B=build/asan CFLAGS="$(ASAN_CFLAGS)"

lint:
	@bash tools/lint.sh

# build/appointd_$(VERSION)_<arch>.deb (tools/deb.sh; tests/deploy/deb.sh installs it).
deb: build/appointd
	@bash tools/deb.sh $(VERSION)

clean:
	rm -rf build
.SECONDARY:
-include fuzz/fuzz.mk
