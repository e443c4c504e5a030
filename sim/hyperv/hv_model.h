/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal interfaces of the Hyper-V host model.
 *
 * Three kinds of state:
 *  - configuration (struct hv_config): parsed from UDRV_SIM_CONFIG, the
 *    same in every process of a session, so relids, uio numbers and paths
 *    are computed identically everywhere;
 *  - shared state (struct hv_shm): a testbed file mapped by the owner and
 *    every attached process; it carries what the kernel would keep for the
 *    guest (open counts, interrupt counts, channel states) and the
 *    doorbells into the host;
 *  - host state (struct hv_dev, struct hv_chan): private to the owner's
 *    host thread.
 */
#ifndef UDRV_HV_MODEL_H
#define UDRV_HV_MODEL_H

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../libsim/libsim.h"

#define HV_LOG              "hvsim"
#define HV_PAGE_SIZE        4096u
#define HV_MAX_DEVICES      32
#define HV_MAX_SUBCH        64
#define HV_MAX_CHANNELS     (HV_MAX_SUBCH + 1)
#define HV_FIRST_RELID      14
#define HV_MAX_MONITOR      128
#define HV_STD_MAPS         3   /* txrx_rings, int_page, monitor_page */
#define HV_MAX_MAPS         5
#define HV_GUID_LEN         36
#define HV_NO_MONITOR       (-1)
/* A sub-channel's ring file exists this long before the channel opens. */
#define HV_SUBCH_OPEN_MS    10
#define HV_REQ_TIMEOUT_MS   5000

#define HV_UIO_DRIVER       "uio_hv_generic"
#define HV_NETVSC_DRIVER    "hv_netvsc"
#define HV_NETVSC_CLASS_GUID "f8615163-df3e-46c5-913f-f2d2f965ed0e"

/* VMBus packet types and flags. */
#define HV_PKT_INBAND       6
#define HV_PKT_XFER_PAGES   7
#define HV_PKT_GPA_DIRECT   9
#define HV_PKT_COMP         0xb
#define HV_PKT_FLAG_RC      1

/* ---- configuration (hv_config.c) ---- */

enum hv_attr {
	HV_ATTR_CLASS_ID,
	HV_ATTR_DEVICE_ID,
	HV_ATTR_ID,
	HV_ATTR_MONITOR_ID,
	HV_ATTR_NUMA_NODE,
	HV_ATTR_VENDOR,
	HV_ATTR_DEVICE,
	HV_ATTR_STATE,
	HV_ATTR_MODALIAS,
	HV_ATTR_DRIVER_OVERRIDE,
	HV_ATTR_COUNT,
};

extern const char *const hv_attr_names[HV_ATTR_COUNT];

/* Options of a synthetic NIC (netvsc class); see netvsp_config.c. */
struct hv_nic_spec {
	uint32_t nvsp_min;             /* NVSP versions the host accepts */
	uint32_t nvsp_max;
	uint32_t slot_size;            /* receive sub-allocation; 0: from the MTU */
	uint32_t ctrl_slots;           /* receive slots kept for control */
	uint32_t agg_pkts;             /* RNDIS INITIALIZE_CMPLT limits */
	uint32_t agg_size;
	uint32_t link_speed;           /* units of 100 bit/s */
	uint32_t link_hold_ms;         /* minimum time between link changes */
	uint32_t rx_queue_max;         /* host->guest packets queued per channel */
	bool link_down;                /* start with the link down */
	uint8_t interleave;            /* NETVSP_INTERLEAVE_* */
	bool hash_ppi;                 /* RSS hash PPIs on received frames */
};

struct hv_dev_spec {
	char class_guid[HV_GUID_LEN + 1];
	char id[HV_GUID_LEN + 1];      /* instance GUID */
	bool id_set;
	uint32_t ring_size;            /* per direction, header page included */
	bool monitor;                  /* primary channel has a monitor id */
	bool subch_monitor;
	bool subch_ring_late;          /* ring file only once the channel is open */
	unsigned int max_subch;
	unsigned int subch_delay_ms;
	int numa;
	char driver[64];
	uint32_t omit;                 /* bit per enum hv_attr */
	uint32_t garbage;
	unsigned int latency_us;       /* monitor scan interval */
	size_t map_size[HV_MAX_MAPS];  /* service map sizes; 0: the default */
	struct hv_nic_spec nic;        /* netvsc class only */
	/* Assigned once every option is known. */
	bool uio;
	int uio_index;
	uint32_t relid;
	int monitor_id;
};

