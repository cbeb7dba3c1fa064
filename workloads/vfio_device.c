/* Finding the PCI device bound to vfio-pci that the vfio and iommufd
 * backends map for (see vfio_device.h). */
#include "config.h"
#include "vfio_device.h"
#include "util.h"
#include "paths.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCI_DEVICES "/sys/bus/pci/devices"
#define VFIO_PCI_DRIVER "/sys/bus/pci/drivers/vfio-pci"

bool vfio_is_pci_address(const char *s)
{
	unsigned d, b, dev, fn;
	int n = 0;

	return sscanf(s, "%4x:%2x:%2x.%1x%n", &d, &b, &dev, &fn, &n) == 4 && !s[n] && strlen(s) == 12;
}

void vfio_pci_each(void (*fn)(const char *addr, void *arg), void *arg)
{
	DIR *d = opendir(VFIO_PCI_DRIVER);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (vfio_is_pci_address(de->d_name))
			fn(de->d_name, arg);
	if (d)
		closedir(d);
}

static void take_first(const char *addr, void *arg)
{
	char *first = arg;

	if (!*first)
		snprintf(first, VFIO_PCI_ADDR_LEN, "%.12s", addr); /* vfio_is_pci_address: 12 */
}

/* The basename a sysfs link points to, or "" when there is no link. */
static void link_name(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	buf[0] = '\0';
	if (n <= 0)
		return;
	target[n] = '\0';
	const char *base = path_base(target);
	if (strlen(base) < len)
		memcpy(buf, base, strlen(base) + 1);
}

int vfio_pci_device(const char *device, char addr[VFIO_PCI_ADDR_LEN], char *why, size_t len)
{
	char path[PATH_MAX], name[NAME_MAX + 1];

	addr[0] = '\0';
	if (!device || !*device || !strcmp(device, "auto")) {
		vfio_pci_each(take_first, addr);
		if (!*addr) {
			snprintf(why, len, "no PCI device is bound to vfio-pci (echo vfio-pci > %s/ADDR/driver_override; "
				 "echo ADDR > /sys/bus/pci/drivers_probe; pinbench vm --vfio gives a guest one)",
				 PCI_DEVICES);
			return -ENODEV;
		}
	} else if (!vfio_is_pci_address(device)) {
		snprintf(why, len, "device '%s' is not a PCI address DOMAIN:BUS:DEV.FN such as 0000:00:03.0", device);
		return -EINVAL;
	} else {
		snprintf(addr, VFIO_PCI_ADDR_LEN, "%.12s", device);
	}
	snprintf(path, sizeof(path), PCI_DEVICES "/%s", addr);
	if (access(path, F_OK)) {
		snprintf(why, len, "no PCI device %s", addr);
		return -ENODEV;
	}
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", addr);
	link_name(path, name, sizeof(name));
	if (strcmp(name, "vfio-pci")) {
		snprintf(why, len, "%s is %s%s, not to vfio-pci", addr, *name ? "bound to " : "bound to no driver",
			 name);
		return -EBUSY;
	}
	return 0;
}

int vfio_device_group(const char *addr, char *why, size_t len)
{
	char path[PATH_MAX], name[NAME_MAX + 1];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", addr);
	link_name(path, name, sizeof(name));
	if (!*name) {
		snprintf(why, len, "%s has no IOMMU group (no IOMMU: intel_iommu=on?)", addr);
		return -ENODEV;
	}
	return atoi(name);
}

int vfio_device_cdev(const char *addr, char *path, size_t plen, char *why, size_t len)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *de;
	unsigned n;
	int found = 0;

	snprintf(dir, sizeof(dir), PCI_DEVICES "/%s/vfio-dev", addr);
	d = opendir(dir);
	while (d && !found && (de = readdir(d))) {
		char c;
		if (sscanf(de->d_name, "vfio%u%c", &n, &c) == 1)
			found = 1;
	}
	if (d)
		closedir(d);
	if (!found) {
		snprintf(why, len, "%s has no VFIO device cdev (%s): kernel without CONFIG_VFIO_DEVICE_CDEV (6.6+)", addr,
			 dir);
		return -ENODEV;
	}
	snprintf(path, plen, "/dev/vfio/devices/vfio%u", n);
	return 0;
}

int vfio_group_of(const char *device, char *why, size_t len)
{
	char addr[VFIO_PCI_ADDR_LEN];
	int ret = vfio_pci_device(device, addr, why, len);

	return ret ? ret : vfio_device_group(addr, why, len);
}
