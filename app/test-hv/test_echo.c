/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data exchange with the host: echo round trips of many sizes across ring
 * wrap-around (inband and completion replies), GPA-direct packets,
 * back-pressure in both directions without loss, and a host flood larger
 * than the ring.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "echo_driver.h"
#include "testhv.h"

static void
fill(uint8_t *buf, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 131u + i * 17u + (i >> 8));
}

/* Round trips of sizes 0..max on one channel; returns bytes moved. */
static uint64_t
echo_sizes(struct echo_dev *ed, struct vmbus_channel *ch, uint32_t max,
	   uint32_t step, struct echo_reply *r)
{
	static uint8_t data[65536];
	uint64_t bytes = 0;
	uint32_t len, n = 0;

	for (len = 0; len <= max; len += (len < 64 ? 1 : step), n++) {
		struct hv_echo_msg m = { .op = HV_ECHO_OP_ECHO, .seq = n };
		uint16_t flags = (n & 1) ? VMBUS_PKT_FLAG_COMPLETION_REQUESTED : 0;
		uint64_t id = ((uint64_t)n << 32) | 0xabcdu;
		int ret;

		fill(data, len, n);
		ret = echo_call(ed, ch, &m, data, len, id, flags, r);
		TCHECK(ret == 0, "%s relid %u: size %u: %d", ed->vdev->name,
		       vmbus_chan_relid(ch), len, ret);
		if (ret != 0)
			return bytes;
		/* completion requested -> completion, else inband echo */
		TCHECK(r->type == (flags ? VMBUS_PKT_COMP : VMBUS_PKT_INBAND),
		       "size %u: reply type %u", len, r->type);
		TCHECK(r->trans_id == id, "size %u: trans_id %#lx", len,
		       (unsigned long)r->trans_id);
		/* payload is padded to 8 on the ring */
		TCHECK(r->len >= sizeof(m) + len && r->len < sizeof(m) + len + 8,
		       "size %u: reply len %u", len, r->len);
		TCHECK(memcmp(r->buf, &m, sizeof(m)) == 0 &&
		       memcmp(r->buf + sizeof(m), data, len) == 0,
		       "size %u: payload differs", len);
		bytes += len;
	}
	return bytes;
}

int
test_echo(int argc, char **argv)
{
	unsigned int i, c;
	struct echo_reply *r = malloc(sizeof(*r));
	uint32_t max = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 3000;

	TCHECK(echo_dev_count() > 0, "no echo device probed");
	for (i = 0; i < echo_dev_count(); i++) {
		struct echo_dev *ed = echo_dev_by_index(i);

		for (c = 0; c < ed->nchan; c++) {
			struct vmbus_channel *ch = ed->chan[c];
			struct vmbus_chan_stats st;
			uint64_t bytes = echo_sizes(ed, ch, max, 7, r);

			vmbus_chan_stats_get(ch, &st);
			printf("%s relid %u monitor %d: %lu bytes echoed, %lu signals\n",
			       ed->vdev->name, vmbus_chan_relid(ch),
			       vmbus_chan_monitor_id(ch) == VMBUS_NO_MONITOR ? -1 :
			       vmbus_chan_monitor_id(ch),
			       (unsigned long)bytes, (unsigned long)st.signals);
			/* enough traffic to lap the ring several times */
			TCHECK(bytes > 4 * 65536, "only %lu bytes", (unsigned long)bytes);
			TCHECK(sim_stat(ed->vdev->name, vmbus_chan_relid(ch),
					"corrupt") == 0, "host saw corruption");
		}
	}
	free(r);
	return 0;
}

