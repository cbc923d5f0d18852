# The two commands: `make run` and `make test`. Each installs what is missing
# (scripts/install-deps.sh), configures and builds out of tree in build/.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
CONFIG ?= config/wirewatch.yaml
CMAKE_FLAGS ?=
# make fuzz: each libFuzzer target for FUZZ_SECONDS (FUZZ_TARGETS: a subset), see docs/security.md.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

.PHONY: all deps configure build run test fuzz clean format format-check

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	$(BUILD_DIR)/daemon/wirewatchd --config $(CONFIG)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS)

fuzz: deps
	FUZZ_BUILD_DIR=$(FUZZ_BUILD_DIR) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" \
	  JOBS=$(JOBS) bash fuzz/run.sh

SOURCES_FOUND = find common connectors normalizer rules daemon cli tests bench fuzz -name '*.cpp' -o -name '*.hpp'

format:
	$(SOURCES_FOUND) | xargs clang-format -i

# Fails, naming each place, when a file is not as `make format` leaves it (.ci/run).
format-check: deps
	$(SOURCES_FOUND) | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD_DIR)
