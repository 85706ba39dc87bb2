# src/ui: the only ncurses code (the frame, screens, panes, themes)
libmailbench_a_SOURCES += \
	src/ui/draw.c \
	src/ui/edit.c \
	src/ui/jobs.c \
	src/ui/modal.c \
	src/ui/reply.c \
	src/ui/screen_envelope.c \
	src/ui/screen_mailbox.c \
	src/ui/screen_message.c \
	src/ui/sync_job.c \
	src/ui/theme.c \
	src/ui/tpane.c \
	src/ui/ui.c
noinst_HEADERS += include/mailbench/ui.h src/ui/private.h

# the compose, raw console and outbox screens (they replace the frame's placeholders)
libmailbench_a_SOURCES += \
	src/ui/body.c \
	src/ui/compose_draft.c \
	src/ui/compose_fields.c \
	src/ui/compose_send.c \
	src/ui/console_form.c \
	src/ui/console_job.c \
	src/ui/console_proto.c \
	src/ui/screen_compose.c \
	src/ui/screen_console.c \
	src/ui/screen_outbox.c \
	src/ui/send_job.c
noinst_HEADERS += src/ui/compose.h src/ui/console.h src/ui/screens.h

# themes: installed in $(pkgdatadir)/themes, found there by name (--theme light)
themesdir = $(pkgdatadir)/themes
dist_themes_DATA = \
	themes/dark.theme \
	themes/light.theme \
	themes/high-contrast.theme \
	themes/monochrome.theme