int
test_gpa(int argc, char **argv)
{
	const uint32_t pages = 3, pg = VMBUS_HV_PAGE_SIZE;
	struct vmbus_gpa_range range[3];
	struct echo_reply *r = malloc(sizeof(*r));
	struct hv_echo_msg m = { .op = HV_ECHO_OP_ECHO, .seq = 77 };
	const struct hv_echo_msg *rep;
	struct echo_dev *ed = echo_dev_by_index(0);
	uint32_t i, total = 0;
	uint8_t *buf, expect[3 * 4096];
	uint64_t stack_pfn;
	int ret;

	(void)argc; (void)argv;
	TCHECK(ed != NULL, "no device");
	if (ed == NULL)
		return -1;
	buf = rte_malloc("gpa", pages * pg, pg);
	fill(buf, pages * pg, 5);
	/* odd offsets and lengths inside each page */
	for (i = 0; i < pages; i++) {
		range[i].offset = 100 * (i + 1);
		range[i].len = pg - 100 * (i + 1) - 13 * i;
		range[i].pfn = rte_mem_virt2iova(buf + i * pg) >> VMBUS_HV_PAGE_SHIFT;
		memcpy(expect + total, buf + i * pg + range[i].offset, range[i].len);
		total += range[i].len;
	}
	ret = vmbus_chan_send_gpa(ed->chan[0], range, pages, &m, sizeof(m), 99,
				  VMBUS_PKT_FLAG_COMPLETION_REQUESTED, NULL);
	TCHECK(ret == 0, "send_gpa: %d", ret);
	ret = echo_recv(ed, ed->chan[0], r, 5000);
	TCHECK(ret == 0, "no reply: %d", ret);
	rep = (const void *)r->buf;
	TCHECK(r->type == VMBUS_PKT_COMP && r->trans_id == 99, "reply type %u id %lu",
	       r->type, (unsigned long)r->trans_id);
	TCHECK(rep->arg1 == total, "host gathered %u bytes, sent %u", rep->arg1, total);
	TCHECK(r->len >= sizeof(*rep) + total &&
	       memcmp(r->buf + sizeof(*rep), expect, total) == 0,
	       "gathered bytes differ");

	/* An address outside DPDK memory is as invalid as on Azure. */
	stack_pfn = ((uintptr_t)&m) >> VMBUS_HV_PAGE_SHIFT;
	range[0].pfn = stack_pfn;
	range[0].offset = 0;
	range[0].len = 64;
	ret = vmbus_chan_send_gpa(ed->chan[0], range, 1, &m, sizeof(m), 100,
				  VMBUS_PKT_FLAG_COMPLETION_REQUESTED, NULL);
	TCHECK(ret == 0, "send_gpa: %d", ret);
	ret = echo_recv(ed, ed->chan[0], r, 5000);
	TCHECK(ret == 0 && rep->arg1 == 0xffffffffu,
	       "bad GPA not refused by the host (arg1 %#x)", rep->arg1);

	/* Ranges the bus must refuse before they reach the ring. */
	range[0].offset = 4000;
	range[0].len = 200;
	TCHECK(vmbus_chan_send_gpa(ed->chan[0], range, 1, &m, sizeof(m), 1, 0,
				   NULL) == -EINVAL, "range crossing a page accepted");
	TCHECK(vmbus_chan_send_gpa(ed->chan[0], range, 0, &m, sizeof(m), 1, 0,
				   NULL) == -EINVAL, "zero ranges accepted");
	rte_free(buf);
	free(r);
	return 0;
}

/*
 * The host stalls; we fill our TX ring until it refuses (-EAGAIN), keep
 * sending while the host echoes into our RX ring faster than we read, so
 * the host has to wait on pending_send_sz for us to signal it. Every
 * message must come back once, in order.
 */