struct hv_config {
	bool enabled;
	bool gpa_va;
	unsigned int ndev;
	struct hv_dev_spec dev[HV_MAX_DEVICES];
};

extern struct hv_config hv_cfg;

/* netvsc-class options (netvsp_config.c): defaults, and one key=value;
 * 1 taken, 0 not a NIC key, -1 bad value (err says why).
 */
void netvsp_config_defaults(struct hv_dev_spec *s);
int netvsp_config_key(struct hv_dev_spec *s, const char *key, const char *val,
		      char *err, size_t errlen);

/* ---- guest-visible memory layouts ---- */

struct hv_ring_hdr {
	uint32_t write_index;
	uint32_t read_index;
	uint32_t interrupt_mask;
	uint32_t pending_send_sz;
	uint32_t reserved[12];
	uint32_t feature_bits;
};

#define HV_RING_FEAT_PENDING_SEND 1u

struct hv_pkt_desc {
	uint16_t type;
	uint16_t offset8;
	uint16_t len8;
	uint16_t flags;
	uint64_t trans_id;
};

struct hv_gpa_range {
	uint32_t len;
	uint32_t offset;
	uint64_t pfn;
};

/* Child-to-parent monitor page (uio map 2). */
struct hv_monitor_page {
	uint32_t state;
	uint32_t rsvd1;
	struct {
		uint32_t pending;
		uint32_t armed;
	} trigs[4];
	uint8_t rsvd2[536];
	uint16_t latency[4][32];       /* 100 ns units */
	uint8_t rsvd3[256];
	struct {
		uint32_t connid;
		uint16_t evtflag_ofs;
		uint16_t rsvd;
	} param[4][32];
	uint8_t rsvd4[1984];
};

_Static_assert(sizeof(struct hv_monitor_page) == HV_PAGE_SIZE, "monitor page");

/* ---- shared state (one testbed file) ---- */

struct hv_stats {
	uint64_t rx_packets;           /* guest -> host */
	uint64_t tx_packets;           /* host -> guest */
	uint64_t completions;          /* completion packets from the guest */
	uint64_t corrupt;
	uint64_t signals_monitor;
	uint64_t signals_event;
	uint64_t guest_interrupts;
	uint64_t pending_send_waits;   /* guest waited for TX space; woken */
	uint64_t ring_full_waits;      /* host waited for RX space */
};

enum hv_chan_state {
	HV_CH_FREE,
	HV_CH_OFFERED,                 /* offered, ring file exists, not open */
	HV_CH_OPEN,
	HV_CH_DEAD,                    /* corrupt: the host stopped serving */
};

struct hv_shm_chan {
	uint32_t state;
	uint32_t relid;
	int32_t monitor_id;
	uint32_t subch_id;
	uint32_t event;                /* signalled through the uio write */
	uint32_t pad;
	uint64_t ring_dev;             /* identity of the ring file */
	uint64_t ring_ino;
	struct hv_stats stats;
};

enum hv_req {
	HV_REQ_NONE,
	HV_REQ_OPEN,
	HV_REQ_CLOSE,
};

struct hv_shm_dev {
	pthread_mutex_t lock;          /* serialises open/close */
	uint32_t open_count;
	uint32_t req_op;
	uint32_t req_seq;
	uint32_t ack_seq;              /* futex */
	int32_t req_result;
	uint32_t intr_count;           /* the uio event count */
	uint32_t rescinded;
	uint32_t gpadl[HV_MAX_MAPS];
	struct hv_shm_chan chan[HV_MAX_CHANNELS];
};

#define HV_SHM_MAGIC   0x68767331u /* "hvs1" */

