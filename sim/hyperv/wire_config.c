/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Options of the virtual switch:
 *   --wire loop:N | link:N-M | tap:N[,ifname=NAME] | sink:N[,...]
 *          | gen:N[,...] | vf:N,ifname=NAME[,serial=S]
 *   --at MS:COMMAND
 *   --report FILE
 * N is a NIC index: the position of a netvsc device among the --vmbus
 * devices served by the host (bound to uio_hv_generic), from 0.
 *
 * Linked into simrun as well (options are checked before anything runs),
 * so it depends only on the parsed --vmbus options.
 */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv_model.h"
#include "wire.h"
#include "../libsim/sim_options.h"
#include "../libsim/sim_parse.h"

struct vsw_config vsw_cfg;

const char *const vsw_wire_kind_names[] = {
	[VSW_WIRE_NONE] = "none",
	[VSW_WIRE_LOOP] = "loop",
	[VSW_WIRE_LINK] = "link",
	[VSW_WIRE_TAP] = "tap",
	[VSW_WIRE_SINK] = "sink",
};

void
vsw_config_reset(void)
{
	memset(&vsw_cfg, 0, sizeof(vsw_cfg));
}

int
vsw_nic_index(unsigned int dev)
{
	unsigned int i;
	int n = 0;

	if (dev >= hv_cfg.ndev)
		return -1;
	for (i = 0; i <= dev; i++) {
		const struct hv_dev_spec *s = &hv_cfg.dev[i];

		if (!s->uio || strcmp(s->class_guid, VSW_NETVSC_CLASS_GUID) != 0) {
			if (i == dev)
				return -1;
			continue;
		}
		if (i == dev)
			return n;
		n++;
	}
	return -1;
}

static unsigned int
nic_count(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < hv_cfg.ndev; i++)
		if (vsw_nic_index(i) >= 0)
			n++;
	return n;
}

/* An interface name the kernel would take (and "%d" for a pattern). */
static bool
parse_ifname(const char *s, char out[IFNAMSIZ])
{
	const char *p;

	if (s[0] == '\0' || strlen(s) >= IFNAMSIZ || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	for (p = s; *p != '\0'; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p) ||
		    !isprint((unsigned char)*p))
			return false;
	snprintf(out, IFNAMSIZ, "%s", s);
	return true;
}

static bool
parse_size(const char *s, struct vsw_gen_spec *g)
{
	uint64_t a, b;
	char lo[16];
	const char *dash;

	if (strcmp(s, "imix") == 0) {
		g->size_mode = VSW_SIZE_IMIX;
		g->size_min = 64;
		g->size_max = 1518;
		return true;
	}
	dash = strchr(s, '-');
	if (dash == NULL) {
		if (!sim_parse_dec(s, VSW_MAX_SIZE, &a) || a < VSW_MIN_SIZE)
			return false;
		g->size_mode = VSW_SIZE_FIXED;
		g->size_min = g->size_max = (uint32_t)a;
		return true;
	}
	if ((size_t)(dash - s) >= sizeof(lo))
		return false;
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	if (!sim_parse_dec(lo, VSW_MAX_SIZE, &a) || !sim_parse_dec(dash + 1, VSW_MAX_SIZE, &b) ||
	    a < VSW_MIN_SIZE || b < a)
		return false;
	g->size_mode = a == b ? VSW_SIZE_FIXED : VSW_SIZE_RANGE;
	g->size_min = (uint32_t)a;
	g->size_max = (uint32_t)b;
	return true;
}

static bool
parse_rate(const char *s, uint64_t *pps)
{
	if (strcmp(s, "max") == 0) {
		*pps = 0;
		return true;
	}
	return sim_parse_dec(s, 100000000, pps) && *pps > 0;
}