int
test_backpressure(int argc, char **argv)
{
	struct echo_dev *ed = echo_dev_by_index(0);
	struct echo_reply *r = malloc(sizeof(*r));
	struct hv_echo_msg stall = { .op = HV_ECHO_OP_STALL, .arg0 = 300 };
	struct vmbus_chan_stats st;
	static uint8_t data[1000];
	uint32_t sent = 0, got = 0, target, full_at = 0, idle;
	int ret;

	(void)argc; (void)argv;
	if (ed == NULL) {
		TCHECK(0, "no device");
		return -1;
	}
	TCHECK(echo_send(ed->chan[0], &stall, NULL, 0, 0, 0) == 0, "stall");
	for (;;) {
		struct hv_echo_msg m = { .op = HV_ECHO_OP_ECHO, .seq = sent };

		fill(data, sizeof(data), sent);
		ret = echo_send(ed->chan[0], &m, data, sizeof(data), sent, 0);
		if (ret == -EAGAIN)
			break;
		TCHECK(ret == 0, "send: %d", ret);
		if (ret != 0)
			return -1;
		sent++;
	}
	full_at = sent;
	printf("TX ring full after %u messages\n", full_at);
	TCHECK(full_at > 10, "ring full too early (%u)", full_at);
	target = full_at * 4;
	/* Once the stall is over the host drains our TX ring into our RX
	 * ring, which we do not read yet: keep topping TX up until neither
	 * ring moves. The host is then blocked on pending_send_sz and only
	 * our signal after reading can wake it.
	 */
	rte_delay_us_sleep(stall.arg0 * 1000);
	for (idle = 0; idle < 5 && sent < target; ) {
		uint32_t before = sent;

		for (;;) {
			struct hv_echo_msg m = { .op = HV_ECHO_OP_ECHO, .seq = sent };

			if (sent == target)
				break;
			fill(data, sizeof(data), sent);
			ret = echo_send(ed->chan[0], &m, data, sizeof(data), sent, 0);
			if (ret != 0)
				break;
			sent++;
		}
		idle = sent == before ? idle + 1 : 0;
		rte_delay_us_sleep(10 * 1000);
	}
	printf("both rings full after %u messages\n", sent);
	while (got < target) {
		/* send while there is room, read one, repeat */
		while (sent < target) {
			struct hv_echo_msg m = { .op = HV_ECHO_OP_ECHO, .seq = sent };

			fill(data, sizeof(data), sent);
			ret = echo_send(ed->chan[0], &m, data, sizeof(data), sent, 0);
			if (ret == -EAGAIN)
				break;
			if (ret != 0)
				break;
			sent++;
		}
		ret = echo_recv(ed, ed->chan[0], r, 5000);
		TCHECK(ret == 0, "lost after %u of %u: %d", got, sent, ret);
		if (ret != 0)
			break;
		fill(data, sizeof(data), got);
		TCHECK(r->trans_id == got &&
		       memcmp(r->buf + sizeof(struct hv_echo_msg), data,
			      sizeof(data)) == 0,
		       "message %u out of order or corrupt (got id %lu)", got,
		       (unsigned long)r->trans_id);
		if (r->trans_id != got)
			break;
		got++;
	}
	vmbus_chan_stats_get(ed->chan[0], &st);
	printf("sent %u, echoed %u, tx_full %lu, host wakeups %lu\n", sent, got,
	       (unsigned long)st.tx_full, (unsigned long)st.host_wakeups);
	TCHECK(got == target, "%u of %u echoed", got, target);
	TCHECK(st.tx_full > 0, "TX ring never full");
	/* The host blocked on our RX ring and we woke it through the
	 * pending_send_sz protocol (otherwise it would have hung).
	 */
	TCHECK(st.host_wakeups > 0, "host never waited for RX space");
	TCHECK(vmbus_chan_rx_empty(ed->chan[0]), "stray packets left");
	free(r);
	return 0;
}

/* The host sends far more than the ring holds; nothing is dropped. */
int
test_flood(int argc, char **argv)
{
	struct echo_dev *ed = echo_dev_by_index(0);
	struct echo_reply *r = malloc(sizeof(*r));
	uint32_t count = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 2000;
	uint32_t size = 700, i, j;
	struct hv_echo_msg m = { .op = HV_ECHO_OP_FLOOD, .arg0 = count,
				 .arg1 = size };
	struct vmbus_chan_stats st;
	bool ok = true;

	if (ed == NULL) {
		TCHECK(0, "no device");
		return -1;
	}
	TCHECK(echo_send(ed->chan[0], &m, NULL, 0, 1, 0) == 0, "flood request");
	/* Let the host fill our ring and block on pending_send_sz: from then
	 * on it only continues if we signal it after reading.
	 */
	rte_delay_us_sleep(50 * 1000);
	for (i = 0; i < count && ok; i++) {
		const struct hv_echo_msg *p = (const void *)r->buf;
		int ret = echo_recv(ed, ed->chan[0], r, 5000);

		if (ret != 0 || p->op != HV_ECHO_OP_FLOOD || p->seq != i ||
		    r->len < sizeof(*p) + size) {
			TCHECK(0, "flood packet %u: ret %d seq %u", i, ret,
			       ret == 0 ? p->seq : 0);
			ok = false;
			break;
		}
		for (j = 0; j < size; j++)
			if (p->data[j] != hv_echo_pattern(i, j)) {
				TCHECK(0, "flood packet %u byte %u corrupt", i, j);
				ok = false;
				break;
			}
	}
	vmbus_chan_stats_get(ed->chan[0], &st);
	printf("flood: %u of %u packets of %u bytes received intact, host woken %lu times\n",
	       i, count, size, (unsigned long)st.host_wakeups);
	TCHECK(i == count, "received %u of %u", i, count);
	TCHECK(st.host_wakeups > 0, "host never blocked on a full ring");
	free(r);
	return 0;
}
