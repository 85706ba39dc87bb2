/*
 * mime.h: parse and decode INCOMING mail (RFC 5322, MIME, RFC 2047/2231).
 *
 * mailbench walks incoming messages with its own bounded parser instead of
 * libetpan's mailmime_parse() (which overflows the heap on a hostile
 * boundary on Debian 12). Everything here is pure computation: bytes in,
 * structures out, no I/O, no global state; every function is safe on any
 * input (NUL bytes, 8-bit garbage, gigantic lines) and runs in time linear
 * in its input. Strings handed out are valid UTF-8 unless said otherwise;
 * they are NOT safe to print: pass them through mb_sanitize() (sanitize.h).
 *
 * Whole message, for the cache:
 *
 *     struct mb_summary s;
 *     mb_summary_parse(&s, raw, rawlen);
 *     ... s.subject, s.from, s.date, s.body_text, s.trace.received[i].by ...
 *     mb_summary_release(&s);
 *
 * The MIME tree, for the message view (bodies are NOT copied: the tree
 * points into raw, which must outlive it):
 *
 *     struct mb_mime_tree *t = mb_mime_parse(raw, rawlen);
 *     for (size_t i = 0; i < t->nparts; i++) {
 *             const struct mb_mime_part *p = t->parts[i];   (pre-order)
 *             struct mb_buf text = MB_BUF_INIT;
 *             if (p->kind == MB_PART_SINGLE && strcmp(p->type, "text") == 0)
 *                     mb_mime_part_text(t, p, &text);
 *             ...
 *     }
 *     mb_mime_free(t);
 *
 * Thread-safe (no shared state; iconv descriptors are per call).
 */
#ifndef MAILBENCH_MIME_H
#define MAILBENCH_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mailbench/buf.h"
#include "mailbench/xalloc.h" /* mb_strv_free() */

/*
 * Limits. Reaching one never fails a parse: something is left out and a
 * count or a flag says so (ndropped, nskipped, limited, MB_PART_LIMIT).
 */
#define MB_MIME_MAX_DEPTH       100           /* nesting of multipart and message parts (Dovecot) */
#define MB_MIME_MAX_PARTS       10000         /* parts per message (Dovecot) */
#define MB_MIME_MAX_FIELDS      1000          /* header fields stored per header block */
#define MB_MIME_MAX_TREE_FIELDS 100000        /* header fields stored per message, all parts */
#define MB_MIME_MAX_FIELD_LEN   (256 * 1024)  /* bytes of one unfolded field value stored */
#define MB_MIME_MAX_PARAMS      64            /* parameters per Content-Type/-Disposition */
#define MB_MIME_MAX_BOUNDARY    200           /* a longer boundary makes the multipart a leaf */
#define MB_MIME_MAX_ADDRESSES   10000         /* addresses kept per address field */
#define MB_SUMMARY_MAX_TEXT     (1024 * 1024) /* bytes of body text in a summary */

/* ---- header fields ------------------------------------------------------------------------ */

struct mb_header_field {
	const char *name;  /* as written, without the colon and blanks before it */
	const char *value; /* unfolded (line breaks of folds removed), blanks trimmed at both ends,
	                      NUL bytes turned into spaces, raw bytes otherwise (may be 8-bit or
	                      hold encoded words: see mb_mime_decode_header()) */
	size_t value_len;
	size_t offset;  /* where the field starts in the parsed buffer */
	size_t raw_len; /* its bytes there, folds and the final line break included */
	bool truncated; /* value cut at MB_MIME_MAX_FIELD_LEN */
};

struct mb_headers {
	struct mb_header_field *fields; /* in message order */
	size_t nfields;
	size_t ndropped; /* fields not stored: over MB_MIME_MAX_FIELDS (or the tree's budget) */
	size_t nbad;     /* lines skipped because they were not header fields */
	bool complete;   /* the block ended with an empty line (else: at EOF or a boundary) */
	char *store;     /* private: memory of names and values */
};

