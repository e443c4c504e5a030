/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The check harness of the device models' self-tests: one "ok:"/"FAIL:"
 * line per check, counts for the closing "N passed, N failed" line.
 */
#ifndef SIM_CHECK_H
#define SIM_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static int npass, nfail;

static void __attribute__((format(printf, 2, 3), unused))
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		npass++;
	else
		nfail++;
}

static uint64_t __attribute__((unused))
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

#endif /* SIM_CHECK_H */
