# tests/bench: benchmarks against the peers (swaks, mbsync, fetchmail), run on demand and
# never by make check. They print figures and the goals of issues 3.8 and 4.8, in a lab of
# their own (BENCH_LAB_DIR, default /tmp/mailbench-bench-lab; BENCH_LAB_BASE, default 40000).
#   make bench        both
#   make bench-smtp   500 small messages: mailbench send --eml, a swaks loop, a raw client
#   make bench-fetch  a 10 000-message INBOX: IMAP (mbsync), POP3 (fetchmail), raw clients
EXTRA_PROGRAMS = tests/bench/rawclient
tests_bench_rawclient_SOURCES = tests/bench/rawclient.c
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += tests/bench/lib.sh tests/bench/smtp_bench.sh tests/bench/fetch_bench.sh \
	tests/bench/gen_mailbox.py tests/bench/measure.py

BENCH_ENV = top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	MAILBENCH='$(abs_top_builddir)/mailbench' \
	RAWCLIENT='$(abs_top_builddir)/tests/bench/rawclient'

bench-smtp: mailbench tests/bench/rawclient
	$(BENCH_ENV) bash $(top_srcdir)/tests/bench/smtp_bench.sh
bench-fetch: mailbench tests/bench/rawclient
	$(BENCH_ENV) bash $(top_srcdir)/tests/bench/fetch_bench.sh
bench: mailbench tests/bench/rawclient
	@rc=0; \
	$(BENCH_ENV) bash $(top_srcdir)/tests/bench/smtp_bench.sh || rc=1; \
	$(BENCH_ENV) bash $(top_srcdir)/tests/bench/fetch_bench.sh || rc=1; \
	exit $$rc

.PHONY: bench bench-smtp bench-fetch
