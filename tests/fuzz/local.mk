# tests/fuzz: libFuzzer targets for every parser of outside bytes (see tests/fuzz/README.md).
# `make fuzz` builds them with clang and runs each for FUZZ_SECONDS (300); `make fuzz-smoke`
# (CI) runs each for 30 s. Any crash, leak or sanitizer report fails the run and leaves
# the input in fuzz-work/NAME/crash-*: turn it into a unit test when fixing it.
FUZZ_CC = clang
FUZZ_SECONDS = 300
FUZZ_TARGETS = mime sanitize reply tap config pop3
FUZZ_FLAGS = -g -O1 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -I$(abs_top_builddir) -I$(abs_top_srcdir)/include -I$(abs_top_srcdir)/src \
	$(GNUTLS_CFLAGS) $(ETPAN_CFLAGS)
FUZZ_UTIL = $(abs_top_srcdir)/src/util/*.c
FUZZ_SRC_mime = $(abs_top_srcdir)/src/mime/*.c
FUZZ_SRC_sanitize =
FUZZ_SRC_reply = $(abs_top_srcdir)/src/proto/reply.c
FUZZ_SRC_tap = $(abs_top_srcdir)/src/net/tap.c $(abs_top_srcdir)/src/proto/reply.c
FUZZ_SRC_config = $(abs_top_srcdir)/src/core/config.c $(abs_top_srcdir)/src/core/password.c
FUZZ_SRC_pop3 = $(abs_top_srcdir)/src/proto/pop3.c $(abs_top_srcdir)/src/proto/reply.c \
	$(abs_top_srcdir)/src/net/*.c
FUZZ_LIBS = $(ETPAN_LIBS) $(GNUTLS_LIBS) $(LIBS)

EXTRA_DIST += tests/fuzz/README.md $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%.c) \
	tests/fuzz/corpus

fuzz-build:
	@mkdir -p fuzz-work
	@for t in $(FUZZ_TARGETS); do \
		case $$t in \
		mime) src="$(FUZZ_SRC_mime)";; sanitize) src="$(FUZZ_SRC_sanitize)";; \
		reply) src="$(FUZZ_SRC_reply)";; tap) src="$(FUZZ_SRC_tap)";; \
		config) src="$(FUZZ_SRC_config)";; pop3) src="$(FUZZ_SRC_pop3)";; esac; \
		echo "  FUZZCC   fuzz_$$t"; \
		$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_UTIL) $$src $(abs_top_srcdir)/tests/fuzz/fuzz_$$t.c \
			$(FUZZ_LIBS) -o fuzz-work/fuzz_$$t || exit 1; \
	done

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		rm -rf fuzz-work/$$t && mkdir -p fuzz-work/$$t && \
		cp $(abs_top_srcdir)/tests/fuzz/corpus/$$t/* fuzz-work/$$t/ && \
		(cd fuzz-work/$$t && ../fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 . >../$$t.log 2>&1) || \
			{ tail -n 30 fuzz-work/$$t.log; echo "fuzz FAILED $$t"; exit 1; }; \
		echo "fuzz ok $$t: $$(sed -n 's/^stat::number_of_executed_units: *//p' fuzz-work/$$t.log) runs in $(FUZZ_SECONDS) s"; \
	done

FUZZ_SMOKE_SECONDS = 30
fuzz-smoke:
	@$(MAKE) $(AM_MAKEFLAGS) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz-clean:
	-rm -rf fuzz-work

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-clean
