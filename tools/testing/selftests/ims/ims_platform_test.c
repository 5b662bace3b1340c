// SPDX-License-Identifier: GPL-2.0
/*
 * IMS (Interrupt Message Store) depends on interrupt remapping on x86: the
 * message a device stores is a remappable one, looked up in the IRTE that
 * the interrupt remapping domain owns. These tests check the platform the
 * other IMS tests run on: the remapping hardware is on, its irqdomain sits
 * on the vector domain, and the test devices are present.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#define DOMAINS_DIR	"/sys/kernel/debug/irq/domains"
#define IOMMU_DIR	"/sys/class/iommu"
#define PCI_DIR		"/sys/bus/pci/devices"

/* VT-d extended capability: Interrupt Remapping support */
#define VTD_ECAP_IR	0x8ULL

static int read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/* Find the first debugfs irqdomain file whose name starts with @prefix. */
static int find_domain(const char *prefix, char *name, size_t size)
{
	struct dirent *de;
	DIR *dir;
	int ret = -ENOENT;

	dir = opendir(DOMAINS_DIR);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (!strncmp(de->d_name, prefix, strlen(prefix))) {
			snprintf(name, size, "%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(dir);
	return ret;
}

TEST(vtd_ir_enabled)
{
	char path[512], buf[64];
	unsigned long long ecap;
	struct dirent *de;
	int units = 0;
	DIR *dir;

	dir = opendir(IOMMU_DIR);
	if (!dir)
		SKIP(return, "no %s: kernel without IOMMU support", IOMMU_DIR);
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "dmar", 4))
			continue;
		snprintf(path, sizeof(path), IOMMU_DIR "/%s/intel-iommu/ecap",
			 de->d_name);
		ASSERT_LT(0, read_file(path, buf, sizeof(buf)));
		ecap = strtoull(buf, NULL, 16);
		TH_LOG("%s: ecap %#llx", de->d_name, ecap);
		EXPECT_TRUE(ecap & VTD_ECAP_IR);
		units++;
	}
	closedir(dir);
	if (!units)
		SKIP(return, "no VT-d unit");
}

TEST(ir_domain_on_vector_domain)
{
	char name[256], path[512], buf[4096];
	char *parent;

	if (access(DOMAINS_DIR, R_OK))
		SKIP(return, "no %s (CONFIG_GENERIC_IRQ_DEBUGFS, debugfs)",
		     DOMAINS_DIR);
	if (find_domain("INTEL-IR-", name, sizeof(name)) &&
	    find_domain("AMD-IR-", name, sizeof(name)))
		SKIP(return, "no interrupt remapping irqdomain");

	snprintf(path, sizeof(path), DOMAINS_DIR "/%s", name);
	ASSERT_LT(0, read_file(path, buf, sizeof(buf)));

	/* The domain file shows the parent chain, nested: IR -> VECTOR. */
	parent = strstr(buf, "parent:");
	ASSERT_NE(NULL, parent);
	TH_LOG("%s, %.*s", name, (int)strcspn(parent, "\n"), parent);
	EXPECT_NE(NULL, strstr(parent, "name:   VECTOR"));
}

/*
 * Every MSI or MSI-X vector of a PCI device (the root port's, at least) is
 * allocated from a per-device PCI/MSI domain. With interrupt remapping its
 * parent is the IR domain, which sits on the vector domain; without, it sits
 * on the vector domain directly. On arm64 (no x86 vector domain) the
 * parent is the GICv3 ITS, which sits on the GICv3.
 */
