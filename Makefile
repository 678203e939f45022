# The two commands of the README: `make demo` and `make test`. Both install
# what is missing (deploy/bootstrap.sh), configure and build first.

BUILD_DIR      ?= build
ASAN_BUILD_DIR ?= build-asan
GENERATOR      ?= Ninja
CTEST_ARGS     ?= --output-on-failure --timeout 600

.PHONY: all bootstrap configure build demo test test-release test-asan clean

all: build

bootstrap:
	./deploy/bootstrap.sh

$(BUILD_DIR)/CMakeCache.txt: | bootstrap
	cmake -S . -B $(BUILD_DIR) -G $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: bootstrap $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR)

demo: build
	./$(BUILD_DIR)/app/clueline demo --data-dir demo-data

test: test-release test-asan

test-release: build
	ctest --test-dir $(BUILD_DIR) $(CTEST_ARGS)

# The same tests with AddressSanitizer and UndefinedBehaviorSanitizer; any
# report fails the run.
test-asan: bootstrap
	cmake -S . -B $(ASAN_BUILD_DIR) -G $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DCLUELINE_SANITIZE=ON
	cmake --build $(ASAN_BUILD_DIR)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD_DIR) $(CTEST_ARGS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR)
