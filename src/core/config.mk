# src/core/config.mk: the config file, accounts and presets, passwords, and
# the `mailbench config` subcommand, with their tests
libmailbench_a_SOURCES += \
	src/core/config.c \
	src/core/password.c \
	src/cli/cmd_config.c
noinst_HEADERS += include/mailbench/config.h

check_PROGRAMS += \
	tests/unit/test_config \
	tests/unit/test_password_prompt
tests_unit_test_config_LDADD = $(UNIT_LDADD)
tests_unit_test_password_prompt_LDADD = $(UNIT_LDADD)

TESTS += \
	tests/unit/test_config \
	tests/unit/test_config_cli.sh \
	tests/unit/test_password.sh
EXTRA_DIST += \
	tests/unit/test_config_cli.sh \
	tests/unit/test_password.sh