/*
 * Split buf into a header block and a body; returns the body's offset.
 * Line ends may be CRLF or LF. A first line that is not a field (and is
 * not followed by one) means there is no header block: the result is 0.
 * A non-field line followed by a field (an mbox "From " line, a wrapped
 * Exchange header) is skipped and counted in nbad; one followed by
 * anything else starts the body. Names must be printable ASCII without
 * blanks ("Sub ject:" is no Subject). Release with mb_headers_release().
 */
size_t mb_headers_parse(struct mb_headers *h, const char *buf, size_t len);
void mb_headers_release(struct mb_headers *h);

/* The first value of field name (case-insensitive), or NULL. */
const char *mb_headers_get(const struct mb_headers *h, const char *name);

/*
 * All values of field name in message order: a malloc'd NULL-terminated
 * array of borrowed strings (free() only the array); *n gets the count
 * when n is not NULL. Never NULL.
 */
const char **mb_headers_get_all(const struct mb_headers *h, const char *name, size_t *n);

/* ---- decoders ----------------------------------------------------------------------------- */

/*
 * Decode a header value for display: RFC 2047 encoded words (B and Q, any
 * charset iconv knows; adjacent words joined without the blanks between
 * them, so characters split across words survive), raw 8-bit bytes taken as
 * UTF-8 when valid and as Windows-1252 otherwise, TABs as spaces. A word in
 * an unknown charset or with broken base64 is kept as written. Invalid
 * bytes after decoding become U+FFFD; NUL becomes U+FFFD. value may be
 * NULL (gives ""). Returns a malloc'd UTF-8 string.
 */
char *mb_mime_decode_header(const char *value);

/*
 * Convert len bytes in charset to UTF-8, appending to out. Always produces
 * valid UTF-8: invalid sequences become U+FFFD. NULL, empty, "us-ascii",
 * unknown and bogus charsets are read as UTF-8 when the bytes are valid
 * UTF-8, else as Windows-1252 (which is also used for ISO-8859-1, as web
 * browsers do; its 5 unassigned bytes become C1 controls). A charset lie
 * is repaired: when the bytes hold 8-bit characters, are invalid in the
 * declared charset but valid UTF-8, they are taken as UTF-8. Charset names
 * are checked before iconv sees them (no '/', no EBCDIC). Returns 0 when
 * the charset was understood, -1 when the fallback was used (the output is
 * appended either way). NUL bytes pass through.
 */
int mb_charset_to_utf8(struct mb_buf *out, const char *charset, const char *in, size_t len);

/*
 * Transfer decoders, appending to out (out may be NULL to only count).
 * Both return the number of decoded bytes and never read outside in[0..len).
 *  - quoted-printable: "=XX" (either case), soft breaks "=" + optional
 *    blanks + line end (also at the very end), blanks at line ends dropped,
 *    a bad escape ("=ZZ", a lone "=") kept literally; line ends as given.
 *  - base64: characters outside the alphabet (line breaks, garbage) are
 *    skipped; '=' ends a quantum and decoding resumes after it; a dangling
 *    partial quantum yields the whole bytes it holds.
 */
size_t mb_qp_decode(struct mb_buf *out, const char *in, size_t len);
size_t mb_base64_decode(struct mb_buf *out, const char *in, size_t len);

/* ---- addresses ---------------------------------------------------------------------------- */

struct mb_address {
	char *name;  /* decoded display name (UTF-8), "" when there is none */
	char *addr;  /* the addr-spec as written ("local@domain"; 8-bit bytes made UTF-8 by the
	                raw-header rule), "" for an empty group or "<>" */
	char *group; /* the group the address belongs to (decoded), or NULL */
};

struct mb_address_list {
	struct mb_address *v;
	size_t n;
	size_t ndropped; /* addresses over MB_MIME_MAX_ADDRESSES */
};

