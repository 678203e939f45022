# The two commands of the README: `make demo` and `make test`. Both install
# what is missing (deploy/bootstrap.sh), configure and build first.

BUILD_DIR      ?= build
ASAN_BUILD_DIR ?= build-asan
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS   ?= 60
FUZZ_TARGETS   := fuzz_envelope fuzz_site_token fuzz_photo
GENERATOR      ?= Ninja
CTEST_ARGS     ?= --output-on-failure --timeout 600

.PHONY: all bootstrap web-deps configure build demo test test-release test-asan fuzz format clean

all: build

bootstrap:
	./deploy/bootstrap.sh

$(BUILD_DIR)/CMakeCache.txt: | bootstrap
	cmake -S . -B $(BUILD_DIR) -G $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

# The browser crypto module's npm dependencies, exactly as locked.
web/node_modules/.package-lock.json: web/package-lock.json | bootstrap
	cd web && npm ci --no-audit --no-fund

# The OpenAPI linter (docs/package.json), exactly as locked.
docs/node_modules/.package-lock.json: docs/package-lock.json | bootstrap
	cd docs && npm ci --no-audit --no-fund

web-deps: web/node_modules/.package-lock.json docs/node_modules/.package-lock.json

configure: bootstrap web-deps $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR)

demo: build
	./$(BUILD_DIR)/app/clueline demo --data-dir demo-data

test: test-release test-asan fuzz

test-release: build
	ctest --test-dir $(BUILD_DIR) $(CTEST_ARGS)

# The same tests with AddressSanitizer and UndefinedBehaviorSanitizer; any
# report fails the run.
test-asan: bootstrap web-deps
	cmake -S . -B $(ASAN_BUILD_DIR) -G $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DCLUELINE_SANITIZE=ON
	cmake --build $(ASAN_BUILD_DIR)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD_DIR) $(CTEST_ARGS)

# libFuzzer (clang) on every parser of untrusted bytes, FUZZ_SECONDS each,
# starting from the seed corpora in tests/fuzz/corpus; any finding fails.
fuzz: bootstrap web-deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) -G $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_BUILD_DIR) --target $(FUZZ_TARGETS)
	set -e; for target in $(FUZZ_TARGETS); do \
	  corpus=$(FUZZ_BUILD_DIR)/corpus/$${target#fuzz_}; mkdir -p $$corpus; \
	  ./$(FUZZ_BUILD_DIR)/tests/fuzz/$$target -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    $$corpus tests/fuzz/corpus/$${target#fuzz_}; \
	done

# Formats every C++ file with .clang-format (the clang_format ctest checks it).
format: bootstrap
	git ls-files -z -- '*.cpp' '*.hpp' | xargs -0 clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(FUZZ_BUILD_DIR)
