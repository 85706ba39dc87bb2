/*
 * compose.h: building outgoing messages (RFC 5322 + MIME).
 *
 * A struct mb_draft holds what a person writes: addresses as typed
 * ("Alice <alice@example.org>", "bob@example.org, Carol <c@x>"), a UTF-8
 * subject and body, an optional HTML alternative and attachments.
 * mb_compose_build() turns it into the exact bytes to send — 7-bit clean,
 * CRLF everywhere, no line over 998 octets, UTF-8 names and subjects as
 * RFC 2047 encoded words, file names as RFC 2231 parameters, Bcc kept out
 * of the headers — and the envelope derived from it. Bad input (a CR or LF
 * in a field, an address that does not parse) is refused with a clear
 * error before anything else happens.
 *
 *     struct mb_draft d = {0};
 *     d.from = "Alice <alice@lab.test>"; d.to = "bob@lab.test"; d.subject = "Hi";
 *     d.body = "Hello\n";
 *     struct mb_built m;
 *     if (mb_compose_build(&d, &m, &err) < 0) ...
 *     ... m.data, m.len, m.env_from, m.rcpts ...
 *     mb_built_release(&m);
 */
#ifndef MAILBENCH_COMPOSE_H
#define MAILBENCH_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mailbench/buf.h"
#include "mailbench/error.h"

/* One address as typed and as understood. */
struct mb_caddr {
	char *name; /* display name, UTF-8, or NULL */
	char *addr; /* addr-spec: local@domain */
};

struct mb_caddr_list {
	struct mb_caddr *v;
	size_t n;
};

/*
 * Parse a comma-separated list of addresses as a person types them:
 * "a@x", "Name <a@x>", "\"Last, First\" <a@x>", "a@x (comment)".
 * Refuses CR, LF, NUL and malformed entries with a message naming the entry.
 */
int mb_caddr_list_parse(const char *text, struct mb_caddr_list *out, struct mb_error *err);
void mb_caddr_list_release(struct mb_caddr_list *l);

struct mb_attachment {
	const char *path;      /* file to attach */
	const char *name;      /* name to show; NULL: the file's base name */
	const char *mime_type; /* NULL: guessed from the content and the name */
};

struct mb_draft {
	const char *from; /* required */
	const char *to;   /* lists, each may be NULL */
	const char *cc;
	const char *bcc;
	const char *reply_to;
	const char *subject; /* UTF-8, may be NULL */
	const char *body;    /* UTF-8 text; LF or CRLF line ends */
	size_t body_len;     /* 0: strlen(body) */
	const char *html;    /* optional HTML alternative (UTF-8) */
	const struct mb_attachment *attachments;
	size_t nattachments;
	const char *in_reply_to; /* "<id@host>" */
	const char *references;  /* "<a@h> <b@h>" */
	/* the envelope, when set, replaces the one derived from the headers */
	const char *env_from;
	const char *const *env_to;
	size_t nenv_to;
	time_t date;            /* 0: now */
	const char *message_id; /* NULL: generated "<random@from-domain>" */
	const char *user_agent; /* NULL: "mailbench/VERSION" */
};

struct mb_built {
	char *data; /* the message, CRLF line ends */
	size_t len;
	char *env_from; /* MAIL FROM */
	char **rcpts;   /* RCPT TO, each once, in the order To, Cc, Bcc */
	size_t nrcpts;
	char *message_id;
	/* for the envelope-versus-headers view */
	struct mb_caddr_list from, to, cc, bcc;
};

int mb_compose_build(const struct mb_draft *d, struct mb_built *out, struct mb_error *err);
void mb_built_release(struct mb_built *m);

/* --- pieces, public for tests and for the TUI's checks as you type --- */

/* Check one header field value: no CR, LF or NUL. */
int mb_compose_check_field(const char *name, const char *value, struct mb_error *err);

/* Append an unstructured header value, RFC 2047-encoding it if needed, folded. */
void mb_compose_header(struct mb_buf *out, const char *name, const char *value);

/* Append the quoted-printable encoding of data (CRLF line ends in, soft breaks at 76). */
void mb_qp_encode(const char *data, size_t len, struct mb_buf *out);

/* A MIME type for a file: from its first bytes, else from its name, else octet-stream. */
const char *mb_guess_mime_type(const char *name, const unsigned char *head, size_t len);

#endif
