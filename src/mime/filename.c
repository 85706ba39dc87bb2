/*
 * filename.c: turn an attachment's declared file name into a safe base name.
 *
 * The declared name is hostile input (path traversal, hidden dot files,
 * RLO tricks that disguise ".exe"): only its last path component survives,
 * stripped of every character that could hide, reorder or escape, and
 * never empty, "." or "..". Opening the file without following links and
 * without overwriting (O_EXCL|O_NOFOLLOW) is the caller's part.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/mime.h"
#include "mailbench/sanitize.h"
#include "mailbench/xalloc.h"
#include "private.h"

#define NAME_MAX_BYTES 200
#define EXT_MAX_BYTES  16

static const struct {
	const char *type;
	const char *ext;
} exts[] = {
        {"text/plain", ".txt"},
        {"text/html", ".html"},
        {"text/calendar", ".ics"},
        {"text/csv", ".csv"},
        {"text/xml", ".xml"},
        {"image/png", ".png"},
        {"image/jpeg", ".jpg"},
        {"image/gif", ".gif"},
        {"image/webp", ".webp"},
        {"image/svg+xml", ".svg"},
        {"application/pdf", ".pdf"},
        {"application/zip", ".zip"},
        {"application/gzip", ".gz"},
        {"application/json", ".json"},
        {"application/xml", ".xml"},
        {"application/pgp-signature", ".asc"},
        {"application/pkcs7-signature", ".p7s"},
        {"application/msword", ".doc"},
        {"message/rfc822", ".eml"},
        {"audio/mpeg", ".mp3"},
        {"video/mp4", ".mp4"},
};

/* The extension for a content type ("image/png; x=y" -> ".png"), ".bin" when unknown. */
static const char *
type_ext(const char *ct)
{
	size_t n, i;

	if (ct == NULL)
		return ".bin";
	while (mime_is_space((unsigned char)*ct))
		ct++;
	for (n = 0; ct[n] != '\0' && ct[n] != ';' && !mime_is_space((unsigned char)ct[n]); n++)
		;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (mime_eq(ct, n, exts[i].type))
			return exts[i].ext;
	}
	return ".bin";
}

/* The last path component of s[0..len) that is not empty, "." or "..". */
static const char *
last_component(const char *s, size_t len, size_t *n)
{
	size_t end = len, start;

	while (end > 0) {
		start = end;
		while (start > 0 && s[start - 1] != '/' && s[start - 1] != '\\')
			start--;
		*n = end - start;
		if (*n > 0 && !(*n == 1 && s[start] == '.') &&
		    !(*n == 2 && s[start] == '.' && s[start + 1] == '.'))
			return s + start;
		end = start > 0 ? start - 1 : 0;
	}
	*n = 0;
	return s;
}

/* Keep the characters that are safe in a file name shown and used on Unix. */
static void
filter(struct mb_buf *out, const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = mb_utf8_next(s + i, len - i, &cp);
		if (cp == MB_UTF8_INVALID || cp < 0x20 || cp == 0x7F || mb_cp_hidden(cp)) {
			/* dropped */
		} else if (cp == 0xFFFD || strchr("\"*:<>?|", (int)cp) != NULL) {
			mb_buf_addch(out, '_');
		} else if (cp == '.' && out->len > 0 && out->data[out->len - 1] == '.') {
			/* no ".." anywhere */
		} else {
			mb_buf_add(out, s + i, n);
		}
		i += n;
	}
}

/* Cut b to at most max bytes, keeping a short extension and whole characters. */
static void
cap_length(struct mb_buf *b, size_t max)
{
	const char *dot = strrchr(b->data, '.');
	size_t extlen = dot != NULL ? b->len - (size_t)(dot - b->data) : 0, keep;
	char *ext;

	if (b->len <= max)
		return;
	if (extlen > EXT_MAX_BYTES || extlen == b->len)
		extlen = 0;
	ext = xmemdup0(b->data + b->len - extlen, extlen);
	keep = max - extlen;
	/* back up to a character boundary */
	while (keep > 0 && ((unsigned char)b->data[keep] & 0xC0) == 0x80)
		keep--;
	mb_buf_truncate(b, keep);
	while (b->len > 0 && (b->data[b->len - 1] == '.' || b->data[b->len - 1] == ' '))
		mb_buf_truncate(b, b->len - 1);
	mb_buf_addstr(b, ext);
	free(ext);
}

char *
mb_filename_safe(const char *name, const char *content_type, unsigned n)
{
	struct mb_buf rep = MB_BUF_INIT, out = MB_BUF_INIT;
	const char *c;
	size_t clen, skip = 0;

	if (name != NULL)
		mb_utf8_repair_add(&rep, name, strlen(name));
	c = last_component(rep.data, rep.len, &clen);
	filter(&out, c, clen);
	mb_buf_release(&rep);
	/* no leading dots or blanks, no trailing ones either */
	while (skip < out.len && (out.data[skip] == '.' || out.data[skip] == ' '))
		skip++;
	mb_buf_consume(&out, skip);
	while (out.len > 0 && (out.data[out.len - 1] == '.' || out.data[out.len - 1] == ' '))
		mb_buf_truncate(&out, out.len - 1);
	if (out.len > 0 && out.data[0] == '-')
		out.data[0] = '_'; /* not an option to a shell command */
	cap_length(&out, NAME_MAX_BYTES);
	if (out.len == 0)
		mb_buf_addf(&out, "attachment-%u%s", n, type_ext(content_type));
	return mb_buf_detach(&out, NULL);
}
