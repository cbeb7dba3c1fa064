/* The PCI device a VFIO-based pin backend maps for, shared by the vfio
 * (type1 container) and iommufd (device cdev) backends: the same `device`
 * key (auto or DOMAIN:BUS:DEV.FN), found and checked the same way. */
#ifndef PB_VFIO_DEVICE_H
#define PB_VFIO_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

#define VFIO_PCI_ADDR_LEN 16 /* "0000:00:03.0" and its NUL, with room */

/* The `device` key, as each backend's option table declares it. */
struct vfio_device_cfg {
	char device[OPT_STRING_MAX];
};

#define VFIO_DEVICE_OPTION                                                                              \
	OPT_STRING(struct vfio_device_cfg, device, "device", "auto", NULL,                              \
		   "the PCI device (DOMAIN:BUS:DEV.FN) bound to vfio-pci to map for; auto: the first one")

/* Whether s is DOMAIN:BUS:DEV.FN, such as 0000:00:03.0. */
bool vfio_is_pci_address(const char *s);

/* The device `device` names (auto: the first bound to vfio-pci), checked
 * to exist and to be bound to vfio-pci: its address into addr, 0, or
 * -errno with the reason in why. */
int vfio_pci_device(const char *device, char addr[VFIO_PCI_ADDR_LEN], char *why, size_t len);

/* The IOMMU group of such a device: the number, or -errno with why. */
int vfio_device_group(const char *addr, char *why, size_t len);

/* The IOMMU group of the device `device` names (vfio_pci_device, then
 * vfio_device_group): the number, or -errno with why. */
int vfio_group_of(const char *device, char *why, size_t len);

/* The path of the device's VFIO cdev (/dev/vfio/devices/vfioN) into path:
 * 0, or -errno with why (a kernel without CONFIG_VFIO_DEVICE_CDEV). */
int vfio_device_cdev(const char *addr, char *path, size_t plen, char *why, size_t len);

/* Calls fn for every device bound to vfio-pci. */
void vfio_pci_each(void (*fn)(const char *addr, void *arg), void *arg);

#endif
