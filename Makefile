# immunosim — GNU make build.  `make demo` and `make check` install what they need.
SHELL := /bin/bash
PREFIX ?= /usr/local
CC ?= cc
BUILD := build
VERSION := 0.1.0

BUILD_PKGS := gcc make pkg-config libc6-dev libsundials-dev libgsl-dev libcsv-dev \
              libudunits2-dev udunits-bin libsbml5-dev check gnuplot-nox
CHECK_PKGS := $(BUILD_PKGS) libopenmpi-dev openmpi-bin valgrind clang clang-format cppcheck libclang-rt-14-dev libomp-14-dev r-base-core r-cran-desolve python3-scipy

WARN := -Wall -Wextra -Werror -Wno-format-truncation
CFLAGS ?= -O2 -g
# libsbml (a C++ library with a C API) parses model-file expressions and SBML.
SBML_CFLAGS := $(shell pkg-config --cflags libsbml 2>/dev/null)
SBML_LIBS := $(shell pkg-config --libs libsbml 2>/dev/null || echo -lsbml)
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) -fPIC -fopenmp -Iinclude -Isrc $(SBML_CFLAGS) \
              -DIMS_DATADIR='"$(PREFIX)/share/immunosim"' $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS := -lsundials_cvodes -lsundials_nvecserial -lsundials_sunmatrixdense \
          -lsundials_sunlinsoldense -lcsv -ludunits2 $(SBML_LIBS) -lgsl -lgslcblas -lm
LDFLAGS += -fopenmp $(EXTRA_LDFLAGS)

# MPI (population, sweep and compare across ranks): on when OpenMPI is found (pkg-config ompi-c,
# else mpicc), off with MPI=0; MPI=1 insists.  The default build does not need it.
MPI_FOUND := $(shell pkg-config --exists ompi-c 2>/dev/null && echo 1 || (command -v mpicc >/dev/null 2>&1 && echo 1) || echo 0)
MPI ?= $(MPI_FOUND)
ifeq ($(MPI),1)
ifeq ($(MPI_FOUND),0)
$(error MPI=1 but no MPI found: apt-get install libopenmpi-dev openmpi-bin)
endif
MPI_CFLAGS := $(shell pkg-config --cflags ompi-c 2>/dev/null || mpicc --showme:compile)
MPI_LIBS := $(shell pkg-config --libs ompi-c 2>/dev/null || mpicc --showme:link)
ALL_CFLAGS += -DIMS_HAVE_MPI $(MPI_CFLAGS)
LDLIBS += $(MPI_LIBS)
endif