/*
 * Parse an address field value (From, To, Cc, Reply-To, ...) tolerantly:
 * groups ("team: a@x, b@y;", "undisclosed-recipients:;" gives one entry
 * with an empty addr), comments ("a@x (Alice)" names Alice), quoted
 * strings, encoded words in names (decoded after the list is split, so an
 * encoded comma stays in the name), missing commas between "<...>"
 * addresses, empty "<>". value may be NULL. Release with
 * mb_address_list_release().
 */
void mb_address_list_parse(struct mb_address_list *l, const char *value);
void mb_address_list_release(struct mb_address_list *l);

/*
 * A display string: "Alice <a@x>, b@y, \"Doe, John\" <j@x>, team: c@z;".
 * Returns a malloc'd string ("" for an empty list).
 */
char *mb_address_list_format(const struct mb_address_list *l);

/*
 * Just the addr-specs of a field value, for comparing with the SMTP
 * envelope: a malloc'd NULL-terminated array of malloc'd strings (free
 * with mb_strv_free()); empty addr-specs are left out; *n gets the count.
 */
char **mb_address_specs(const char *value, size_t *n);

/* ---- dates -------------------------------------------------------------------------------- */

/*
 * Parse an RFC 5322 date ("Tue, 1 Jul 2003 10:52:37 +0200") and common
 * broken forms (no weekday, 2-digit years, "UT"/"GMT"/"EST"... zones,
 * missing zone = UTC, missing seconds, asctime, ISO 8601 "2003-07-01T10:52:37Z",
 * full month names, a trailing comment) to a Unix time. Returns 0, or -1
 * with *out = 0 when s is NULL or not a date (also hour 27, day 32...).
 */
int mb_date_parse(const char *s, time_t *out);

/* ---- the MIME tree ------------------------------------------------------------------------ */

enum mb_part_kind {
	MB_PART_SINGLE = 0, /* a leaf: its body is content */
	MB_PART_MULTIPART,  /* children are the parts between its delimiters */
	MB_PART_MESSAGE,    /* message/rfc822 or message/global: one child, the message */
	MB_PART_LIMIT,      /* not parsed (limit): too deep, or past MB_MIME_MAX_PARTS */
};

enum mb_cte {
	MB_CTE_7BIT = 0, /* also the default and what unknown encodings are read as */
	MB_CTE_8BIT,
	MB_CTE_BINARY,
	MB_CTE_QP,
	MB_CTE_BASE64,
	MB_CTE_UNKNOWN, /* named but not understood (x-uuencode, "plain"): body used as is */
};

enum mb_part_flags {
	MB_PART_UNCLOSED = 1 << 0,        /* multipart: its close delimiter never came */
	MB_PART_BAD_MULTIPART = 1 << 1,   /* declared multipart, but no usable boundary (missing,
	                                     too long, or the same as an enclosing one): read as
	                                     text/plain */
	MB_PART_ENCODED_MESSAGE = 1 << 2, /* message/rfc822 with base64/QP encoding: a leaf; decode
	                                     it and parse the result to look inside */
	MB_PART_BAD_TYPE = 1 << 3,        /* Content-Type unreadable ("text plain"): default used */
};

struct mb_param {
	char *name;  /* lower case, RFC 2231 sections and '*' removed */
	char *value; /* RFC 2231 values: decoded to UTF-8; others: raw bytes as written */
};

