# src/ui: the only ncurses code (the frame, screens, panes, themes)
libmailbench_a_SOURCES += \
	src/ui/draw.c \
	src/ui/edit.c \
	src/ui/hooks.c \
	src/ui/jobs.c \
	src/ui/modal.c \
	src/ui/reply.c \
	src/ui/screen_envelope.c \
	src/ui/screen_mailbox.c \
	src/ui/screen_message.c \
	src/ui/theme.c \
	src/ui/tpane.c \
	src/ui/ui.c
noinst_HEADERS += include/mailbench/ui.h src/ui/private.h

# themes: installed in $(pkgdatadir)/themes, found there by name (--theme light)
themesdir = $(pkgdatadir)/themes
dist_themes_DATA = \
	themes/dark.theme \
	themes/light.theme \
	themes/high-contrast.theme \
	themes/monochrome.theme
