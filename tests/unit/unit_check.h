/* SPDX-License-Identifier: BSD-3-Clause */
/* Minimal check harness for unit tests: one line per failed check, and a
 * closing "N passed, N failed" line; exit status 1 on any failure.
 */
#ifndef UNIT_CHECK_H
#define UNIT_CHECK_H

#include <stdio.h>

static unsigned int unit_passed, unit_failed;

#define CHECK(cond) do {                                                 \
	if (cond) {                                                      \
		unit_passed++;                                           \
	} else {                                                         \
		unit_failed++;                                           \
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);   \
	}                                                                \
} while (0)

#define CHECK_EQ(a, b) do {                                              \
	long long _a = (long long)(a), _b = (long long)(b);              \
	if (_a == _b) {                                                  \
		unit_passed++;                                           \
	} else {                                                         \
		unit_failed++;                                           \
		printf("FAIL %s:%d: %s == %s (%lld != %lld)\n",          \
		       __FILE__, __LINE__, #a, #b, _a, _b);              \
	}                                                                \
} while (0)

#define RUN(test) do {                                                   \
	unsigned int _f = unit_failed;                                   \
	test();                                                          \
	printf("%s %s\n", unit_failed == _f ? "ok  " : "FAIL", #test);   \
} while (0)

static inline int
unit_summary(void)
{
	printf("%u passed, %u failed\n", unit_passed, unit_failed);
	return unit_failed == 0 ? 0 : 1;
}

#endif
