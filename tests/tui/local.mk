# tests/tui: the full-screen interface driven in tmux (see tests/tui/README.md); the
# captured screens are kept under tests/artifacts/tui/TEST/
check_PROGRAMS += tests/tui/tui_seed
tests_tui_tui_seed_LDADD = $(UNIT_LDADD)

TUI_TESTS = \
	tests/tui/first_screen.sh \
	tests/tui/escape.sh \
	tests/tui/themes.sh \
	tests/tui/resize.sh \
	tests/tui/big.sh \
	tests/tui/message.sh \
	tests/tui/transcript.sh \
	tests/tui/idle.sh \
	tests/tui/slow.sh
TESTS += $(TUI_TESTS)
EXTRA_DIST += $(TUI_TESTS) tests/tui/lib.sh tests/tui/README.md tests/bench/tui_bench.sh
include tests/tui/screens.mk

# the TUI benchmark (not part of make check): make bench-tui
bench-tui: tests/tui/tui_seed mailbench
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		MAILBENCH='$(abs_top_builddir)/mailbench' bash $(top_srcdir)/tests/bench/tui_bench.sh

tui-artifacts-clean:
	-rm -rf tests/artifacts/tui
clean-local: tui-artifacts-clean

.PHONY: bench-tui tui-artifacts-clean
