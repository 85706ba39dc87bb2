/*
 * date.c: dates in mail (RFC 5322 section 3.3 and what mailers really send) to Unix time.
 *
 * ISO 8601 ("2003-07-01T10:52:37Z") is recognised by its shape; anything
 * else is read as a sequence of tokens in any reasonable order: a month
 * name, a day, a year, a time "HH:MM[:SS]" (or with dots), a zone
 * ("+0200", "-05:00", "GMT", "EST", ...). Weekdays, comments and unknown
 * words are ignored; values out of range (hour 27, 31 February) fail.
 * The result is computed without the C library's time zone machinery.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbench/mime.h"
#include "private.h"

struct dt {
	int year, mon, day, hh, mm, ss;
	long zone; /* seconds east of UTC */
	bool have_time;
};

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

static const struct {
	const char *name;
	int hours;
} zones[] = {
        {"ut", 0},   {"utc", 0},  {"gmt", 0},  {"z", 0},    {"est", -5}, {"edt", -4},
        {"cst", -6}, {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7},
        {"cet", 1},  {"cest", 2}, {"met", 1},  {"mest", 2}, {"eet", 2},  {"eest", 3},
        {"bst", 1},  {"jst", 9},  {"kst", 9},  {"hkt", 8},  {"wet", 0},  {"west", 1},
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* Read up to max digits at s[*i]; -1 when there is none. */
static int
num(const char *s, size_t *i, int max, int *ndigits)
{
	int v = 0, n = 0;

	while (n < max && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	if (ndigits != NULL)
		*ndigits = n;
	return n > 0 ? v : -1;
}

/* "+0200", "-05:00", "+02": the offset in seconds, or false. */
static bool
zone_offset(const char *s, size_t *i, long *zone)
{
	size_t j = *i + 1;
	int hh, mm = 0, nd;

	hh = num(s, &j, 2, &nd);
	if (nd != 2)
		return false;
	if (s[j] == ':')
		j++;
	if (s[j] >= '0' && s[j] <= '9') {
		mm = num(s, &j, 2, &nd);
		if (nd != 2)
			return false;
	}
	if (hh > 23 || mm > 59)
		return false;
	*zone = (hh * 3600L + mm * 60L) * (s[*i] == '-' ? -1 : 1);
	*i = j;
	return true;
}

/* "HH:MM[:SS]" or with dots, at s[*i]. */
static bool
clock_at(const char *s, size_t *i, struct dt *d)
{
	size_t j = *i;
	char sep;

	d->hh = num(s, &j, 2, NULL);
	sep = s[j];
	if (d->hh < 0 || (sep != ':' && sep != '.') || s[j + 1] < '0' || s[j + 1] > '9')
		return false;
	j++;
	d->mm = num(s, &j, 2, NULL);
	d->ss = 0;
	if (s[j] == sep && s[j + 1] >= '0' && s[j + 1] <= '9') {
		j++;
		d->ss = num(s, &j, 2, NULL);
	}
	if (s[j] == '.' && sep == ':') { /* fractions of a second */
		j++;
		while (s[j] >= '0' && s[j] <= '9')
			j++;
	}
	d->have_time = true;
	*i = j;
	return true;
}

static bool
iso8601(const char *s, struct dt *d)
{
	size_t i = 0;
	int nd;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if ((d->year = num(s, &i, 4, &nd)) < 0 || nd != 4 || s[i++] != '-' ||
	    (d->mon = num(s, &i, 2, NULL)) < 0 || s[i++] != '-' ||
	    (d->day = num(s, &i, 2, NULL)) < 0)
		return false;
	if (s[i] == 'T' || s[i] == 't' || s[i] == ' ') {
		i++;
		if (!clock_at(s, &i, d))
			return false;
	}
	if (s[i] == 'Z' || s[i] == 'z')
		i++;
	else if ((s[i] == '+' || s[i] == '-') && !zone_offset(s, &i, &d->zone))
		return false;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return s[i] == '\0';
}

/* An alphabetic word: month, zone, or something to ignore. */
static void
word(const char *w, size_t n, struct dt *d)
{
	size_t k;

	if (n >= 3) {
		for (k = 0; k < 12; k++) {
			if (mime_lower((unsigned char)w[0]) == months[k][0] &&
			    mime_lower((unsigned char)w[1]) == months[k][1] &&
			    mime_lower((unsigned char)w[2]) == months[k][2] && d->mon < 0) {
				d->mon = (int)k + 1;
				return;
			}
		}
	}
	for (k = 0; k < sizeof(zones) / sizeof(zones[0]); k++) {
		if (mime_eq(w, n, zones[k].name)) {
			d->zone = zones[k].hours * 3600L;
			return;
		}
	}
	if (d->have_time && d->hh >= 1 && d->hh <= 12 &&
	    (mime_eq(w, n, "pm") || mime_eq(w, n, "am")))
		d->hh = d->hh % 12 + (mime_lower((unsigned char)w[0]) == 'p' ? 12 : 0);
}

static bool
tokens(const char *s, struct dt *d)
{
	size_t i = 0, j;
	int v, nd, depth;

	while (s[i] != '\0') {
		char c = s[i];

		if (c == '(') {
			for (depth = 0; s[i] != '\0'; i++) {
				if (s[i] == '(')
					depth++;
				else if (s[i] == ')' && --depth == 0)
					break;
			}
			if (s[i] != '\0')
				i++;
		} else if ((c == '+' || c == '-') && d->have_time && s[i + 1] >= '0' &&
		           s[i + 1] <= '9') {
			if (!zone_offset(s, &i, &d->zone))
				i++;
		} else if (c >= '0' && c <= '9') {
			j = i;
			if (!d->have_time && clock_at(s, &j, d)) {
				i = j;
				continue;
			}
			v = num(s, &i, 9, &nd);
			while (s[i] >= '0' && s[i] <= '9')
				i++;
			if (nd == 4 && d->year < 0)
				d->year = v;
			else if (nd <= 2 && d->day < 0)
				d->day = v;
			else if (nd <= 3 && d->year < 0)
				d->year = nd == 3 ? v + 1900 : v < 50 ? v + 2000 : v + 1900;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			for (j = i; (s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z');
			     j++)
				;
			word(s + i, j - i, d);
			i = j;
		} else {
			i++;
		}
	}
	return d->mon > 0;
}

int
mb_date_parse(const char *s, time_t *out)
{
	struct dt d = {-1, -1, -1, 0, 0, 0, 0, false};
	long long days, t;

	*out = 0;
	if (s == NULL)
		return -1;
	if (!iso8601(s, &d)) {
		memset(&d, 0, sizeof(d));
		d.year = d.mon = d.day = -1;
		if (!tokens(s, &d))
			return -1;
	}
	if (d.year < 1900 || d.year > 9999 || d.mon < 1 || d.mon > 12 || d.day < 1 ||
	    d.day > days_in_month(d.year, d.mon) || d.hh < 0 || d.hh > 23 || d.mm < 0 ||
	    d.mm > 59 || d.ss < 0 || d.ss > 60)
		return -1;
	days = days_from_civil(d.year, d.mon, d.day);
	t = days * 86400 + d.hh * 3600LL + d.mm * 60LL + d.ss - d.zone;
	*out = (time_t)t;
	return 0;
}
