# src/cli: one file per subcommand
libmailbench_a_SOURCES += \
	src/cli/cli.c \
	src/cli/fetch.c \
	src/cli/lab.c \
	src/cli/mark.c \
	src/cli/send.c \
	src/cli/send_eml.c \
	src/cli/tprint.c
noinst_HEADERS += include/mailbench/cli.h src/cli/private.h
