/*
 * mutf7.h: IMAP mailbox names in modified UTF-7 (RFC 3501 section 5.1.3),
 * shown as UTF-8 ("Entw&APw-rfe" is "Entwürfe").
 */
#ifndef MAILBENCH_MUTF7_H
#define MAILBENCH_MUTF7_H

/* Modified UTF-7 to UTF-8; malformed input is kept as it was sent. malloc'd. */
char *mb_mutf7_decode(const char *name);

#endif
