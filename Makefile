# immunosim — GNU make build.  `make demo` and `make check` install what they need.
PREFIX ?= /usr/local
CC ?= cc
BUILD := build
VERSION := 0.1.0

BUILD_PKGS := gcc make pkg-config libc6-dev libsundials-dev libgsl-dev libcsv-dev \
              libudunits2-dev udunits-bin check gnuplot-nox
CHECK_PKGS := $(BUILD_PKGS) valgrind clang libclang-rt-14-dev r-base-core r-cran-desolve python3-scipy

WARN := -Wall -Wextra -Werror -Wno-format-truncation
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) -fPIC -fopenmp -Iinclude -Isrc \
              -DIMS_DATADIR='"$(PREFIX)/share/immunosim"' $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS := -lsundials_cvodes -lsundials_nvecserial -lsundials_sunmatrixdense \
          -lsundials_sunlinsoldense -lcsv -ludunits2 -lgsl -lgslcblas -lm
LDFLAGS += -fopenmp $(EXTRA_LDFLAGS)

LIB_SRC := $(wildcard src/*.c) $(wildcard models/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
CLI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC))
TEST_SRC := $(wildcard tests/*.c) $(wildcard tests/models/*.c)
TEST_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SRC))
HEADERS := $(wildcard include/immunosim/*.h) $(wildcard src/*.h) $(wildcard src/cli/*.h)

.PHONY: all deps deps-check demo check test install uninstall clean sanitize valgrind fuzz \
        figures bench check-peers format lint

all: $(BUILD)/immunosim $(BUILD)/libimmunosim.a $(BUILD)/libimmunosim.so

deps:
	@bash .ci/deps.sh $(BUILD_PKGS)

deps-check:
	@bash .ci/deps.sh $(CHECK_PKGS)

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

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
	  --title "Blinatumomab cycle 1: 9 then 28 ug/day continuous infusion (Clements 2020)" \
	  -o $(BUILD)/demo/blinatumomab.png
	@echo "wrote $(BUILD)/demo/blinatumomab.csv, $(BUILD)/demo/blinatumomab.png and its script $(BUILD)/demo/blinatumomab.gp"

test: all $(BUILD)/check_immunosim
	IMS_SRCDIR=$(CURDIR) $(BUILD)/check_immunosim

check: deps-check
	$(MAKE) test
	$(MAKE) check-cli
	$(MAKE) check-peers

check-cli: all
	bash tests/cli/run.sh $(BUILD)/immunosim

check-peers: all
	bash tests/peers/run.sh $(BUILD)/immunosim

sanitize:
	IMMUNOSIM_DATA=$(CURDIR) $(MAKE) BUILD=build/san EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" CFLAGS="-O1 -g" test check-cli

valgrind: all $(BUILD)/check_immunosim
	IMS_SRCDIR=$(CURDIR) CK_FORK=no valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  --error-exitcode=9 -q $(BUILD)/check_immunosim

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/immunosim \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/immunosim
	install -m 755 $(BUILD)/immunosim $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libimmunosim.a $(BUILD)/libimmunosim.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/immunosim/*.h $(DESTDIR)$(PREFIX)/include/immunosim/
	cp -r params plots $(DESTDIR)$(PREFIX)/share/immunosim/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' src/immunosim.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/immunosim.pc
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 src/cli/immunosim.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/immunosim

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(TEST_SRC) $(HEADERS)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	  -Iinclude -Isrc src models

clean:
	rm -rf $(BUILD)
