# Fuzz targets; see fuzz/README.md. Included by the main Makefile with
#   -include fuzz/fuzz.mk
# and relies on its variables: CC, B, CPPFLAGS_ALL, CFLAGS, LIBS, LIB_OBJ and
# its $(B)/obj/%.o rule.
#
#   make fuzz-replay     every fuzz/fuzz_<name>.c linked with fuzz/replay_main.c
#                        under ASan+UBSan (objects shared with unit-asan in
#                        build/asan), each run once over fuzz/corpus/<name>/
#   make fuzz-libfuzzer  real libFuzzer binaries, built with clang into
#                        build/libfuzzer/fuzz_<name> (objects in
#                        build/libfuzzer/obj)
#   make fuzz-long       each libFuzzer binary for FUZZ_RUNS (10 million)
#                        executions, from a copy of its corpus
#                        (build/fuzz-long/corpus/<name>; fuzz/corpus/ stays as
#                        committed), with its dictionary; the log of each,
#                        with libFuzzer's final statistics, in
#                        build/fuzz-long/<name>.log (tools/soak.sh reads them)

# Include it after LIB_OBJ and HDRS are set (the end of the Makefile is best);
# it leaves the default goal alone.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

# The makefile that included this one, so sub-makes read the same rules.
FUZZ_TOP_MAKEFILE := $(firstword $(MAKEFILE_LIST))
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))
# The flags of unit-asan, so build/asan/obj serves both.
FUZZ_ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_CLANG ?= clang
FUZZ_LF_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
  -fno-sanitize-recover=all

.PHONY: fuzz-replay fuzz-run fuzz-libfuzzer fuzz-libfuzzer-build fuzz-long
FUZZ_RUNS ?= 10000000

fuzz-replay:
	@$(MAKE) --no-print-directory -f $(FUZZ_TOP_MAKEFILE) fuzz-run B=build/asan CFLAGS="$(FUZZ_ASAN_CFLAGS)"

# A replay binary: the target, replay_main.c's main(), every object but main.o.
$(B)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/replay_main.c $(LIB_OBJ) $(HDRS)
	@mkdir -p $(dir $@)
	@echo "LINK $@"
	@$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -o $@ fuzz/fuzz_$*.c fuzz/replay_main.c $(LIB_OBJ) $(LIBS)

fuzz-run: $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZ_NAMES))
	@set -e; for n in $(FUZZ_NAMES); do \
	  echo "== fuzz_$$n"; $(B)/fuzz/fuzz_$$n fuzz/corpus/$$n; done

fuzz-libfuzzer:
	@$(MAKE) --no-print-directory -f $(FUZZ_TOP_MAKEFILE) fuzz-libfuzzer-build B=build/libfuzzer CC=$(FUZZ_CLANG) \
	  CFLAGS="$(FUZZ_LF_CFLAGS)"

# A libFuzzer binary: libFuzzer's own main(), instrumented project objects.
$(B)/fuzz_%: fuzz/fuzz_%.c $(LIB_OBJ) $(HDRS)
	@mkdir -p $(dir $@)
	@echo "LINK $@"
	@$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -fsanitize=fuzzer -o $@ fuzz/fuzz_$*.c $(LIB_OBJ) $(LIBS)

fuzz-libfuzzer-build: $(patsubst %,$(B)/fuzz_%,$(FUZZ_NAMES))

# One target after the other: each libFuzzer process uses one core, and the
# machine is shared. A crash stops the run (libFuzzer exits non-zero and
# leaves crash-* in build/fuzz-long/).
fuzz-long: fuzz-libfuzzer
	@set -e; mkdir -p build/fuzz-long/corpus; for n in $(FUZZ_NAMES); do \
	  echo "== fuzz_$$n: $(FUZZ_RUNS) runs"; \
	  rm -rf build/fuzz-long/corpus/$$n; cp -r fuzz/corpus/$$n build/fuzz-long/corpus/$$n; \
	  dict=; [ -f fuzz/dict/$$n.dict ] && dict=-dict=fuzz/dict/$$n.dict; \
	  build/libfuzzer/fuzz_$$n -runs=$(FUZZ_RUNS) -print_final_stats=1 $$dict \
	    -artifact_prefix=build/fuzz-long/ build/fuzz-long/corpus/$$n > build/fuzz-long/$$n.log 2>&1 \
	    || { tail -40 build/fuzz-long/$$n.log; exit 1; }; \
	  grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' build/fuzz-long/$$n.log; \
	done

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
