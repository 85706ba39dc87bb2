/*
 * envelope.h: the envelope-versus-headers lesson, computed.
 *
 * MAIL FROM and RCPT TO (the envelope) route a message; From:, To: and Cc:
 * (headers inside DATA) are what people see. SMTP checks neither against
 * the other. Given both sides, mb_envelope_compare() lines them up and
 * explains each difference in one sentence, for the CLI's summary after a
 * send and the TUI's `e` view alike:
 *
 *     MAIL FROM:<alice@lab.test>      From: Alice <alice@lab.test>
 *     RCPT TO:<bob@lab.test>          To: Bob <bob@lab.test>
 *     RCPT TO:<dave@lab.test>         (in no header)
 *       -> dave@lab.test received this message but is in no header: a Bcc recipient
 *
 * For received mail, the envelope is what the receiving side recorded:
 * Return-Path (MAIL FROM) and Delivered-To / Received "for" (RCPT TO).
 */
#ifndef MAILBENCH_ENVELOPE_H
#define MAILBENCH_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>

enum mb_env_kind {
	MB_ENV_SENDER = 0, /* MAIL FROM vs From: */
	MB_ENV_RCPT,       /* RCPT TO vs To:/Cc: */
};

enum mb_env_note {
	MB_ENV_SAME = 0,       /* both sides agree */
	MB_ENV_SENDER_DIFFERS, /* MAIL FROM is not the From: address */
	MB_ENV_NULL_SENDER,    /* MAIL FROM:<> (a bounce) */
	MB_ENV_ONLY_ENVELOPE,  /* a recipient in no header: a Bcc */
	MB_ENV_ONLY_HEADER,    /* a header recipient the envelope left out */
	MB_ENV_REFUSED,        /* the server refused this RCPT */
};

struct mb_env_row {
	enum mb_env_kind kind;
	const char *envelope; /* the address in MAIL FROM / RCPT TO, or NULL */
	const char *header;   /* "From: Alice <a@x>" style, or NULL */
	int code;             /* the server's reply to that command, 0 if unknown */
	enum mb_env_note note;
	char *explain; /* one sentence, or NULL when the sides agree */
};

struct mb_env_report {
	struct mb_env_row *rows;
	size_t n;
	size_t differences; /* rows whose note is not MB_ENV_SAME */
};

/* A header recipient: which header, the display form, the bare address. */
struct mb_env_hdr {
	const char *field; /* "To", "Cc", "From" */
	const char *shown; /* "Bob <bob@x>" */
	const char *addr;  /* "bob@x" */
};

/*
 * Compare. codes (may be NULL) holds the server's reply to each RCPT, in
 * the order of rcpts. Addresses compare case-insensitively in the domain.
 * The strings are borrowed and must outlive the report.
 */
void mb_envelope_compare(const char *env_from, const char *const *rcpts, const int *codes,
                         size_t nrcpts, const struct mb_env_hdr *from,
                         const struct mb_env_hdr *hdrs, size_t nhdrs, struct mb_env_report *out);
void mb_env_report_release(struct mb_env_report *r);

/* Do two addr-specs name the same mailbox (local part exact, domain any case)? */
bool mb_addr_same(const char *a, const char *b);

#endif