LIB_SRC := $(wildcard src/*.c) $(wildcard models/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
CLI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC))
TEST_SRC := $(wildcard tests/*.c) $(wildcard tests/models/*.c)
TEST_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SRC))
HEADERS := $(wildcard include/immunosim/*.h) $(wildcard src/*.h) $(wildcard src/cli/*.h)

.PHONY: all deps deps-check demo check check-install format-check test install uninstall clean sanitize valgrind fuzz fuzz-check \
        completion \
        figures check-figures gallery-update bench bench-scale check-peers format lint tsan check-sbml

all: $(BUILD)/immunosim $(BUILD)/libimmunosim.a $(BUILD)/libimmunosim.so $(BUILD)/immunosim.1

# The man page comes from the option table (src/cli/options.c), like --help and the completion.
$(BUILD)/immunosim.1: $(BUILD)/immunosim
	$(BUILD)/immunosim _doc man > $@.tmp && mv $@.tmp $@

# src/cli/immunosim.bash is generated from the option table too; tests/cli/options.sh checks it.
completion: $(BUILD)/immunosim
	$(BUILD)/immunosim _doc bash > src/cli/immunosim.bash

deps:
	@bash .ci/deps.sh $(BUILD_PKGS)

deps-check:
	@bash .ci/deps.sh $(CHECK_PKGS)

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# the vector kernels must round as nvector_serial does, even with an -march
# that has FMA (src/nvec.h); -O3 vectorises their element-wise loops (the
# sums stay in order: no -ffast-math)
$(BUILD)/obj/src/nvec.o: ALL_CFLAGS += -O3 -ffp-contract=off

$(BUILD)/libimmunosim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libimmunosim.so: $(LIB_OBJ)
	$(CC) -shared -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/immunosim: $(CLI_OBJ) $(BUILD)/libimmunosim.a
	$(CC) -o $@ $(CLI_OBJ) $(BUILD)/libimmunosim.a $(LDFLAGS) $(LDLIBS)

$(BUILD)/check_immunosim: $(TEST_OBJ) $(BUILD)/libimmunosim.a
	$(CC) -o $@ $(TEST_OBJ) $(BUILD)/libimmunosim.a $(LDFLAGS) $(LDLIBS) $$(pkg-config --libs check)

# The default demo: blinatumomab cycle 1 step-up (9 then 28 ug/day), in pg/mL.
demo: deps
	$(MAKE) all
	@mkdir -p $(BUILD)/demo
	$(BUILD)/immunosim run pk2cmt -p params/pk2cmt/blinatumomab_clements2020.csv \
	  -s params/schedules/blinatumomab_cycle1.csv -t 42 --dt 0.05 --units C1=pg/mL \
	  -o $(BUILD)/demo/blinatumomab.csv
	$(BUILD)/immunosim plot $(BUILD)/demo/blinatumomab.csv --y C1 --liny \
	  --title "Blinatumomab cycle 1: 9 then 28 µg/day continuous infusion (Clements 2020)" \
	  -o $(BUILD)/demo/blinatumomab.png
	@echo "wrote $(BUILD)/demo/blinatumomab.csv, $(BUILD)/demo/blinatumomab.png and its script $(BUILD)/demo/blinatumomab.gp"

# Check's 4 s default per test is a hang guard, not a benchmark: under the
# sanitizers on a loaded CI machine the generated-case suites need more.
CK_ENV := CK_DEFAULT_TIMEOUT=300
test: all $(BUILD)/check_immunosim
	IMS_SRCDIR=$(CURDIR) $(CK_ENV) $(BUILD)/check_immunosim

check: deps-check
	$(MAKE) test
	$(MAKE) check-cli
	$(MAKE) check-figures
	$(MAKE) check-install
	$(MAKE) check-peers
	$(MAKE) fuzz-check
	$(MAKE) tsan
	$(MAKE) lint format-check
	$(MAKE) check-sbml

check-install: all
	bash tests/cli/install.sh

check-cli: all
	IMMUNOSIM_DATA=$(CURDIR) bash tests/cli/run.sh $(BUILD)/immunosim
	IMMUNOSIM_DATA=$(CURDIR) bash tests/cli/options.sh $(BUILD)/immunosim
	IMMUNOSIM_DATA=$(CURDIR) bash tests/cli/outputs.sh $(BUILD)/immunosim
	IMMUNOSIM_DATA=$(CURDIR) bash tests/cli/shards.sh $(BUILD)/immunosim
	IMS_MPI=$(MPI) IMMUNOSIM_DATA=$(CURDIR) bash tests/cli/mpi.sh $(BUILD)/immunosim
	IMMUNOSIM_DATA=$(CURDIR) bash tests/cli/sbml.sh $(BUILD)/immunosim
	CC="$(CC)" IMS_LIBS="$(CURDIR)/$(BUILD)/libimmunosim.a $(LDFLAGS) $(LDLIBS)" \
	  IMMUNOSIM_DATA=$(CURDIR) bash tests/cli/models.sh $(BUILD)/immunosim

# SBML Test Suite conformance: every semantic case through tests/sbml/wrapper.sh,
# two at a time, judged by the suite's pass rule (tests/sbml/check.py); a case
# in tests/sbml/expected-pass.txt that does not pass fails the build.
# SBML_UPDATE=1 rewrites that list; SBML_ONLY=1,3,5 runs a few cases.
SBML_CASES := tests/sbml/cases/semantic
$(BUILD)/sbml/sbmlcase: tests/sbml/sbmlcase.c $(BUILD)/libimmunosim.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libimmunosim.a $(LDFLAGS) $(LDLIBS)

check-sbml: all $(BUILD)/sbml/sbmlcase
	bash tests/sbml/selftest.sh
	IMS_SBMLCASE=$(CURDIR)/$(BUILD)/sbml/sbmlcase /usr/bin/python3 tests/sbml/check.py \
	  --cases $(SBML_CASES) --wrapper tests/sbml/wrapper.sh --out $(BUILD)/sbml \
	  --expected tests/sbml/expected-pass.txt --jobs 2 $(if $(SBML_UPDATE),--update) \
	  $(if $(SBML_ONLY),--only $(SBML_ONLY))

check-peers: all
	bash tests/peers/run.sh $(BUILD)/immunosim

# clang: its -fsanitize=undefined includes float-cast-overflow (a double outside the range
# of the integer it is converted to), which gcc's does not.
SAN := address,undefined,float-cast-overflow
sanitize:
	IMMUNOSIM_DATA=$(CURDIR) $(MAKE) BUILD=build/san CC=clang CFLAGS="-O1 -g" \
	  EXTRA_CFLAGS="-Wno-unknown-warning-option -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=$(SAN)" test check-cli

# ThreadSanitizer over the population suite (and the threaded CLI run): clang with LLVM's
# libomp, whose Archer tool (libarcher.so) tells TSan about OpenMP's barriers and locks.
# gcc's libgomp is not instrumented, so TSan would report its barriers as races.
ARCHER := $(firstword $(wildcard /usr/lib/llvm-*/lib/libarcher.so))
TSAN_ENV := TSAN_OPTIONS="halt_on_error=1 exitcode=66 ignore_noninstrumented_modules=1" OMP_TOOL_LIBRARIES=$(ARCHER) \
            ARCHER_OPTIONS=verbose=1