struct hv_shm {
	uint32_t magic;
	uint32_t size;
	int32_t owner_pid;
	uint32_t ndev;
	uint32_t doorbell;             /* futex: anything for the host */
	uint32_t intr_seq;             /* futex: any guest interrupt/rescind */
	pthread_mutex_t ctl_lock;
	uint32_t ctl_seq;
	uint32_t ctl_ack;              /* futex */
	int32_t ctl_result;
	char ctl_cmd[256];
	char ctl_reply[8192];
	struct hv_shm_dev dev[HV_MAX_DEVICES];
};

extern struct hv_shm *hv_shm;
extern uint8_t *hv_int_page;
extern struct hv_monitor_page *hv_mon_page;
extern char hv_tb[SIM_TB_MAX];

/* ---- services (service.c, echo_service.c) ---- */

struct hv_chan;
struct hv_dev;

/* A parsed guest packet; all pointers into the host's private copy. */
struct hv_pkt {
	uint16_t type;
	uint16_t flags;
	uint64_t trans_id;
	const uint8_t *payload;
	uint32_t payload_len;
	uint32_t range_count;          /* GPA direct */
	const struct hv_gpa_range *ranges;
};

/* A uio map beyond the three standard ones, named "<prefix>:<gpadl>". */
struct hv_map_spec {
	const char *prefix;
	size_t size;
};

struct hv_service {
	const char *name;
	const char *class_guid;        /* NULL: any class without a service */
	unsigned int nmaps;
	const struct hv_map_spec *maps;
	size_t chan_priv_size;         /* zeroed at every channel open */
	void (*on_open)(struct hv_chan *ch);
	void (*on_packet)(struct hv_chan *ch, const struct hv_pkt *pkt);
	/* Produce more output once the queue has drained; false when done. */
	bool (*pump)(struct hv_chan *ch);
	void (*on_close)(struct hv_chan *ch);
	/* Per device, on the host thread: at start, on every loop (lower
	 * *next to be called again by then), at stop. All optional.
	 */
	void (*dev_init)(struct hv_dev *dev);
	void (*dev_tick)(struct hv_dev *dev, uint64_t now_ns, uint64_t *next_ns);
	void (*dev_fini)(struct hv_dev *dev);
	/* A control command; -ENOSYS if the verb is not the service's. */
	int (*ctl)(const char *cmd, char *out, size_t len);
};

extern const struct hv_service hv_echo_service;
extern const struct hv_service hv_echo_lowspeed_service;
extern const struct hv_service hv_netvsp_service;

const struct hv_service *hv_service_find(const char *class_guid);
/* Offer a control command to every service's ctl hook (-ENOSYS: none). */
int hv_service_ctl(const char *cmd, char *out, size_t len);

/* Host API for services (vmbus_host.c); host thread only. */
int hv_chan_send(struct hv_chan *ch, uint16_t type, uint16_t flags,
		 uint64_t trans_id, const void *a, size_t alen,
		 const void *b, size_t blen);
/* Same, with a type-specific header (hlen a multiple of 8) after the
 * descriptor, e.g. the transfer-page ranges; offset8 covers it.
 */
int hv_chan_send_hdr(struct hv_chan *ch, uint16_t type, uint16_t flags,
		     uint64_t trans_id, const void *hdr, size_t hlen,
		     const void *a, size_t alen);
