/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Public interface of libudrv_sim.so for programs that run under simrun.
 *
 * Programs should not link against the library (it is preloaded only under
 * simrun); resolve udrv_sim_ctl with dlsym(RTLD_DEFAULT, HV_SIM_CTL_SYMBOL)
 * as hv_echo_proto.h describes. Commands (one per call):
 *
 *   list                      one line per device:
 *                             "uuid class relid uioN|- monitor_id|-"
 *   stats <uuid>              one line per channel of key=value pairs
 *   rescind <uuid>            the host rescinds the device
 *   stall <uuid> <relid|all> <ms>
 *                             the host stops reading channel(s) for ms
 *   offer-subch <uuid> <n>    the host offers n more sub-channels
 *   wire <nic> up|down        virtual switch: link flap on NIC nic's wire
 *   gen <nic> start|stop|rate <pps|max>
 *                             the traffic generator feeding NIC nic
 *   vswitch report            key=value lines per port, generator and
 *                             sink (also written to --report FILE)
 *   nic <nic|all> stats       synthetic NIC: state and counters, one line,
 *                             then one line per channel (<nic>: NIC number
 *                             or device uuid)
 *   link <nic> up|down        the host's side of the NIC's link
 *   vf <nic> add|remove       VF association (remove: data path back first)
 *   datapath <nic> synthetic  the host takes the data path back
 *   noack <nic> on|off        withhold send completions / release them
 *   corrupt <nic> <queue> desc|type|len
 *                             ring corruption in the guest's receive ring
 *   inject <nic> <kind> [queue]
 *                             a malformed NVSP/RNDIS message (kinds in
 *                             doc/simulator.md)
 *
 * Returns 0 or a negative errno; reply (may be NULL) receives the text.
 */
#ifndef UDRV_SIM_H
#define UDRV_SIM_H

int udrv_sim_ctl(const char *cmd, char *reply, unsigned int reply_len);

#endif /* UDRV_SIM_H */