tsan:
	$(MAKE) BUILD=build/tsan CC=clang CFLAGS="-O1 -g" \
	  EXTRA_CFLAGS="-Wno-unknown-warning-option -fsanitize=thread -fno-omit-frame-pointer" \
	  EXTRA_LDFLAGS="-fsanitize=thread" build/tsan/check_immunosim build/tsan/immunosim
	IMS_SRCDIR=$(CURDIR) $(CK_ENV) CK_RUN_SUITE=population CK_FORK=no $(TSAN_ENV) build/tsan/check_immunosim
	IMMUNOSIM_DATA=$(CURDIR) $(TSAN_ENV) build/tsan/immunosim population pk2cmt -p pembrolizumab_ahamadi2017 \
	  -s pembrolizumab_200mg_q3w -n 40 --threads 2 -t 84 --dt 1 --per-subject /dev/null -o /dev/null

valgrind: all $(BUILD)/check_immunosim
	IMS_SRCDIR=$(CURDIR) $(CK_ENV) CK_FORK=no valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  --error-exitcode=9 -q $(BUILD)/check_immunosim

# The figure gallery: every recipe plots/gallery/NN_name.sh draws build/figures/NN_name.png
# with its caption NN_name.txt (plots/gallery/run.sh; needs gnuplot, installed by `make deps`).
# gallery-update copies the figures shown in README.md to plots/gallery/png/.
GALLERY_README := 01_stein_tisagenlecleucel 04_kimmel_axicel_zuma1 05_cartmath_rechallenge \
                  11_kirschner_panetta_phase 18_sbml_dwivedi_il6r 26_pembrolizumab_weight_vs_flat \
                  28_kuznetsov_bifurcation 29_kuznetsov_separatrix
