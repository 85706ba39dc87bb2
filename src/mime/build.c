/*
 * build.c: a draft becomes the exact bytes of a message (see compose.h).
 *
 * The output is 7-bit clean whatever the server offers (the outbox stores
 * it before any connection exists): UTF-8 text travels quoted-printable,
 * attachments base64, names and subjects as RFC 2047 encoded words. Bcc
 * recipients go into the envelope only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailbench/addr.h"
#include "mailbench/base64.h"
#include "mailbench/compose.h"
#include "mailbench/xalloc.h"
#include "mime/compose_private.h"

#define ATTACH_MAX (64 * 1024 * 1024)

static void
random_hex(char *out, size_t nbytes)
{
	unsigned char r[32];
	size_t i;

	if (nbytes > sizeof r)
		nbytes = sizeof r;
	if (getrandom(r, nbytes, 0) != (ssize_t)nbytes) {
		/* no entropy source: time and pid still make an id unique enough */
		for (i = 0; i < nbytes; i++)
			r[i] = (unsigned char)((unsigned long)time(NULL) >> (i % 4 * 8) ^
			                       (unsigned)getpid() ^ i * 31);
	}
	for (i = 0; i < nbytes; i++)
		sprintf(out + 2 * i, "%02x", r[i]);
}

/* --- address headers --- */

static bool
phrase_needs_quotes(const char *s)
{
	for (; *s; s++)
		if (strchr("()<>[]:;@\\,.\"", *s) != NULL)
			return true;
	return false;
}

/* "Name <addr>" with the name encoded or quoted as needed. */
static void
format_address(struct mb_buf *b, const struct mb_caddr *a)
{
	int col = 0;
	const char *s;

	if (a->name == NULL || a->name[0] == '\0') {
		mb_buf_addstr(b, a->addr);
		return;
	}
	if (mb_compose_needs_encoding(a->name)) {
		mb_rfc2047_encode(b, a->name, &col);
	} else if (phrase_needs_quotes(a->name)) {
		mb_buf_addch(b, '"');
		for (s = a->name; *s; s++) {
			if (*s == '"' || *s == '\\')
				mb_buf_addch(b, '\\');
			mb_buf_addch(b, *s);
		}
		mb_buf_addch(b, '"');
	} else
		mb_buf_addstr(b, a->name);
	mb_buf_addf(b, " <%s>", a->addr);
}

static void
address_header(struct mb_buf *out, const char *name, const struct mb_caddr_list *l)
{
	struct mb_buf one = MB_BUF_INIT;
	int col;
	size_t i;

	if (l->n == 0)
		return;
	mb_buf_addf(out, "%s: ", name);
	col = (int)strlen(name) + 2;
	for (i = 0; i < l->n; i++) {
		const char *nl;

		mb_buf_reset(&one);
		format_address(&one, &l->v[i]);
		if (i > 0) {
			mb_buf_addch(out, ',');
			col++;
			if (col + 1 + (int)one.len > 78) {
				mb_buf_add(out, "\r\n ", 3);
				col = 1;
			} else {
				mb_buf_addch(out, ' ');
				col++;
			}
		}
		mb_buf_add(out, one.data, one.len);
		nl = strrchr(one.data, '\n');
		col = nl ? (int)(one.len - (size_t)(nl + 1 - one.data)) : col + (int)one.len;
	}
	mb_buf_add(out, "\r\n", 2);
	mb_buf_release(&one);
}

/* --- parts --- */

/* Can the text go as it is (7bit): ASCII, no NUL or bare CR, lines <= 998? */
static bool
is_7bit_clean(const char *p, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x80 || c == 0)
			return false;
		if (c == '\r' && !(i + 1 < len && p[i + 1] == '\n'))
			return false;
		if (c == '\n') {
			run = 0;
			continue;
		}
		if (++run > 998)
			return false;
	}
	return true;
}