/* One key=value of a gen:, sink:, tap: or vf: wire. */
static bool
wire_key(const char *kind, struct vsw_port_spec *p, const char *k, const char *v)
{
	struct vsw_gen_spec *g = &p->gen;
	uint64_t n;

	if (strcmp(kind, "tap") == 0) {
		if (strcmp(k, "ifname") == 0)
			return parse_ifname(v, p->tap_name);
	} else if (strcmp(kind, "vf") == 0) {
		if (strcmp(k, "ifname") == 0)
			return parse_ifname(v, p->vf_name) && strchr(v, '%') == NULL;
		if (strcmp(k, "serial") == 0) {
			if (!sim_parse_dec(v, UINT32_MAX, &n))
				return false;
			p->vf_serial = (uint32_t)n;
			return true;
		}
	} else if (strcmp(kind, "sink") == 0) {
		if (strcmp(k, "mtu") == 0) {
			if (!sim_parse_dec(v, VSW_MAX_FRAME - 18, &n) || n < 68)
				return false;
			p->sink.mtu = (uint32_t)n;
			return true;
		}
		if (strcmp(k, "rate") == 0)
			return parse_rate(v, &p->sink.rate_pps);
	} else if (strcmp(kind, "gen") == 0) {
		if (strcmp(k, "rate") == 0)
			return parse_rate(v, &g->rate_pps);
		if (strcmp(k, "size") == 0)
			return parse_size(v, g);
		if (strcmp(k, "flows") == 0) {
			if (!sim_parse_dec(v, VSW_MAX_FLOWS, &n) || n == 0)
				return false;
			g->flows = (uint32_t)n;
			return true;
		}
		if (strcmp(k, "count") == 0)
			return sim_parse_dec(v, UINT64_MAX / 2, &g->count);
		if (strcmp(k, "vlan") == 0) {
			if (!sim_parse_dec(v, 4094, &n))
				return false;
			g->vlan = (int)n;
			return true;
		}
		if (strcmp(k, "proto") == 0) {
			if (strcmp(v, "udp") == 0)
				g->proto = IPPROTO_UDP;
			else if (strcmp(v, "tcp") == 0)
				g->proto = IPPROTO_TCP;
			else
				return false;
			return true;
		}
		if (strcmp(k, "lossless") == 0)
			return sim_parse_bool(v, &g->lossless);
		if (strcmp(k, "duration") == 0)
			return sim_parse_dec(v, 365ull * 86400 * 1000, &g->duration_ms);
		if (strcmp(k, "start") == 0) {
			if (strcmp(v, "no") == 0) {
				g->start_ms = -1;
				return true;
			}
			if (!sim_parse_dec(v, 86400ull * 1000, &n))
				return false;
			g->start_ms = (int64_t)n;
			return true;
		}
	}
	return false;
}

static int
set_wire(struct vsw_port_spec *p, unsigned int nic, enum vsw_wire_kind kind,
	 char *err, size_t errlen)
{
	if (p->kind != VSW_WIRE_NONE) {
		snprintf(err, errlen, "--wire: NIC %u already has a %s wire", nic,
			 vsw_wire_kind_names[p->kind]);
		return -1;
	}
	p->kind = kind;
	p->used = true;
	return 0;
}

