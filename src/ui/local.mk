# src/ui: the only ncurses code
libmailbench_a_SOURCES += \
	src/ui/ui.c
noinst_HEADERS += include/mailbench/ui.h
