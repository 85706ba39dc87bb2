# src/proto: SMTP, POP3 and IMAP sessions on top of src/net; reply meanings
libmailbench_a_SOURCES += \
	src/proto/imap.c \
	src/proto/pop3.c \
	src/proto/reply.c \
	src/proto/smtp.c \
	src/proto/smtp_body.c
noinst_HEADERS += \
	include/mailbench/imap.h \
	include/mailbench/pop3.h \
	include/mailbench/reply.h \
	include/mailbench/smtp.h