static int
parse_wire(const char *val, char *err, size_t errlen)
{
	char buf[512], *colon, *spec, *tok, *save = NULL, *end;
	struct vsw_port_spec tmp, *p;
	unsigned long nic, peer = 0;
	const char *kind;

	if (val == NULL || strlen(val) >= sizeof(buf) ||
	    (colon = strchr(val, ':')) == NULL) {
		snprintf(err, errlen, "--wire needs KIND:NIC[,key=value...]"
			 " (KIND: loop, link, tap, gen, sink, vf)");
		return -1;
	}
	strcpy(buf, val);
	colon = buf + (colon - val);
	*colon = '\0';
	kind = buf;
	spec = colon + 1;

	tok = strtok_r(spec, ",", &save);
	if (tok == NULL || !isdigit((unsigned char)tok[0])) {
		snprintf(err, errlen, "--wire %s: missing NIC index", val);
		return -1;
	}
	errno = 0;
	nic = strtoul(tok, &end, 10);
	if (strcmp(kind, "link") == 0) {
		if (*end != '-' || !isdigit((unsigned char)end[1])) {
			snprintf(err, errlen, "--wire %s: link needs N-M", val);
			return -1;
		}
		peer = strtoul(end + 1, &end, 10);
	}
	if (errno != 0 || *end != '\0' || nic >= VSW_MAX_PORTS || peer >= VSW_MAX_PORTS) {
		snprintf(err, errlen, "--wire %s: bad NIC index '%s' (0..%d)", val, tok,
			 VSW_MAX_PORTS - 1);
		return -1;
	}

	/* Work on a copy, so a rejected option leaves nothing behind. */
	p = &vsw_cfg.port[nic];
	tmp = *p;
	if (strcmp(kind, "loop") == 0) {
		if (set_wire(&tmp, (unsigned int)nic, VSW_WIRE_LOOP, err, errlen) < 0)
			return -1;
	} else if (strcmp(kind, "link") == 0) {
		struct vsw_port_spec *q = &vsw_cfg.port[peer];

		if (peer == nic) {
			snprintf(err, errlen, "--wire %s: a NIC linked to itself is loop:%lu",
				 val, nic);
			return -1;
		}
		if (q->kind != VSW_WIRE_NONE) {
			snprintf(err, errlen, "--wire: NIC %lu already has a %s wire",
				 peer, vsw_wire_kind_names[q->kind]);
			return -1;
		}
		if (set_wire(&tmp, (unsigned int)nic, VSW_WIRE_LINK, err, errlen) < 0)
			return -1;
		tmp.peer = (unsigned int)peer;
	} else if (strcmp(kind, "tap") == 0) {
		if (set_wire(&tmp, (unsigned int)nic, VSW_WIRE_TAP, err, errlen) < 0)
			return -1;
	} else if (strcmp(kind, "sink") == 0) {
		if (set_wire(&tmp, (unsigned int)nic, VSW_WIRE_SINK, err, errlen) < 0)
			return -1;
		tmp.sink.mtu = VSW_DEFAULT_MTU;
	} else if (strcmp(kind, "gen") == 0) {
		if (tmp.gen.on) {
			snprintf(err, errlen, "--wire %s: NIC %lu already has a generator",
				 val, nic);
			return -1;
		}
		memset(&tmp.gen, 0, sizeof(tmp.gen));
		tmp.gen.on = true;
		tmp.gen.rate_pps = 1000;
		tmp.gen.size_mode = VSW_SIZE_FIXED;
		tmp.gen.size_min = tmp.gen.size_max = 64;
		tmp.gen.flows = 1;
		tmp.gen.vlan = -1;
		tmp.gen.proto = IPPROTO_UDP;
		tmp.used = true;
	} else if (strcmp(kind, "vf") == 0) {
		if (tmp.vf) {
			snprintf(err, errlen, "--wire %s: NIC %lu already has a VF", val, nic);
			return -1;
		}
		tmp.vf = true;
		tmp.vf_serial = (uint32_t)nic + 1;
		tmp.used = true;
	} else {
		snprintf(err, errlen, "--wire %s: unknown kind '%s'"
			 " (loop, link, tap, gen, sink, vf)", val, kind);
		return -1;
	}

	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		char *eq = strchr(tok, '=');

		if (eq == NULL) {
			snprintf(err, errlen, "--wire %s: '%s' is not key=value", val, tok);
			return -1;
		}
		*eq = '\0';
		if (!wire_key(kind, &tmp, tok, eq + 1)) {
			snprintf(err, errlen, "--wire %s: bad key or value '%s=%s' for %s",
				 val, tok, eq + 1, kind);
			return -1;
		}
	}
	if (strcmp(kind, "vf") == 0 && tmp.vf_name[0] == '\0') {
		snprintf(err, errlen, "--wire %s: vf needs ifname=NAME", val);
		return -1;
	}
	*p = tmp;
	if (strcmp(kind, "link") == 0) {
		/* The cable's other end. */
		vsw_cfg.port[peer].kind = VSW_WIRE_LINK;
		vsw_cfg.port[peer].peer = (unsigned int)nic;
		vsw_cfg.port[peer].used = true;
	}
	vsw_cfg.enabled = true;
	return 0;
}