/* Queue bytes as they are, descriptor included (fault injection). */
int hv_chan_send_raw(struct hv_chan *ch, const void *pkt, size_t len);
/* Packets queued for the guest, not yet in its ring. */
unsigned int hv_chan_queued(const struct hv_chan *ch);
/* Serve the channel on the next loop (write what was queued). */
void hv_chan_kick(struct hv_chan *ch);
/* While held, the host reads nothing more from the guest's ring. */
void hv_chan_hold(struct hv_chan *ch, bool on);
/* 0 for the primary, else the sub-channel index. */
unsigned int hv_chan_index(const struct hv_chan *ch);
/* The device's number in option order (from 0). */
unsigned int hv_dev_index(const struct hv_dev *dev);
/* Channel index of the device if open (and not dead), else NULL. */
struct hv_chan *hv_dev_chan(struct hv_dev *dev, unsigned int index);
/* Run a control command on the host thread (what udrv_sim_ctl reaches). */
int hv_ctl_exec(const char *cmd, char *out, size_t len);
uint64_t hv_chan_new_trans_id(struct hv_chan *ch);
uint32_t hv_chan_max_payload(const struct hv_chan *ch);
void hv_chan_set_pump(struct hv_chan *ch, bool on);
void hv_chan_stall(struct hv_chan *ch, unsigned int ms);
bool hv_chan_is_primary(const struct hv_chan *ch);
void *hv_chan_priv(struct hv_chan *ch);
struct hv_dev *hv_chan_dev(struct hv_chan *ch);
unsigned int hv_dev_offer_subch(struct hv_dev *dev, unsigned int n);
void hv_chan_log(const struct hv_chan *ch, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Copy guest memory at a guest physical address; 0 or -EFAULT. */
int hv_gpa_read(uint64_t gpa, void *dst, size_t len);

/* ---- paths and testbed contents (hv_sysfs.c) ---- */

void hv_dev_path(char *buf, size_t len, unsigned int dev, const char *sub);
void hv_ring_path(char *buf, size_t len, unsigned int dev, uint32_t relid);
void hv_map_file(char *buf, size_t len, unsigned int dev, unsigned int map);
int hv_sysfs_build(void);
int hv_sysfs_add_channel(unsigned int dev, unsigned int slot, bool ring,
			 uint64_t *ring_dev, uint64_t *ring_ino);
/* A channel's ring file: created under a hidden name (then published by
 * renaming it into place, or at once if !hidden).
 */
void hv_sysfs_ring_hidden_path(char *buf, size_t len, unsigned int dev, uint32_t relid);
int hv_sysfs_ring_file(unsigned int dev, uint32_t relid, bool hidden,
		       uint64_t *ring_dev, uint64_t *ring_ino);
int hv_sysfs_ring_publish(unsigned int dev, uint32_t relid);
void hv_sysfs_remove_channel(unsigned int dev, uint32_t relid);
void hv_sysfs_rescind(unsigned int dev);

/* ---- guest side: /dev/uioN and ring files (uio_dev.c) ---- */

int hv_uio_open_hook(int fd, const char *path, int flags);
int hv_ring_open_hook(int fd, const char *path, int flags);
/* Wake this process's readers of device dev (-1: every device). */
void hv_uio_notify(int dev);
void hv_uio_atfork_child(void);

/* ---- host (vmbus_host.c) ---- */

/* Raise a guest interrupt on the device (uio event). */
void hv_interrupt_guest(struct hv_dev *dev);

/* ---- small shared helpers ---- */

static inline long
hv_futex_wait(uint32_t *addr, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000ull),
		.tv_nsec = (long)(timeout_ns % 1000000000ull),
	};

	return syscall(SYS_futex, addr, FUTEX_WAIT, val,
		       timeout_ns == UINT64_MAX ? NULL : &ts, NULL, 0);
}

static inline void
hv_futex_wake(uint32_t *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
}

/* Tell the host there is something to look at. */
static inline void
hv_doorbell(void)
{
	__atomic_add_fetch(&hv_shm->doorbell, 1, __ATOMIC_SEQ_CST);
	hv_futex_wake(&hv_shm->doorbell);
}

/* Robust process-shared mutex: survive a process that died holding it. */
static inline void
hv_lock(pthread_mutex_t *m)
{
	if (pthread_mutex_lock(m) == EOWNERDEAD)
		pthread_mutex_consistent(m);
}

static inline void
hv_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
}

static inline uint32_t
hv_total_maps(unsigned int dev)
{
	const struct hv_service *s = hv_service_find(hv_cfg.dev[dev].class_guid);

	return HV_STD_MAPS + (s != NULL ? s->nmaps : 0);
}

/* Size of uio map i of device dev, 0 if none. */
size_t hv_map_size(unsigned int dev, unsigned int map);

#endif /* UDRV_HV_MODEL_H */
