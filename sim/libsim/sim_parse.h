/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small parsers shared by the models' option code: values as the
 * simulator's options spell them.
 */
#ifndef UDRV_SIM_PARSE_H
#define UDRV_SIM_PARSE_H

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A decimal number, no sign, no suffix, at most max. */
static inline bool
sim_parse_dec(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* yes/no, on/off, 1/0. */
static inline bool
sim_parse_bool(const char *s, bool *out)
{
	if (s == NULL)
		return false;
	if (strcmp(s, "yes") == 0 || strcmp(s, "1") == 0 || strcmp(s, "on") == 0)
		*out = true;
	else if (strcmp(s, "no") == 0 || strcmp(s, "0") == 0 || strcmp(s, "off") == 0)
		*out = false;
	else
		return false;
	return true;
}

#endif /* UDRV_SIM_PARSE_H */
