/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Model options: parsing shared by simrun (which checks them and encodes
 * them) and libsim (which decodes UDRV_SIM_CONFIG in every process).
 *
 * The encoding is a list of "key" or "key=value" entries separated by ';',
 * one per command-line option, in command-line order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsim.h"
#include "sim_options.h"

struct sim_opts sim_opts;

/* Each model's option parser: 1 = taken, 0 = not mine, -1 = error. */
static const struct {
	int (*option)(const char *key, const char *val, char *err, size_t errlen);
	int (*finish)(char *err, size_t errlen);
} model_opts[] = {
	{ hv_config_option, hv_config_finish },
	{ vsw_config_option, vsw_config_finish },
	{ dsa_config_option, dsa_config_finish },
};

#define NMODELS (sizeof(model_opts) / sizeof(model_opts[0]))

int
sim_config_option(const char *key, const char *val, char *err, size_t errlen)
{
	unsigned int i;
	int r;

	if (val != NULL && strchr(val, ';') != NULL) {
		snprintf(err, errlen, "--%s: ';' is not allowed in a value", key);
		return -1;
	}
	if (strcmp(key, "verbose") == 0 || strcmp(key, "keep") == 0) {
		if (val != NULL) {
			snprintf(err, errlen, "--%s takes no value", key);
			return -1;
		}
		if (key[0] == 'v')
			sim_opts.verbose = true;
		else
			sim_opts.keep = true;
		return 0;
	}
	for (i = 0; i < NMODELS; i++) {
		r = model_opts[i].option(key, val, err, errlen);
		if (r < 0)
			return -1;
		if (r > 0)
			return 0;
	}
	snprintf(err, errlen, "unknown option --%s", key);
	return -1;
}

int
sim_config_parse(const char *config, char *err, size_t errlen)
{
	char *copy, *entry, *save = NULL;
	int r = 0;

	copy = strdup(config);
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (entry = strtok_r(copy, ";", &save); entry != NULL && r == 0;
	     entry = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(entry, '=');

		if (eq != NULL)
			*eq++ = '\0';
		r = sim_config_option(entry, eq, err, errlen);
	}
	free(copy);
	return r;
}

int
sim_config_finish(char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < NMODELS; i++)
		if (model_opts[i].finish(err, errlen) < 0)
			return -1;
	return 0;
}