/* Copy text with every line end made CRLF, ending with one. */
static void
add_crlf_text(struct mb_buf *out, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
			continue;
		if (p[i] == '\n' || p[i] == '\r')
			mb_buf_add(out, "\r\n", 2);
		else
			mb_buf_addch(out, p[i]);
	}
	if (len == 0 || (p[len - 1] != '\n' && p[len - 1] != '\r'))
		mb_buf_add(out, "\r\n", 2);
}

static void
text_part(struct mb_buf *out, const char *subtype, const char *text, size_t len)
{
	if (is_7bit_clean(text, len)) {
		mb_buf_addf(out,
		            "Content-Type: text/%s; charset=utf-8\r\n"
		            "Content-Transfer-Encoding: 7bit\r\n\r\n",
		            subtype);
		add_crlf_text(out, text, len);
	} else {
		mb_buf_addf(out,
		            "Content-Type: text/%s; charset=utf-8\r\n"
		            "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
		            subtype);
		mb_qp_encode(text, len, out);
		if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
			mb_buf_add(out, "\r\n", 2);
	}
}

static int
read_file(const char *path, struct mb_buf *out, struct mb_error *err)
{
	char tmp[65536];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return mb_error_set(err, MB_ERR_IO, "cannot attach '%s': %s", path,
		                    strerror(errno));
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		close(fd);
		return mb_error_set(err, MB_ERR_IO, "cannot attach '%s': not a regular file", path);
	}
	while ((n = read(fd, tmp, sizeof tmp)) > 0) {
		if (out->len + (size_t)n > ATTACH_MAX) {
			close(fd);
			return mb_error_set(
			        err, MB_ERR_TOOBIG,
			        "cannot attach '%s': larger than mailbench's limit of %d "
			        "MiB",
			        path, ATTACH_MAX / (1024 * 1024));
		}
		mb_buf_add(out, tmp, (size_t)n);
	}
	if (n < 0) {
		int e = errno;

		close(fd);
		return mb_error_set(err, MB_ERR_IO, "cannot attach '%s': %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

static int
attachment_part(struct mb_buf *out, const struct mb_attachment *a, struct mb_error *err)
{
	struct mb_buf data = MB_BUF_INIT;
	const char *name = a->name, *type = a->mime_type, *slash;

	if (name == NULL) {
		slash = strrchr(a->path, '/');
		name = slash ? slash + 1 : a->path;
	}
	if (name[0] == '\0' || strpbrk(name, "\r\n") != NULL)
		return mb_error_set(
		        err, MB_ERR_INPUT,
		        "cannot attach '%s': the file name is empty or holds a line break",
		        a->path);
	if (type != NULL && (strpbrk(type, "\r\n;\" ") != NULL || strchr(type, '/') == NULL))
		return mb_error_set(err, MB_ERR_INPUT, "invalid MIME type for '%s'", a->path);
	if (read_file(a->path, &data, err) < 0) {
		mb_buf_release(&data);
		return -1;
	}
	if (type == NULL)
		type = mb_guess_mime_type(name, (const unsigned char *)data.data,
		                          data.len < 4096 ? data.len : 4096);
	mb_buf_addf(out, "Content-Type: %s", type);
	mb_compose_param(out, "name", name);
	mb_buf_addstr(out, "\r\nContent-Disposition: attachment");
	mb_compose_param(out, "filename", name);
	mb_buf_addstr(out, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	mb_base64_encode(data.data, data.len, 76, out);
	mb_buf_add(out, "\r\n", 2);
	mb_buf_release(&data);
	return 0;
}

/* The body: text, text+HTML alternative, and attachments around them. */
static int
body_parts(const struct mb_draft *d, struct mb_buf *out, struct mb_error *err)
{
	char balt[40], bmix[40];
	const char *body = d->body ? d->body : "";
	size_t blen = d->body_len ? d->body_len : strlen(body), i;
	struct mb_buf alt = MB_BUF_INIT;

	if (d->html != NULL) {
		random_hex(balt + 5, 16);
		memcpy(balt, "=_mb_", 5);
		mb_buf_addf(&alt,
		            "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n"
		            "--%s\r\n",
		            balt, balt);
		text_part(&alt, "plain", body, blen);
		mb_buf_addf(&alt, "--%s\r\n", balt);
		text_part(&alt, "html", d->html, strlen(d->html));
		mb_buf_addf(&alt, "--%s--\r\n", balt);
	} else
		text_part(&alt, "plain", body, blen);

	if (d->nattachments == 0) {
		mb_buf_add(out, alt.data, alt.len);
		mb_buf_release(&alt);
		return 0;
	}
	random_hex(bmix + 5, 16);
	memcpy(bmix, "=_mb_", 5);
	mb_buf_addf(out,
	            "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
	            "This is a MIME message with attachments.\r\n"
	            "--%s\r\n",
	            bmix, bmix);
	mb_buf_add(out, alt.data, alt.len);
	mb_buf_release(&alt);
	for (i = 0; i < d->nattachments; i++) {
		mb_buf_addf(out, "--%s\r\n", bmix);
		if (attachment_part(out, &d->attachments[i], err) < 0)
			return -1;
	}
	mb_buf_addf(out, "--%s--\r\n", bmix);
	return 0;
}

/* --- the message --- */

static int
check_fields(const struct mb_draft *d, struct mb_error *err)
{
	size_t i;

	if (mb_compose_check_field("From", d->from, err) < 0 ||
	    mb_compose_check_field("To", d->to, err) < 0 ||
	    mb_compose_check_field("Cc", d->cc, err) < 0 ||
	    mb_compose_check_field("Bcc", d->bcc, err) < 0 ||
	    mb_compose_check_field("Reply-To", d->reply_to, err) < 0 ||
	    mb_compose_check_field("Subject", d->subject, err) < 0 ||
	    mb_compose_check_field("In-Reply-To", d->in_reply_to, err) < 0 ||
	    mb_compose_check_field("References", d->references, err) < 0 ||
	    mb_compose_check_field("Message-ID", d->message_id, err) < 0 ||
	    mb_compose_check_field("User-Agent", d->user_agent, err) < 0 ||
	    mb_compose_check_field("envelope sender", d->env_from, err) < 0)
		return -1;
	for (i = 0; i < d->nenv_to; i++)
		if (mb_compose_check_field("envelope recipient", d->env_to[i], err) < 0)
			return -1;
	return 0;
}

static void
add_rcpt(struct mb_built *m, const char *addr)
{
	size_t i;

	for (i = 0; i < m->nrcpts; i++)
		if (strcmp(m->rcpts[i], addr) == 0)
			return;
	m->rcpts = xreallocarray(m->rcpts, m->nrcpts + 1, sizeof *m->rcpts);
	m->rcpts[m->nrcpts++] = xstrdup(addr);
}

static int
envelope(const struct mb_draft *d, struct mb_built *m, struct mb_error *err)
{
	size_t i;

	if (d->env_from != NULL) {
		if (mb_addr_check(d->env_from, true, true, err) < 0)
			return mb_error_prefix(err, "envelope sender");
		m->env_from = xstrdup(d->env_from);
	} else
		m->env_from = xstrdup(m->from.v[0].addr);
	if (d->nenv_to > 0) {
		for (i = 0; i < d->nenv_to; i++) {
			if (mb_addr_check(d->env_to[i], false, true, err) < 0)
				return mb_error_prefix(err, "envelope recipient");
			add_rcpt(m, d->env_to[i]);
		}
		return 0;
	}
	for (i = 0; i < m->to.n; i++)
		add_rcpt(m, m->to.v[i].addr);
	for (i = 0; i < m->cc.n; i++)
		add_rcpt(m, m->cc.v[i].addr);
	for (i = 0; i < m->bcc.n; i++)
		add_rcpt(m, m->bcc.v[i].addr);
	if (m->nrcpts == 0)
		return mb_error_set(err, MB_ERR_INPUT, "no recipients: give To, Cc or Bcc");
	return 0;
}

static void
date_header(struct mb_buf *out, time_t t)
{
	struct tm tm;
	char buf[64];

	localtime_r(&t, &tm);
	/* RFC 5322 3.3: English names whatever the locale */
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	long off = tm.tm_gmtoff / 60;

	snprintf(buf, sizeof buf, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday],
	         tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	mb_buf_addf(out, "Date: %s\r\n", buf);
}

int
mb_compose_build(const struct mb_draft *d, struct mb_built *m, struct mb_error *err)
{
	struct mb_buf out = MB_BUF_INIT;
	const char *at;
	char rnd[40];

	memset(m, 0, sizeof *m);
	if (d->from == NULL || d->from[0] == '\0')
		return mb_error_set(err, MB_ERR_INPUT, "no From address");
	if (check_fields(d, err) < 0)
		return -1;
	if (mb_caddr_list_parse(d->from, &m->from, err) < 0)
		goto fail_prefix_from;
	if (m->from.n != 1) {
		mb_error_set(err, MB_ERR_INPUT, "From must hold exactly one address");
		goto fail;
	}
	if (mb_caddr_list_parse(d->to, &m->to, err) < 0 && mb_error_prefix(err, "To"))
		goto fail;
	if (mb_caddr_list_parse(d->cc, &m->cc, err) < 0 && mb_error_prefix(err, "Cc"))
		goto fail;
	if (mb_caddr_list_parse(d->bcc, &m->bcc, err) < 0 && mb_error_prefix(err, "Bcc"))
		goto fail;
	if (envelope(d, m, err) < 0)
		goto fail;

	if (d->message_id != NULL)
		m->message_id = xstrdup(d->message_id);
	else {
		at = strrchr(m->from.v[0].addr, '@');
		random_hex(rnd, 16);
		m->message_id = xasprintf("<%s@%s>", rnd, at ? at + 1 : "mailbench.invalid");
	}

	date_header(&out, d->date ? d->date : time(NULL));
	address_header(&out, "From", &m->from);
	if (d->reply_to != NULL) {
		struct mb_caddr_list rt;

		if (mb_caddr_list_parse(d->reply_to, &rt, err) < 0 &&
		    mb_error_prefix(err, "Reply-To"))
			goto fail;
		address_header(&out, "Reply-To", &rt);
		mb_caddr_list_release(&rt);
	}
	address_header(&out, "To", &m->to);
	address_header(&out, "Cc", &m->cc);
	/* Bcc: never in the message; the envelope carries it */
	if (d->subject != NULL)
		mb_compose_header(&out, "Subject", d->subject);
	mb_buf_addf(&out, "Message-ID: %s\r\n", m->message_id);
	if (d->in_reply_to != NULL)
		mb_compose_header(&out, "In-Reply-To", d->in_reply_to);
	if (d->references != NULL)
		mb_compose_header(&out, "References", d->references);
	mb_compose_header(&out, "User-Agent",
	                  d->user_agent ? d->user_agent : "mailbench/" PACKAGE_VERSION);
	mb_buf_addstr(&out, "MIME-Version: 1.0\r\n");
	if (body_parts(d, &out, err) < 0)
		goto fail;
	m->data = mb_buf_detach(&out, &m->len);
	return 0;

fail_prefix_from:
	mb_error_prefix(err, "From");
fail:
	mb_buf_release(&out);
	mb_built_release(m);
	return -1;
}

void
mb_built_release(struct mb_built *m)
{
	size_t i;

	free(m->data);
	free(m->env_from);
	for (i = 0; i < m->nrcpts; i++)
		free(m->rcpts[i]);
	free(m->rcpts);
	free(m->message_id);
	mb_caddr_list_release(&m->from);
	mb_caddr_list_release(&m->to);
	mb_caddr_list_release(&m->cc);
	mb_caddr_list_release(&m->bcc);
	memset(m, 0, sizeof *m);
}