TEST(pci_msi_vector_hierarchy)
{
	char path[512], buf[8192], name[256], *dom, *next;
	struct dirent *de, *ie;
	int vectors = 0;
	DIR *dir, *irqs;
	const char *chip;
	bool ir, its;

	if (access("/sys/kernel/debug/irq/irqs", R_OK))
		SKIP(return, "no /sys/kernel/debug/irq/irqs");
	ir = !find_domain("INTEL-IR-", name, sizeof(name));
	its = access(DOMAINS_DIR "/VECTOR", F_OK) != 0;
	dir = opendir(PCI_DIR);
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		snprintf(path, sizeof(path), PCI_DIR "/%s/msi_irqs", de->d_name);
		irqs = opendir(path);
		if (!irqs)
			continue;
		while ((ie = readdir(irqs))) {
			if (ie->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/kernel/debug/irq/irqs/%s",
				 ie->d_name);
			ASSERT_LT(0, read_file(path, buf, sizeof(buf)));
			dom = strstr(buf, "domain:  ");
			ASSERT_NE(NULL, dom);
			TH_LOG("%s irq %s: %.*s", de->d_name, ie->d_name,
			       (int)strcspn(dom, "\n"), dom);
			vectors++;
			if (its) {
				/* ITS-PCI-MSI(X)-<device>, chip ITS, chip GICv3 */
				EXPECT_EQ(0, strncmp(dom, "domain:  ITS-PCI-MSI", 20));
				next = strstr(dom + 1, "domain:  ");
				ASSERT_NE(NULL, next);
				chip = strstr(next, "chip:");
				EXPECT_EQ(0, strncmp(chip ?: "", "chip:    ITS\n", 13));
				next = strstr(next + 1, "domain:  ");
				ASSERT_NE(NULL, next);
				chip = strstr(next, "chip:");
				EXPECT_EQ(0, strncmp(chip ?: "", "chip:    GICv3\n", 15));
				continue;
			}
			EXPECT_EQ(0, strncmp(dom, ir ? "domain:  IR-PCI-MSI" :
					     "domain:  PCI-MSI", ir ? 19 : 16));
			next = strstr(dom + 1, "domain:  ");
			ASSERT_NE(NULL, next);
			if (ir) {
				EXPECT_EQ(0, strncmp(next, "domain:  INTEL-IR-", 18));
				next = strstr(next + 1, "domain:  ");
				ASSERT_NE(NULL, next);
			}
			EXPECT_EQ(0, strncmp(next, "domain:  VECTOR", 15));
		}
		closedir(irqs);
	}
	closedir(dir);
	if (!vectors)
		SKIP(return, "no PCI device has MSI vectors");
}

/* The devices the IMS, MSI and MSI-X tests drive. */
static int find_pci(const char *vendor, const char *device, char *bdf,
		    size_t size)
{
	char path[512], v[16], d[16];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *dir;

	dir = opendir(PCI_DIR);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DIR "/%s/vendor", de->d_name);
		if (read_file(path, v, sizeof(v)) <= 0)
			continue;
		snprintf(path, sizeof(path), PCI_DIR "/%s/device", de->d_name);
		if (read_file(path, d, sizeof(d)) <= 0)
			continue;
		if (!strncmp(v, vendor, strlen(vendor)) &&
		    !strncmp(d, device, strlen(device))) {
			snprintf(bdf, size, "%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(dir);
	return ret;
}

FIXTURE(test_device) {
	char bdf[256];
};

FIXTURE_VARIANT(test_device) {
	const char *vendor;
	const char *device;
	const char *what;
	const char *test_driver;	/* the series' driver for it, if any */
};

FIXTURE_VARIANT_ADD(test_device, edu) {
	.vendor = "0x1234",
	.device = "0x11e8",
	.what = "QEMU edu (MSI, IDXD-like IMS in device memory)",
	.test_driver = "msi-table-test-edu",
};

FIXTURE_VARIANT_ADD(test_device, e1000e) {
	.vendor = "0x8086",
	.device = "0x10d3",
	.what = "QEMU e1000e (MSI-X)",
	.test_driver = "msi-table-test-e1000e",
};

FIXTURE_SETUP(test_device)
{
	if (find_pci(variant->vendor, variant->device, self->bdf,
		     sizeof(self->bdf)))
		SKIP(return, "no %s", variant->what);
}

FIXTURE_TEARDOWN(test_device)
{
}

TEST_F(test_device, no_foreign_driver)
{
	char path[512], link[512];
	const char *name;
	ssize_t n;

	TH_LOG("%s at %s", variant->what, self->bdf);
	/* Only the series' test driver may own the device the tests drive. */
	snprintf(path, sizeof(path), PCI_DIR "/%s/driver", self->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		ASSERT_EQ(ENOENT, errno);
		return;
	}
	link[n] = '\0';
	name = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	TH_LOG("bound to %s", name);
	ASSERT_NE(NULL, variant->test_driver);
	EXPECT_STREQ(variant->test_driver, name);
}

TEST_HARNESS_MAIN
