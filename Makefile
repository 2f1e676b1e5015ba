# ngx_http_llm_module: build against the installed Debian nginx, run, test.

NGX_SRC     ?= /usr/share/nginx/src
NGINX       ?= /usr/sbin/nginx
BUILD       := $(CURDIR)/build
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

MODULE      := $(BUILD)/nginx/objs/ngx_http_llm_module.so
ASAN_MODULE := $(BUILD)/nginx-asan/objs/ngx_http_llm_module.so
SRC_DIRS    := $(sort $(dir $(wildcard src/*/*.c)))
SRC_FILES   := $(wildcard src/*.h src/*/*.c src/*/*.h)
SOURCES     := config ngx_http_llm_module.c $(SRC_FILES)

CC_OPT      := -g -O2 -fstack-protector-strong -Wformat \
               -Werror=format-security -fPIC -D_FORTIFY_SOURCE=2
ASAN_OPT    := -g -O1 -fPIC -fsanitize=address -fno-omit-frame-pointer
LIBASAN     := $(shell gcc -print-file-name=libasan.so 2>/dev/null)

DEB_PACKAGES := gcc clang make wrk nginx nginx-dev libcjson-dev libhiredis-dev \
                libpcre2-dev libcurl4-openssl-dev libssl-dev zlib1g-dev \
                libtest-base-perl libtext-diff-perl openssl curl

UNIT_TESTS  := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,\
                 $(wildcard tests/unit/test_*.c))
FUZZERS     := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,\
                 $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 5
# the sources with no nginx runtime dependency, for unit tests and fuzzers
PURE_SRCS   := $(wildcard src/lib/*.c src/dialect/*.c) \
               src/provider/ngx_http_llm_sigv4.c src/provider/ngx_http_llm_jwt.c
NGX_INCS    := -I$(BUILD)/nginx/objs -I$(NGX_SRC)/src/core \
               -I$(NGX_SRC)/src/event -I$(NGX_SRC)/src/event/modules \
               -I$(NGX_SRC)/src/os/unix -Isrc $(addprefix -I,$(SRC_DIRS))

.PHONY: all deps module run test test-unit test-t test-asan fuzz fuzz-http \
        fuzz-http-asan sdk bench clean

all: module

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq $$missing; \
	fi

module: $(MODULE)

# configure once per tree (with the binary's own flags), then build the
# module alone; nginx's objs/Makefile tracks our sources.
$(BUILD)/%/Makefile.stamp: config
	rm -rf $(BUILD)/$*
	mkdir -p $(BUILD)
	cp -a $(NGX_SRC) $(BUILD)/$*
	cd $(BUILD)/$* && bash -c '. ./conf_flags && ./configure \
	    "$${NGX_CONF_FLAGS[@]}" --with-cc-opt="$(if $(findstring asan,$*),$(ASAN_OPT),$(CC_OPT))" \
	    $(if $(findstring asan,$*),--with-ld-opt="-fsanitize=address") \
	    --add-dynamic-module=$(CURDIR)' > $(BUILD)/$*.configure.log 2>&1 \
	    || { tail -20 $(BUILD)/$*.configure.log; exit 1; }
	touch $@

$(MODULE): $(BUILD)/nginx/Makefile.stamp $(SOURCES)
	$(MAKE) -s -C $(BUILD)/nginx -f objs/Makefile modules

$(ASAN_MODULE): $(BUILD)/nginx-asan/Makefile.stamp $(SOURCES)
	$(MAKE) -s -C $(BUILD)/nginx-asan -f objs/Makefile modules

# the gateway in the foreground on 127.0.0.1:8080, from conf.example
run: deps
	@$(MAKE) -s module
	@mkdir -p $(BUILD)/run/logs $(BUILD)/run/tmp $(BUILD)/run/modules \
	    $(BUILD)/run/state
	@chmod 0777 $(BUILD)/run/state    # workers may run as another user
	@ln -sf $(MODULE) $(BUILD)/run/modules/ngx_http_llm_module.so
	@if [ -n "$$OPENAI_API_KEY" ]; then \
	    echo "provider: openai (OPENAI_API_KEY is set)"; \
	else \
	    echo "provider: built-in mock (set OPENAI_API_KEY for OpenAI)"; \
	fi
	@echo "try: curl -s http://127.0.0.1:8080/v1/chat/completions \\"
	@echo "       -H 'Authorization: Bearer sk-demo' \\"
	@echo "       -d '{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'"
	$(NGINX) -p $(BUILD)/run/ -c $(CURDIR)/conf.example -g 'daemon off;'

test: deps
	@$(MAKE) -s module test-unit fuzz
	@$(MAKE) -s sdk
	$(MAKE) -s test-t
	@$(MAKE) -s fuzz-http

# C unit tests of the pure logic, compiled against the configured tree
UNIT_CC = gcc -g -O1 -Wall -Werror -fsanitize=address,undefined $(NGX_INCS)
UNIT_LIBS = $(PURE_SRCS) -lcjson -lcrypto -lz -lm

$(BUILD)/unit/%: tests/unit/%.c $(SRC_FILES) $(MODULE)
	@mkdir -p $(BUILD)/unit
	$(UNIT_CC) -o $@ $< $(UNIT_LIBS)

# the JSON scanner again without SSE2: its portable word-at-a-time path
$(BUILD)/unit/test_json_swar: tests/unit/test_json.c \
                              $(SRC_FILES) $(MODULE)
	@mkdir -p $(BUILD)/unit
	$(UNIT_CC) -U__SSE2__ -o $@ $< $(UNIT_LIBS)

test-unit: $(UNIT_TESTS) $(BUILD)/unit/test_json_swar
	@for t in $(UNIT_TESTS) $(BUILD)/unit/test_json_swar; do $$t || exit 1; done

# libFuzzer targets for the parsers that see provider and client bytes,
# JSON mutated by its structure (tests/fuzz/json_mutate.h) and with the
# dialects' member names (json.dict); `make fuzz FUZZ_SECONDS=600` for a
# long run
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/json_mutate.h \
                 $(SRC_FILES) $(MODULE)
	@mkdir -p $(BUILD)/fuzz
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    $(NGX_INCS) \
	    -o $@ $< $(PURE_SRCS) -lcjson -lcrypto -lz -lm

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
	    mkdir -p $(BUILD)/fuzz/corpus-$$(basename $$f); \
	    $$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	        -dict=tests/fuzz/json.dict \
	        $(BUILD)/fuzz/corpus-$$(basename $$f) tests/fuzz/seeds \
	        2>$$f.log || { tail -40 $$f.log; exit 1; }; \
	    echo "$$(basename $$f): $$(grep -o 'Done [0-9]* runs' $$f.log)," \
	         "no crash in $(FUZZ_SECONDS)s"; \
	done

# hostile requests over HTTP against nginx with two workers and mock
# providers (tests/fuzz-http/README.md); `make fuzz-http SECONDS=600` for
# a long run, fuzz-http-asan with the AddressSanitizer build
ifneq ($(origin SECONDS),command line)
SECONDS := 60
endif
FUZZ_HTTP = node tests/fuzz-http/fuzz.js --nginx $(NGINX) --seconds $(SECONDS) \
            --dir $(BUILD)/fuzz-http $(if $(SEED),--seed $(SEED))

fuzz-http: $(MODULE)
	$(FUZZ_HTTP) --module $(MODULE)

fuzz-http-asan: $(ASAN_MODULE)
	$(FUZZ_HTTP) --module $(ASAN_MODULE) --asan $(LIBASAN)

test-t:
	TEST_NGINX_BINARY=$(NGINX) TEST_NGINX_LOAD_MODULES=$(MODULE) \
	    prove -I t/lib -r t

# the whole suite with the module built with AddressSanitizer
test-asan: deps
	@$(MAKE) -s $(ASAN_MODULE) sdk
	@rm -rf $(BUILD)/asan && mkdir -m 1777 $(BUILD)/asan
	TEST_NGINX_BINARY=$(NGINX) TEST_NGINX_LOAD_MODULES=$(ASAN_MODULE) \
	    TEST_NGINX_LD_PRELOAD=$(LIBASAN) \
	    ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:log_path=$(BUILD)/asan/asan \
	    prove -I t/lib -r t
	tests/asan-check.sh $(BUILD)/asan/asan.*

# the module against plain proxy_pass, side by side (bench/results.md)
bench: deps
	@dpkg -s valgrind >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq valgrind; }
	@$(MAKE) -s module
	MODULE=$(MODULE) NGINX_BIN=$(NGINX) bench/run.sh

# the official SDKs the suite drives the gateway with
sdk: t/sdk/node_modules/openai/package.json

t/sdk/node_modules/openai/package.json: t/sdk/package.json
	cd t/sdk && npm install --no-audit --no-fund --silent
	@touch $@

clean:
	rm -rf $(BUILD) t/servroot t/sdk/node_modules
