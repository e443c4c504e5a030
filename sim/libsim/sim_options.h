/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The option parsers of every model, listed in one place so that simrun can
 * check options without linking the models themselves.
 */
#ifndef UDRV_SIM_OPTIONS_H
#define UDRV_SIM_OPTIONS_H

#include <stddef.h>

/* Hyper-V model (sim/hyperv/hv_config.c): --vmbus, --gpa. */
int hv_config_option(const char *key, const char *val, char *err, size_t errlen);
int hv_config_finish(char *err, size_t errlen);

/* Hyper-V virtual switch (sim/hyperv/wire_config.c): --wire, --at, --report.
 * Its checks need the --vmbus devices, so it comes after the model.
 */
int vsw_config_option(const char *key, const char *val, char *err, size_t errlen);
int vsw_config_finish(char *err, size_t errlen);
/* DSA model (sim/dsa/dsa_config.c): --dsa, --dsa-vfio, --dsa-report. */
int dsa_config_option(const char *key, const char *val, char *err, size_t errlen);
int dsa_config_finish(char *err, size_t errlen);

#endif /* UDRV_SIM_OPTIONS_H */