static int
parse_at(const char *val, char *err, size_t errlen)
{
	struct vsw_at *a;
	const char *colon = val != NULL ? strchr(val, ':') : NULL;
	char ms[24];
	uint64_t v;

	if (colon == NULL || colon == val || (size_t)(colon - val) >= sizeof(ms)) {
		snprintf(err, errlen, "--at needs MS:COMMAND");
		return -1;
	}
	memcpy(ms, val, (size_t)(colon - val));
	ms[colon - val] = '\0';
	if (!sim_parse_dec(ms, 86400ull * 1000, &v)) {
		snprintf(err, errlen, "--at %s: bad time '%s' (milliseconds)", val, ms);
		return -1;
	}
	colon++;
	while (*colon == ' ')
		colon++;
	if (*colon == '\0' || strlen(colon) >= VSW_CMD_MAX) {
		snprintf(err, errlen, "--at %s: command empty or longer than %d bytes",
			 val, VSW_CMD_MAX - 1);
		return -1;
	}
	if (vsw_cfg.nat == VSW_MAX_AT) {
		snprintf(err, errlen, "--at: at most %d commands", VSW_MAX_AT);
		return -1;
	}
	a = &vsw_cfg.at[vsw_cfg.nat++];
	a->ms = v;
	snprintf(a->cmd, sizeof(a->cmd), "%s", colon);
	vsw_cfg.enabled = true;
	return 0;
}

int
vsw_config_option(const char *key, const char *val, char *err, size_t errlen)
{
	if (strcmp(key, "wire") == 0)
		return parse_wire(val, err, errlen) < 0 ? -1 : 1;
	if (strcmp(key, "at") == 0)
		return parse_at(val, err, errlen) < 0 ? -1 : 1;
	if (strcmp(key, "report") == 0) {
		if (val == NULL || val[0] == '\0' ||
		    strlen(val) >= sizeof(vsw_cfg.report)) {
			snprintf(err, errlen, "--report needs a file name (< %d bytes)",
				 VSW_REPORT_PATH);
			return -1;
		}
		snprintf(vsw_cfg.report, sizeof(vsw_cfg.report), "%s", val);
		vsw_cfg.enabled = true;
		return 1;
	}
	return 0;
}

int
vsw_config_finish(char *err, size_t errlen)
{
	unsigned int i, j, n = nic_count();

	for (i = 0; i < VSW_MAX_PORTS; i++) {
		const struct vsw_port_spec *p = &vsw_cfg.port[i];

		if (!p->used)
			continue;
		if (i >= n) {
			snprintf(err, errlen, "--wire: no NIC %u (%u netvsc device%s"
				 " bound to uio_hv_generic)", i, n, n == 1 ? "" : "s");
			return -1;
		}
		for (j = 0; j < i; j++) {
			const struct vsw_port_spec *q = &vsw_cfg.port[j];

			if (p->kind == VSW_WIRE_TAP && q->kind == VSW_WIRE_TAP &&
			    p->tap_name[0] != '\0' && strcmp(p->tap_name, q->tap_name) == 0) {
				snprintf(err, errlen, "--wire: NICs %u and %u on one TAP %s",
					 j, i, p->tap_name);
				return -1;
			}
			if (p->vf && q->vf && strcmp(p->vf_name, q->vf_name) == 0) {
				snprintf(err, errlen, "--wire: NICs %u and %u with one VF %s",
					 j, i, p->vf_name);
				return -1;
			}
		}
	}
	/* Commands run in time order, ties in option order. */
	for (i = 1; i < vsw_cfg.nat; i++) {
		struct vsw_at a = vsw_cfg.at[i];

		for (j = i; j > 0 && vsw_cfg.at[j - 1].ms > a.ms; j--)
			vsw_cfg.at[j] = vsw_cfg.at[j - 1];
		vsw_cfg.at[j] = a;
	}
	return 0;
}
