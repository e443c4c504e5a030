/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table of device-class services, and the service for classes the
 * model has none for: it accepts every packet and answers none, like a
 * host device that ignores what it does not understand.
 */
#include <errno.h>
#include <strings.h>

#include "hv_model.h"

static void
null_packet(struct hv_chan *ch, const struct hv_pkt *pkt)
{
	(void)ch;
	(void)pkt;
}

static const struct hv_service null_service = {
	.name = "null",
	.on_packet = null_packet,
};

static const struct hv_service *const services[] = {
	&hv_echo_service,
	&hv_echo_lowspeed_service,
	&hv_netvsp_service,
};

const struct hv_service *
hv_service_find(const char *class_guid)
{
	unsigned int i;

	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcasecmp(services[i]->class_guid, class_guid) == 0)
			return services[i];
	return &null_service;
}

int
hv_service_ctl(const char *cmd, char *out, size_t len)
{
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		if (services[i]->ctl == NULL)
			continue;
		r = services[i]->ctl(cmd, out, len);
		if (r != -ENOSYS)
			return r;
	}
	return -ENOSYS;
}
