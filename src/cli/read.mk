# src/cli/read.mk: the reading commands (list, show, transcript, outbox) and their tests
libmailbench_a_SOURCES += \
	src/cli/list.c \
	src/cli/outbox.c \
	src/cli/read_util.c \
	src/cli/show.c \
	src/cli/show_parts.c \
	src/cli/show_trace.c \
	src/cli/transcript.c
noinst_HEADERS += src/cli/read.h

# tests: the helpers (unit), a helper that stores .eml files in a cache as a fetch would,
# and the commands against the lab (integration)
check_PROGRAMS += tests/unit/test_cli_read tests/unit/cache_insert
tests_unit_test_cli_read_LDADD = $(UNIT_LDADD)
tests_unit_cache_insert_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_cli_read
TESTS += \
	tests/integration/cli_read_outbox.sh \
	tests/integration/cli_read_messages.sh
EXTRA_DIST += \
	tests/integration/cli_read_common.sh \
	tests/integration/cli_read_outbox.sh \
	tests/integration/cli_read_messages.sh