figures: all
	rm -rf $(BUILD)/figures
	bash plots/gallery/run.sh $(BUILD)/immunosim $(BUILD)/figures

# make check renders every gallery figure with the real gnuplot (issue 15: a figure that no
# longer renders fails the build); none may be skipped or fail.
check-figures: figures
	@n=$$(ls plots/gallery/[0-9][0-9]_*.sh | wc -l); \
	  made=$$(ls $(BUILD)/figures/[0-9][0-9]_*.png | wc -l); \
	  echo "check-figures: $$made of $$n gallery figures rendered"; [ "$$made" -eq "$$n" ]

gallery-update: figures
	@mkdir -p plots/gallery/png
	@for f in $(GALLERY_README); do cp $(BUILD)/figures/$$f.png plots/gallery/png/ && \
	  echo "plots/gallery/png/$$f.png ($$(stat -c %s plots/gallery/png/$$f.png) bytes)"; done

# Benchmarks against a bare CVODE loop, deSolve and SciPy (tests/bench/run.sh).
BENCH_PKGS := r-base-core r-cran-desolve python3-scipy valgrind gnuplot-nox
$(BUILD)/bench/bench: tests/bench/bench.c $(BUILD)/libimmunosim.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libimmunosim.a $(LDFLAGS) $(LDLIBS)

bench: deps
	@bash .ci/deps.sh $(BENCH_PKGS)
	$(MAKE) all $(BUILD)/bench/bench
	bash tests/bench/run.sh

# Populations at scale alone (also the end of make bench): per-subject cost, band memory from
# 1e4 to 1e6 subjects, strong scaling over MPI ranks (tests/bench/scale.sh).
bench-scale: all
	bash tests/bench/scale.sh

