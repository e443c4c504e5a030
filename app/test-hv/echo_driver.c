/* SPDX-License-Identifier: BSD-3-Clause */
/* The echo-service driver used by test-hv. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "echo_driver.h"

struct echo_dev_list echo_devs = TAILQ_HEAD_INITIALIZER(echo_devs);

static rte_uuid_t echo_class;
static rte_uuid_t lowspeed_class;
static rte_uuid_t echo_ids[2];     /* class, then nil terminator */
static rte_uuid_t lowspeed_ids[2];

unsigned int
echo_dev_count(void)
{
	struct echo_dev *ed;
	unsigned int n = 0;

	TAILQ_FOREACH(ed, &echo_devs, next)
		n++;
	return n;
}

struct echo_dev *
echo_dev_by_index(unsigned int i)
{
	struct echo_dev *ed;

	TAILQ_FOREACH(ed, &echo_devs, next)
		if (i-- == 0)
			return ed;
	return NULL;
}

static int
echo_probe(struct vmbus_driver *drv, struct vmbus_device *vdev)
{
	struct echo_dev *ed;
	int ret;

	ed = calloc(1, sizeof(*ed));
	if (ed == NULL)
		return -ENOMEM;
	ed->vdev = vdev;
	ed->intr = (drv->drv_flags & VMBUS_DRV_INTR) != 0;
	ret = vmbus_chan_open(vdev, &ed->chan[0]);
	if (ret < 0) {
		free(ed);
		return ret;
	}
	ed->nchan = 1;
	vdev->drv_private = ed;
	TAILQ_INSERT_TAIL(&echo_devs, ed, next);
	return 0;
}

static int
echo_remove(struct vmbus_device *vdev)
{
	struct echo_dev *ed = vdev->drv_private;
	unsigned int i;

	if (ed == NULL)
		return 0;
	for (i = ed->nchan; i-- > 0;)
		vmbus_chan_close(ed->chan[i]);
	TAILQ_REMOVE(&echo_devs, ed, next);
	vdev->drv_private = NULL;
	free(ed);
	return 0;
}

static void
echo_rescind(struct vmbus_device *vdev)
{
	struct echo_dev *ed = vdev->drv_private;

	if (ed != NULL)
		ed->rescind_seen = true;
}

static struct vmbus_driver echo_drv = {
	.id_table = echo_ids,
	.probe = echo_probe,
	.remove = echo_remove,
	.rescind = echo_rescind,
	.drv_flags = VMBUS_DRV_NEED_MAPPING,
};

static struct vmbus_driver lowspeed_drv = {
	.id_table = lowspeed_ids,
	.probe = echo_probe,
	.remove = echo_remove,
	.rescind = echo_rescind,
	.drv_flags = VMBUS_DRV_NEED_MAPPING | VMBUS_DRV_INTR,
};

/* Class GUIDs are parsed before EAL probes (constructors run first). */
RTE_INIT(echo_driver_init)
{
	rte_uuid_parse(HV_ECHO_CLASS_GUID, echo_class);
	rte_uuid_parse(HV_ECHO_LOWSPEED_CLASS_GUID, lowspeed_class);
	rte_uuid_copy(echo_ids[0], echo_class);
	rte_uuid_copy(lowspeed_ids[0], lowspeed_class);
	echo_drv.driver.name = "testhv_echo";
	lowspeed_drv.driver.name = "testhv_lowspeed";
	vmbus_register_driver(&echo_drv);
	vmbus_register_driver(&lowspeed_drv);
}

int
echo_recv(struct echo_dev *ed, struct vmbus_channel *chan,
	  struct echo_reply *r, unsigned int timeout_ms)
{
	uint64_t deadline = rte_get_timer_cycles() +
		rte_get_timer_hz() * timeout_ms / 1000;
	int ret;

	for (;;) {
		r->len = sizeof(r->buf);
		ret = vmbus_chan_recv(chan, r->buf, &r->len, &r->trans_id,
				      &r->type);
		if (ret != -EAGAIN)
			return ret;
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		if (ed->intr) {
			ret = vmbus_device_intr_wait(ed->vdev, 50);
			if (ret < 0)
				return ret;
		} else {
			rte_pause();
		}
	}
}

int
echo_send(struct vmbus_channel *chan, const struct hv_echo_msg *msg,
	  const void *data, uint32_t len, uint64_t trans_id, uint16_t flags)
{
	uint8_t *buf;
	int ret;

	buf = malloc(sizeof(*msg) + len);
	if (buf == NULL)
		return -ENOMEM;
	memcpy(buf, msg, sizeof(*msg));
	if (len > 0)
		memcpy(buf + sizeof(*msg), data, len);
	ret = vmbus_chan_send(chan, VMBUS_PKT_INBAND, buf, sizeof(*msg) + len,
			      trans_id, flags, NULL);
	free(buf);
	return ret;
}

int
echo_call(struct echo_dev *ed, struct vmbus_channel *chan,
	  const struct hv_echo_msg *msg, const void *data, uint32_t len,
	  uint64_t trans_id, uint16_t flags, struct echo_reply *r)
{
	int ret = echo_send(chan, msg, data, len, trans_id, flags);

	if (ret < 0)
		return ret;
	return echo_recv(ed, chan, r, 5000);
}

int
echo_open_subchannels(struct echo_dev *ed, unsigned int n,
		      unsigned int timeout_ms)
{
	struct hv_echo_msg msg = { .op = HV_ECHO_OP_SUBCH, .arg0 = n };
	const struct hv_echo_msg *rep;
	struct echo_reply *r;
	int ret;

	if (ed->nchan + n > ECHO_MAX_CHANNELS)
		return -EINVAL;
	r = malloc(sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	ret = echo_call(ed, ed->chan[0], &msg, NULL, 0, 1,
			VMBUS_PKT_FLAG_COMPLETION_REQUESTED, r);
	if (ret < 0)
		goto out;
	rep = (const void *)r->buf;
	if (r->type != VMBUS_PKT_COMP || r->len < sizeof(*rep) ||
	    rep->op != HV_ECHO_OP_SUBCH) {
		ret = -EPROTO;
		goto out;
	}
	if (rep->arg0 < n)
		n = rep->arg0;
	ret = vmbus_subchan_open_all(ed->chan[0], n, timeout_ms,
				     &ed->chan[ed->nchan]);
	if (ret > 0)
		ed->nchan += (unsigned int)ret;
out:
	free(r);
	return ret;
}
