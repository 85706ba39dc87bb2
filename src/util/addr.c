/*
 * addr.c: is an address safe and well-formed enough to go on the wire?
 * Checked by mailbench itself: libetpan writes envelope addresses into
 * commands unchecked, so "a@b>\r\nRCPT TO:<victim@x" would inject a command.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mailbench/addr.h"

/* Quote an address for a message: control characters as \r, \n, \xNN. */
static void
quote_addr(const char *addr, char *out, size_t outlen)
{
	size_t o = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)addr; *p && o + 5 < outlen; p++) {
		if (*p == '\r')
			o += (size_t)snprintf(out + o, outlen - o, "\\r");
		else if (*p == '\n')
			o += (size_t)snprintf(out + o, outlen - o, "\\n");
		else if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02X", *p);
		else
			out[o++] = (char)*p;
	}
	if (*p)
		o += (size_t)snprintf(out + o, outlen - o, "...");
	out[o < outlen ? o : outlen - 1] = '\0';
}

unsigned
mb_utf8_seq_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF && (p[1] & 0xC0) == 0x80)
		return 2;
	if (p[0] >= 0xE0 && p[0] <= 0xEF && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
		if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F))
			return 0;
		return 3;
	}
	if (p[0] >= 0xF0 && p[0] <= 0xF4 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
	    (p[3] & 0xC0) == 0x80) {
		if ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

static int
bad(struct mb_error *err, const char *addr, const char *why)
{
	char q[200];

	quote_addr(addr, q, sizeof q);
	return mb_error_set(err, MB_ERR_INPUT, "invalid address '%s': %s", q, why);
}

int
mb_addr_check(const char *addr, bool allow_null, bool utf8, struct mb_error *err)
{
	const unsigned char *p, *at = NULL;
	size_t len, local_len, dom_len, n;
	bool quoted = false, prev_dot = true;

	if (addr == NULL)
		return mb_error_set(err, MB_ERR_INPUT, "missing address");
	len = strlen(addr);
	if (len == 0)
		return allow_null
		               ? 0
		               : bad(err, addr, "empty (the null sender <> is only for MAIL FROM)");
	for (p = (const unsigned char *)addr; *p; p++) {
		if (*p == '\r' || *p == '\n')
			return bad(err, addr, "contains a line break (CR or LF)");
		if (*p < 0x20 || *p == 0x7f)
			return bad(err, addr, "contains a control character");
		if (*p == '<' || *p == '>')
			return bad(err, addr, "contains '<' or '>' (give the bare address)");
		if (*p >= 0x80) {
			if (!utf8)
				return bad(err, addr,
				           "contains non-ASCII characters, which need SMTPUTF8");
			if ((n = mb_utf8_seq_len(p)) == 0)
				return bad(err, addr, "is not valid UTF-8");
			p += n - 1;
			continue;
		}
		if (*p == '"' && (p == (const unsigned char *)addr || quoted)) {
			quoted = !quoted;
			continue;
		}
		if (*p == '\\' && quoted && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == ' ' && !quoted)
			return bad(err, addr, "contains a space");
		if (*p == '@' && !quoted)
			at = p;
	}
	if (quoted)
		return bad(err, addr, "has an unterminated quote");
	if (at == NULL)
		return bad(err, addr, "has no '@domain'");
	local_len = (size_t)(at - (const unsigned char *)addr);
	dom_len = len - local_len - 1;
	if (local_len == 0)
		return bad(err, addr, "has an empty local part");
	if (local_len > 64)
		return bad(err, addr, "local part longer than 64 octets (RFC 5321 4.5.3.1.1)");
	if (dom_len == 0)
		return bad(err, addr, "has an empty domain");
	if (dom_len > 255)
		return bad(err, addr, "domain longer than 255 octets (RFC 5321 4.5.3.1.2)");
	if (len + 2 > 256)
		return bad(err, addr, "longer than 256 octets with its <> (RFC 5321 4.5.3.1.3)");
	if (at[1] == '[') {
		if (addr[len - 1] != ']')
			return bad(err, addr, "has an unterminated address literal");
		return 0;
	}
	for (p = at + 1; *p; p++) {
		if (*p == '.') {
			if (prev_dot)
				return bad(err, addr, "has an empty label in its domain");
			prev_dot = true;
			continue;
		}
		prev_dot = false;
		if (*p >= 0x80)
			continue; /* UTF-8, checked above */
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return bad(err, addr, "has a character not allowed in a domain");
	}
	if (prev_dot)
		return bad(err, addr, "ends its domain with a dot");
	return 0;
}