# libFuzzer targets (clang): the parameter, schedule and rules readers, the model-file reader
# and the driver's timeline (tests/fuzz/fuzz_*.c).  Inputs start with one selector byte (the
# model, the driver target's grid, or the model-file target's --no-unit-check bit).  Seeds are the shipped files and the bad-input corpus; every input
# that ever crashed a target is committed in tests/fuzz/corpus/<target>/.
#   make fuzz        random, FUZZ_TIME seconds per target (default 60); crashes land in
#                    build/fuzz/<target>-crash-*: add them to tests/fuzz/corpus/<target>/
#   make fuzz-check  deterministic (make check): replays the committed corpus, then
#                    FUZZ_RUNS executions per target from the fixed seed FUZZ_SEED
FUZZ_TIME ?= 60
FUZZ_RUNS ?= 20000
FUZZ_SEED ?= 1
FUZZ_TARGETS := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined,float-cast-overflow -fno-sanitize-recover=all -g -O1
FUZZ_ENV := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp
FUZZ_SEEDS := tests/data/bad/*.csv params/*/*.csv params/schedules/*.csv
# A fixed seed is not enough: the mutations also depend on addresses, so the deterministic run
# turns address randomisation off (setarch -R) and never reloads the corpus while it runs.
NOASLR := $(shell setarch $$(uname -m) -R true 2>/dev/null && echo setarch $$(uname -m) -R)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(LIB_SRC) $(HEADERS)
	@command -v clang >/dev/null || { echo "fuzz: clang missing (apt-get install clang libclang-rt-14-dev)"; exit 1; }
	@mkdir -p $(dir $@)
	clang -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc $(SBML_CFLAGS) $(FUZZ_FLAGS) \
	  -DIMS_DATADIR='"$(PREFIX)/share/immunosim"' $< $(LIB_SRC) -o $@ $(LDLIBS)

# A fresh working corpus: the committed one plus the seeds, each prefixed with a zero byte.
define fuzz_corpus
rm -rf $(BUILD)/fuzz/$(1).corpus; mkdir -p $(BUILD)/fuzz/$(1).corpus; i=0; \
for f in $(FUZZ_SEEDS); do i=$$((i+1)); { printf '\000'; cat "$$f"; } > $(BUILD)/fuzz/$(1).corpus/seed$$i; done; \
if [ -d tests/fuzz/corpus/$(1) ]; then cp tests/fuzz/corpus/$(1)/* $(BUILD)/fuzz/$(1).corpus/ 2>/dev/null || true; fi
endef

fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	  $(call fuzz_corpus,$$t); \
	  echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	  $(FUZZ_ENV) $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_TIME) -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/$$t- $(BUILD)/fuzz/$$t.corpus 2>&1 | tail -4; \
	  test "$${PIPESTATUS[0]}" = 0; \
	done

fuzz-check: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	  if [ -d tests/fuzz/corpus/$$t ]; then \
	    n=$$(ls tests/fuzz/corpus/$$t | wc -l); echo "fuzz-check: $$t replays $$n committed inputs"; \
	    $(FUZZ_ENV) $(BUILD)/fuzz/$$t -runs=0 tests/fuzz/corpus/$$t >$(BUILD)/fuzz/$$t.replay.log 2>&1 || \
	      { tail -20 $(BUILD)/fuzz/$$t.replay.log; exit 1; }; \
	  fi; \
	  $(call fuzz_corpus,$$t); \
	  echo "fuzz-check: $$t, $(FUZZ_RUNS) runs from seed $(FUZZ_SEED)"; \
	  $(FUZZ_ENV) $(NOASLR) $(BUILD)/fuzz/$$t -seed=$(FUZZ_SEED) -runs=$(FUZZ_RUNS) -max_len=4096 -reload=0 \
	    -artifact_prefix=$(BUILD)/fuzz/$$t- $(BUILD)/fuzz/$$t.corpus >$(BUILD)/fuzz/$$t.log 2>&1 || \
	    { tail -20 $(BUILD)/fuzz/$$t.log; exit 1; }; \
	done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/immunosim \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/immunosim
	install -m 755 $(BUILD)/immunosim $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libimmunosim.a $(BUILD)/libimmunosim.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/immunosim/*.h $(DESTDIR)$(PREFIX)/include/immunosim/
	cp -r params $(DESTDIR)$(PREFIX)/share/immunosim/
	install -d $(DESTDIR)$(PREFIX)/share/immunosim/models
	install -m 644 $(wildcard models/*.model models/*.xml models/*.md) $(DESTDIR)$(PREFIX)/share/immunosim/models/
	install -d $(DESTDIR)$(PREFIX)/share/immunosim/plots
	install -m 644 $(wildcard plots/*.gp plots/*.gp.in) $(DESTDIR)$(PREFIX)/share/immunosim/plots/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' -e 's|@MPI_LIBS@|$(MPI_LIBS)|' src/immunosim.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/immunosim.pc
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 src/cli/immunosim.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/immunosim
	install -m 644 $(BUILD)/immunosim.1 $(DESTDIR)$(PREFIX)/share/man/man1/immunosim.1

# Removes exactly what install put there.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/immunosim $(DESTDIR)$(PREFIX)/lib/libimmunosim.a \
	  $(DESTDIR)$(PREFIX)/lib/libimmunosim.so $(DESTDIR)$(PREFIX)/lib/pkgconfig/immunosim.pc \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/immunosim \
	  $(DESTDIR)$(PREFIX)/share/man/man1/immunosim.1
	rm -rf $(DESTDIR)$(PREFIX)/include/immunosim $(DESTDIR)$(PREFIX)/share/immunosim

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(TEST_SRC) $(HEADERS) tests/fuzz/*.c tests/bench/*.c

format-check:
	clang-format --dry-run -Werror $(LIB_SRC) $(CLI_SRC) $(TEST_SRC) $(HEADERS) tests/fuzz/*.c tests/bench/*.c

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	  -Iinclude -Isrc src models

clean:
	rm -rf $(BUILD)
