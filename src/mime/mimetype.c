/*
 * mimetype.c: a MIME type for an attachment, from its first bytes (the
 * signatures of common formats) and else from its name's extension.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "mailbench/addr.h"
#include "mailbench/compose.h"

static const struct {
	const char *magic;
	size_t len;
	const char *type;
} magics[] = {
        {"%PDF-", 5, "application/pdf"},
        {"\x89PNG\r\n\x1a\n", 8, "image/png"},
        {"\xff\xd8\xff", 3, "image/jpeg"},
        {"GIF87a", 6, "image/gif"},
        {"GIF89a", 6, "image/gif"},
        {"\x1f\x8b", 2, "application/gzip"},
        {"BZh", 3, "application/x-bzip2"},
        {"\xfd"
         "7zXZ",
         6, "application/x-xz"},
        {"7z\xbc\xaf\x27\x1c", 6, "application/x-7z-compressed"},
        {"RIFF", 4, NULL}, /* WAVE or WEBP: decided by the name */
        {"OggS", 4, "audio/ogg"},
        {"ID3", 3, "audio/mpeg"},
        {"\x7f"
         "ELF",
         4, "application/octet-stream"},
};

static const struct {
	const char *ext;
	const char *type;
} exts[] = {
        {"txt", "text/plain"},
        {"text", "text/plain"},
        {"log", "text/plain"},
        {"md", "text/markdown"},
        {"csv", "text/csv"},
        {"tsv", "text/tab-separated-values"},
        {"html", "text/html"},
        {"htm", "text/html"},
        {"css", "text/css"},
        {"c", "text/x-c"},
        {"h", "text/x-c"},
        {"py", "text/x-python"},
        {"sh", "application/x-sh"},
        {"json", "application/json"},
        {"xml", "application/xml"},
        {"pdf", "application/pdf"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"svg", "image/svg+xml"},
        {"webp", "image/webp"},
        {"ico", "image/vnd.microsoft.icon"},
        {"zip", "application/zip"},
        {"gz", "application/gzip"},
        {"tgz", "application/gzip"},
        {"tar", "application/x-tar"},
        {"bz2", "application/x-bzip2"},
        {"xz", "application/x-xz"},
        {"7z", "application/x-7z-compressed"},
        {"doc", "application/msword"},
        {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"xls", "application/vnd.ms-excel"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"ppt", "application/vnd.ms-powerpoint"},
        {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
        {"odt", "application/vnd.oasis.opendocument.text"},
        {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
        {"mp3", "audio/mpeg"},
        {"wav", "audio/wav"},
        {"ogg", "audio/ogg"},
        {"mp4", "video/mp4"},
        {"ics", "text/calendar"},
        {"vcf", "text/vcard"},
        {"pem", "application/x-pem-file"},
};

/* Printable UTF-8 text with ordinary controls only? */
static bool
looks_like_text(const unsigned char *p, size_t len)
{
	size_t i = 0, n;

	if (len == 0)
		return false;
	while (i < len) {
		if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t' && p[i] != '\f')
			return false;
		if (p[i] == 0x7f)
			return false;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		/* a sequence cut by the sample's end is fine */
		if (len - i < 4) {
			unsigned char tmp[4] = {0};

			memcpy(tmp, p + i, len - i);
			if (mb_utf8_seq_len(tmp) == 0 && (tmp[0] & 0xC0) != 0xC0)
				return false;
			return true;
		}
		if ((n = mb_utf8_seq_len(p + i)) == 0)
			return false;
		i += n;
	}
	return true;
}

const char *
mb_guess_mime_type(const char *name, const unsigned char *head, size_t len)
{
	const char *dot = name ? strrchr(name, '.') : NULL;
	size_t i;

	for (i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (len >= magics[i].len && memcmp(head, magics[i].magic, magics[i].len) == 0 &&
		    magics[i].type != NULL)
			return magics[i].type;
	if (len >= 4 && memcmp(head, "PK\x03\x04", 4) == 0) {
		/* zip, or an office document: the name tells */
		if (dot != NULL)
			for (i = 0; i < sizeof exts / sizeof exts[0]; i++)
				if (strcasecmp(dot + 1, exts[i].ext) == 0)
					return exts[i].type;
		return "application/zip";
	}
	if (dot != NULL && dot[1] != '\0')
		for (i = 0; i < sizeof exts / sizeof exts[0]; i++)
			if (strcasecmp(dot + 1, exts[i].ext) == 0)
				return exts[i].type;
	if (looks_like_text(head, len))
		return "text/plain";
	return "application/octet-stream";
}
