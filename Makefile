# Lifeline's front door. `make demo` and `make check` do all set-up.
SHELL := /bin/bash
BUILD ?= build
CHECK_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
NINJA ?= ninja

.PHONY: all deps build check demo bench bench-scale bench-quality fuzz lint format-check tidy clean

all: build

deps:
	@scripts/deps.sh build

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=release -Db_ndebug=true >/dev/null
	@$(NINJA) -C $(BUILD) src/cmd/lifeline >/dev/null
	@ln -sf src/cmd/lifeline $(BUILD)/lifeline
	@echo "built $(BUILD)/lifeline"

# Every test, under AddressSanitizer and UndefinedBehaviorSanitizer; the
# last line is the summary CI reads.
check:
	@scripts/deps.sh check
	@$(MAKE) --no-print-directory build >/dev/null
	@$(NINJA) -C $(BUILD) >/dev/null	# the release build, tests included, -O3
	@[ -f $(CHECK_BUILD)/build.ninja ] || meson setup $(CHECK_BUILD) --buildtype=debug -Doptimization=1 -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	@$(NINJA) -C $(CHECK_BUILD) >/dev/null
	@scripts/lint.sh
	@scripts/run-tests.sh $(CHECK_BUILD)

demo: build
	@scripts/demo.sh $(BUILD)/lifeline

bench: build
	@scripts/deps.sh bench
	@$(NINJA) -C $(BUILD) bench_bmp_table bench_store_month bench_detect_gen >/dev/null
	@bench/run.sh $(BUILD)/lifeline
	@bench/routing.sh $(BUILD)/lifeline
	@bench/scale.sh $(BUILD)/lifeline
	@bench/bus.sh $(BUILD)/lifeline
	@bench/pg.sh $(BUILD)/lifeline
	@bench/bmp.sh $(BUILD)/lifeline
	@bench/probe.sh $(BUILD)/lifeline
	@bench/detect-quality.sh $(BUILD)/lifeline
	@bench/detect-real.sh $(BUILD)/lifeline
	@bench/detect-speed.sh $(BUILD)/lifeline

# Only detection quality: simulated ground truth (docs/detection.md) and
# the real Venezuela 2019 series against IODA's and Access Now's lists.
bench-quality: build
	@bench/detect-quality.sh $(BUILD)/lifeline
	@bench/detect-real.sh $(BUILD)/lifeline

# Only the modern-collector-scale run (minutes; writes 0.7 GB once).
bench-scale: build
	@scripts/deps.sh bench
	@bench/scale.sh $(BUILD)/lifeline

fuzz:
	@scripts/deps.sh fuzz
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) --buildtype=debug -Doptimization=1 -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	@$(NINJA) -C $(FUZZ_BUILD) fuzz/fuzz_mrt_record fuzz/fuzz_bgp_update fuzz/fuzz_input \
	    fuzz/fuzz_geo_cache fuzz/fuzz_store_chunk fuzz/fuzz_sig_lean \
	    fuzz/fuzz_rir fuzz/fuzz_pfx2as fuzz/fuzz_text_args fuzz/fuzz_vrp fuzz/fuzz_evidence fuzz/fuzz_bmp fuzz/fuzz_probe_icmp fuzz/fuzz_probe_hist \
	    fuzz/fuzz_import_series fuzz/fuzz_import_ioda \
	    fuzz/fuzz_import_monash fuzz/fuzz_import_ndt fuzz/fuzz_import_ooni \
	    fuzz/fuzz_watchlist fuzz/fuzz_bus_msg fuzz/fuzz_impact_ref \
	    fuzz/fuzz_routing_lean \
	    fuzz/seed_split >/dev/null
	@fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

lint:
	@scripts/lint.sh

# Not part of check. format-check: the C files changed since the branch left
# main (and uncommitted ones), or FILES="a.c b.h", against .clang-format.
# tidy: clang-tidy (.clang-tidy) over src/ with the check build's flags.
format-check:
	@scripts/format-check.sh $(FILES)

tidy:
	@[ -f $(CHECK_BUILD)/compile_commands.json ] || $(MAKE) --no-print-directory check
	@run-clang-tidy -quiet -p $(CHECK_BUILD) -j 2 \
	    -extra-arg=-Wno-unknown-warning-option '^$(CURDIR)/src/' 2>/dev/null | \
	    grep -E '^/.*(warning|error):' | sort -u; true

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FUZZ_BUILD)
