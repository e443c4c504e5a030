/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vfio-pci mode of the DSA model (to come): the device handed to user space
 * through VFIO, BAR0 registers and BAR2 portals.
 */
#include "dsa_model.h"

int
dsa_vfio_setup(void)
{
	return 0;
}

int
dsa_vfio_build(void)
{
	return 0;
}