struct mb_mime_part {
	struct mb_mime_part *parent, *child, *next; /* tree links; child = first child */
	size_t nchildren;
	size_t index;   /* position in tree->parts (pre-order, root = 0) */
	unsigned depth; /* root = 0 */
	enum mb_part_kind kind;
	unsigned flags; /* enum mb_part_flags */
	struct mb_headers headers;
	char *type, *subtype;    /* lower case; default text/plain (message/rfc822 in a digest) */
	struct mb_param *params; /* Content-Type parameters */
	size_t nparams;
	char *charset; /* lower-cased "charset" parameter, or NULL */
	enum mb_cte cte;
	char *disposition;        /* lower case "inline"/"attachment"/..., or NULL */
	struct mb_param *dparams; /* Content-Disposition parameters */
	size_t ndparams;
	char *filename;     /* decoded UTF-8 (RFC 2231, RFC 2047, raw 8-bit; filename= then
	                       name=), or NULL; NOT safe as a path: see mb_filename_safe() */
	char *content_id;   /* without the angle brackets, or NULL */
	size_t offset;      /* start of the part's header in the message buffer */
	size_t body_offset; /* start of its body */
	size_t body_len;    /* body bytes; the line end before a delimiter not included */
};

struct mb_mime_tree {
	const char *buf; /* the message buffer (borrowed) */
	size_t len;
	struct mb_mime_part *root;
	struct mb_mime_part **parts; /* all parts, pre-order */
	size_t nparts;
	size_t nskipped; /* parts not created because of MB_MIME_MAX_PARTS */
	bool limited;    /* some limit was reached */
};

/*
 * Walk a message into a tree. Never fails; an empty buffer gives one empty
 * text/plain part. Multiparts follow RFC 2046 with the usual repairs: a
 * delimiter is a line starting with "--boundary" (the longest matching
 * boundary of all open multiparts wins, so an outer delimiter closes inner
 * parts); anything after it on the line (transport padding, junk) is
 * ignored; preamble and epilogue belong to the multipart; a multipart never
 * closed runs to the end. Depth and count are capped at MB_MIME_MAX_DEPTH
 * and MB_MIME_MAX_PARTS. Free with mb_mime_free().
 */
struct mb_mime_tree *mb_mime_parse(const char *buf, size_t len);
void mb_mime_free(struct mb_mime_tree *t);

/* A Content-Type parameter by name (case-insensitive), or NULL. */
const char *mb_mime_part_param(const struct mb_mime_part *p, const char *name);

/* The IMAP-style section number ("1.2"; "" for the root), malloc'd. */
char *mb_mime_part_id(const struct mb_mime_part *p);

/*
 * Is this leaf an attachment? Yes for disposition "attachment"; a file name
 * without disposition "inline"; an inline file that is not text and not a
 * picture of an HTML body (in multipart/related); an attached message
 * (except the entries of a multipart/digest); a non-text leaf without
 * disposition in a multipart other than related/alternative. Never for
 * signatures (application/pgp-signature, application/(x-)pkcs7-signature),
 * multiparts, or MB_PART_LIMIT parts.
 */
bool mb_mime_part_is_attachment(const struct mb_mime_part *p);

/* Append the transfer-decoded body (base64/QP undone) to out; returns its length. */
size_t mb_mime_part_decode(const struct mb_mime_tree *t, const struct mb_mime_part *p,
                           struct mb_buf *out);
/* The decoded size, computed without keeping the bytes. */
size_t mb_mime_part_decoded_size(const struct mb_mime_tree *t, const struct mb_mime_part *p);

/*
 * Append the body as UTF-8 text: transfer-decoded, converted from the
 * part's charset (see mb_charset_to_utf8()), CRLF turned into LF, NUL into
 * U+FFFD. Returns 0, or -1 when the charset was not understood (the
 * fallback text is appended all the same).
 */
int mb_mime_part_text(const struct mb_mime_tree *t, const struct mb_mime_part *p,
                      struct mb_buf *out);

/* ---- HTML and file names ------------------------------------------------------------------ */

/*
 * Readable text from HTML (UTF-8 in, UTF-8 out, malloc'd; *outlen may be
 * NULL): tags stripped, the contents of script, style, title, template and
 * Outlook's xml skipped, comments skipped, entities decoded
 * (&amp; &lt; &gt; &quot; &apos; &nbsp; &#NNN; &#xHH; and common named
 * ones), blanks collapsed outside <pre>, block elements as line breaks,
 * <li> as "- ", <a href="u">t</a> as "t <u>", at most one empty line in a
 * row; attribute values are cut at 4 KB on a character boundary. Invalid
 * UTF-8 in the input is repaired with U+FFFD.
 */
