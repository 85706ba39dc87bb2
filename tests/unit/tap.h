/*
 * tap.h: a tiny TAP producer for mailbench's unit tests.
 *
 * Each test binary prints "ok N - name" / "not ok N - name" lines and a
 * final plan; automake's tap-driver.sh counts every line, so the summary
 * "N passed, N failed" counts assertions, not binaries.
 *
 *     int main(void) {
 *             ok(1 + 1 == 2, "arithmetic");
 *             is_int(f(), 3, "f returns 3");
 *             is_str(g(), "x", "g returns x");
 *             return done_testing();
 *     }
 */
#ifndef MAILBENCH_TEST_TAP_H
#define MAILBENCH_TEST_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static int __attribute__((format(printf, 2, 3), unused)) ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

static void __attribute__((format(printf, 1, 2), unused)) diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define is_int(got, want, ...)                                                                     \
	do {                                                                                       \
		long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);                   \
		if (!ok(tap_g_ == tap_w_, __VA_ARGS__))                                            \
			diag("  got %lld, want %lld (%s:%d)", tap_g_, tap_w_, __FILE__, __LINE__); \
	} while (0)

#define is_str(got, want, ...)                                                                   \
	do {                                                                                     \
		const char *tap_g_ = (got), *tap_w_ = (want);                                    \
		int tap_eq_ = (tap_g_ == NULL && tap_w_ == NULL) ||                              \
		              (tap_g_ != NULL && tap_w_ != NULL && strcmp(tap_g_, tap_w_) == 0); \
		if (!ok(tap_eq_, __VA_ARGS__))                                                   \
			diag("  got '%s', want '%s' (%s:%d)", tap_g_ ? tap_g_ : "(null)",        \
			     tap_w_ ? tap_w_ : "(null)", __FILE__, __LINE__);                    \
	} while (0)

/* substring check */
#define like(got, needle, ...)                                                                   \
	do {                                                                                     \
		const char *tap_g_ = (got), *tap_w_ = (needle);                                  \
		if (!ok(tap_g_ != NULL && strstr(tap_g_, tap_w_) != NULL, __VA_ARGS__))          \
			diag("  '%s' does not contain '%s' (%s:%d)", tap_g_ ? tap_g_ : "(null)", \
			     tap_w_, __FILE__, __LINE__);                                        \
	} while (0)

#define unlike(got, needle, ...)                                                                  \
	do {                                                                                      \
		const char *tap_g_ = (got), *tap_w_ = (needle);                                   \
		if (!ok(tap_g_ == NULL || strstr(tap_g_, tap_w_) == NULL, __VA_ARGS__))           \
			diag("  '%s' contains '%s' (%s:%d)", tap_g_, tap_w_, __FILE__, __LINE__); \
	} while (0)

static int __attribute__((unused)) done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
