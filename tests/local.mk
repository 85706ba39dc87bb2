# tests: unit tests (C, TAP), integration tests against the lab (shell, TAP)
UNIT_LDADD = $(MB_LIBS)

check_PROGRAMS += tests/unit/test_buf
tests_unit_test_buf_LDADD = $(UNIT_LDADD)
noinst_HEADERS += tests/unit/tap.h

TESTS += tests/unit/test_buf

check_PROGRAMS += tests/unit/test_mutf7
tests_unit_test_mutf7_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_mutf7

check_PROGRAMS += tests/unit/test_tap
tests_unit_test_tap_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_tap

check_PROGRAMS += tests/unit/test_compose
tests_unit_test_compose_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_compose

check_PROGRAMS += tests/unit/test_event
tests_unit_test_event_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_event

check_PROGRAMS += tests/unit/test_envelope
tests_unit_test_envelope_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_envelope
include tests/lab/local.mk
include tests/integration/local.mk
include tests/faultserver/local.mk
include tests/fuzz/local.mk
include tests/integration/faults.mk

# make check-valgrind: every unit test binary under Valgrind's memcheck; any error or
# definite leak fails (tests/unit/*.sh and the integration tests are not included)
check-valgrind: $(check_PROGRAMS)
	@failed=0; for t in $(check_PROGRAMS); do \
		case $$t in tests/unit/test_*prompt*|tests/unit/cache_*) continue;; tests/unit/test_*) ;; *) continue;; esac; \
		if $(VALGRIND) -q --error-exitcode=99 --leak-check=full \
			--suppressions=$(top_srcdir)/tests/valgrind.supp \
			--errors-for-leak-kinds=definite ./$$t >/dev/null 2>valgrind-$$(basename $$t).log; \
		then echo "valgrind ok $$t"; \
		else echo "valgrind FAILED $$t (see valgrind-$$(basename $$t).log)"; failed=1; fi; \
	done; test $$failed = 0
.PHONY: check-valgrind
CLEANFILES += valgrind-*.log
include tests/tui/local.mk

# make check-secrets: after make check, no lab password (or its base64) in any file the
# tests left under this build directory (tests/secrets_scan.sh)
check-secrets:
	$(SHELL) $(top_srcdir)/tests/secrets_scan.sh $(abs_top_builddir)
.PHONY: check-secrets
clean-local: artifacts-clean
artifacts-clean:
	-rm -rf tests/artifacts

# make format: clang-format every C file in place; make format-check: list the ones that
# differ from .clang-format (CI runs it through check.sh)
FORMAT_FILES = cd $(top_srcdir) && { git ls-files '*.c' '*.h' 2>/dev/null || \
	find src include tests -name '*.[ch]'; }
format:
	@files=$$($(FORMAT_FILES)); cd $(top_srcdir) && clang-format -i $$files
format-check:
	@files=$$($(FORMAT_FILES)); cd $(top_srcdir) && bad=0; for f in $$files; do \
		if ! clang-format --dry-run -Werror $$f >/dev/null 2>&1; then echo "not formatted: $$f"; bad=1; fi; \
	done; test $$bad = 0 && echo "format ok: every C file follows .clang-format"
.PHONY: format format-check