char *mb_html_to_text(const char *html, size_t len, size_t *outlen);

/*
 * A safe base name for saving an attachment: the last path component that
 * is not "." or ".." ('/' and '\' both separate), without control, bidi or
 * zero-width characters (mb_cp_hidden()), leading or trailing dots and
 * blanks, or ".." anywhere; " * : < > ? | and invalid UTF-8 become '_', a
 * leading '-' becomes '_' (no option to a shell command); at most 200 bytes
 * with the extension (up to 16 bytes) kept. An empty result becomes
 * "attachment-N" + an extension guessed from content_type ("image/png" ->
 * ".png", else ".bin"). name and content_type may be NULL. Returns a
 * malloc'd string. Opening it with O_EXCL|O_NOFOLLOW is the caller's part.
 */
char *mb_filename_safe(const char *name, const char *content_type, unsigned n);

/* ---- summary and delivery trace ----------------------------------------------------------- */

struct mb_received {
	char *raw;                                /* the unfolded value */
	char *from, *by, *via, *with, *id, *for_; /* clauses, NULL when absent */
	time_t date; /* after the last ';', 0 when absent or unreadable */
};

struct mb_trace {
	char *return_path;   /* addr-spec of the first Return-Path ("" for <>), or NULL */
	char **delivered_to; /* every Delivered-To value, in order */
	size_t ndelivered_to;
	struct mb_received *received; /* every Received field, top (newest) first */
	size_t nreceived;
	char **auth_results; /* every Authentication-Results value (unfolded) */
	size_t nauth_results;
};

/* Extract the trace fields of a header block; release with mb_trace_release(). */
void mb_trace_parse(struct mb_trace *tr, const struct mb_headers *h);
void mb_trace_release(struct mb_trace *tr);
/* Parse one Received value into r; release with mb_received_release(). */
void mb_received_parse(struct mb_received *r, const char *value);
void mb_received_release(struct mb_received *r);

/*
 * What the cache keeps of a message. Every string is UTF-8; those below are
 * never NULL (the trace's may be, as said there). Message-ID, In-Reply-To, References, the raw date
 * and the trace strings are raw header text made UTF-8 by the raw-header rule (UTF-8 when valid,
 * else Windows-1252).
 */
struct mb_summary {
	char *subject;   /* decoded, "" when absent */
	char *from;      /* display strings (mb_address_list_format()), "" when absent */
	char *from_addr; /* the first From addr-spec, "" when absent */
	char *to, *cc, *reply_to;
	time_t date;       /* 0 when absent or unreadable */
	char *date_raw;    /* the Date value as written, "" when absent */
	char *message_id;  /* "<id@host>" or the raw value, "" when absent */
	char *in_reply_to; /* the first message id, "" when absent */
	char *references;  /* message ids separated by one space, "" when absent */
	bool has_attachments;
	size_t nattachments;
	char *body_text; /* the text for full-text search (UTF-8, LF line ends) */
	size_t body_len;
	bool body_truncated; /* cut at MB_SUMMARY_MAX_TEXT */
	struct mb_trace trace;
};

/*
 * Summarise a raw message. The body text joins, in message order and
 * separated by an empty line, every text/plain and text/html leaf whose
 * disposition is not "attachment" (HTML converted with mb_html_to_text()),
 * taking one child of each multipart/alternative (a non-empty text/plain
 * child, else a multipart child, else the HTML one) and walking into
 * attached messages; a multipart whose boundary never occurs counts as
 * text; base64-encoded message/rfc822 parts are not opened.
 * Never fails.
 */
void mb_summary_parse(struct mb_summary *s, const char *buf, size_t len);
void mb_summary_release(struct mb_summary *s);

#endif
