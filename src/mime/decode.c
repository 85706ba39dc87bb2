/*
 * decode.c: the transfer decoders, quoted-printable (RFC 2045 6.7) and base64 (6.8).
 *
 * Both are tolerant, as receivers should be: they never reject input,
 * never read past it, and write at most as many bytes as they read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/base64.h"
#include "mailbench/mime.h"
#include "private.h"

/* Reserve room for n bytes and return where to write them (NULL when only counting). */
static char *
reserve(struct mb_buf *out, size_t n)
{
	if (out == NULL)
		return NULL;
	mb_buf_grow(out, n);
	return out->data + out->len;
}

/* Account for n bytes written at the position reserve() returned. */
static void
commit(struct mb_buf *out, size_t n)
{
	if (out == NULL)
		return;
	out->len += n;
	out->data[out->len] = '\0';
}

#define PUT(ch)                            \
	do {                               \
		if (w != NULL)             \
			w[n] = (char)(ch); \
		n++;                       \
	} while (0)

size_t
mb_qp_decode(struct mb_buf *out, const char *in, size_t len)
{
	char *w;
	size_t n = 0, ls = 0, le, ce, te, i;
	int hi, lo;
	bool soft;

	if (in == NULL || len == 0)
		return 0;
	w = reserve(out, len);
	while (ls < len) {
		const char *nl = memchr(in + ls, '\n', len - ls);

		le = nl != NULL ? (size_t)(nl - in) : len;
		ce = le > ls && in[le - 1] == '\r' ? le - 1 : le;
		te = ce;
		while (te > ls && mime_is_wsp(in[te - 1]))
			te--;
		soft = te > ls && in[te - 1] == '=';
		if (soft)
			te--;
		for (i = ls; i < te; i++) {
			if (in[i] == '=' && i + 2 < te &&
			    (hi = mime_hexval((unsigned char)in[i + 1])) >= 0 &&
			    (lo = mime_hexval((unsigned char)in[i + 2])) >= 0) {
				PUT(hi << 4 | lo);
				i += 2;
			} else {
				PUT(in[i]);
			}
		}
		if (!soft && nl != NULL) {
			for (i = ce; i <= le; i++)
				PUT(in[i]);
		}
		ls = nl != NULL ? le + 1 : len;
	}
	commit(out, n);
	return n;
}

size_t
mb_base64_decode(struct mb_buf *out, const char *in, size_t len)
{
	char *w;
	size_t n = 0, i;
	unsigned acc = 0, bits = 0;
	int v;

	if (in == NULL || len == 0)
		return 0;
	w = reserve(out, len / 4 * 3 + 3);
	for (i = 0; i < len; i++) {
		if (in[i] == '=') {
			acc = bits = 0;
			continue;
		}
		if ((v = mb_b64_digit((unsigned char)in[i], '/')) < 0)
			continue;
		acc = (acc << 6 | (unsigned)v) & 0xFFFFFF;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			PUT((acc >> bits) & 0xFF);
		}
	}
	commit(out, n);
	return n;
}

int
mime_base64_strict(struct mb_buf *out, const char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (in[i] != '=' && mb_b64_digit((unsigned char)in[i], '/') < 0)
			return -1;
	}
	mb_base64_decode(out, in, len);
	return 0;
}
