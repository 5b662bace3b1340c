// SPDX-License-Identifier: GPL-2.0
/*
 * Multi-MSI tables on QEMU's nec-usb-xhci controller (16 MSI vectors, no per
 * vector mask bits), driven by the msi-table-test-xhci driver
 * (drivers/misc/msi_table_test/xhci.c): a table is created with its block
 * size, a power of two the function supports; the whole block is
 * allocated then, as one block of Linux interrupts and, under interrupt
 * remapping, one aligned block of IRTEs, whose first message the
 * capability holds with Multiple Message Enable set to the block size;
 * the device sends vector n as that message's data + n, and each label
 * counts its own interrupts. Without interrupt remapping the x86 vector
 * domain cannot serve a block: -EOPNOTSUPP, while a block of one works.
 * A GICv3 ITS (arm64) serves blocks: a block of event IDs of the function.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "msi_table_test.h"

#define DRIVER_DIR	"/sys/bus/pci/drivers/msi-table-test-xhci"
#define NR_LABELS	16

#define PCI_CAP_LIST	0x34
#define PCI_CAP_ID_MSI	0x05
#define MSI_FLAGS_ENABLE	0x0001
#define MSI_FLAGS_QMASK		0x000e
#define MSI_FLAGS_QSIZE		0x0070
#define MSI_FLAGS_64BIT		0x0080

struct msi_cap {
	int flags;
	unsigned long long addr;
	int data;
};

/* The function's MSI capability, as its configuration space holds it */
static int read_msi_cap(const char *bdf, struct msi_cap *c)
{
	unsigned char cfg[256];
	char path[128];
	int pos, guard;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fread(cfg, 1, sizeof(cfg), f) != sizeof(cfg)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	for (pos = cfg[PCI_CAP_LIST] & ~3, guard = 0; pos && guard < 48;
	     pos = cfg[pos + 1] & ~3, guard++) {
		if (cfg[pos] != PCI_CAP_ID_MSI)
			continue;
		c->flags = cfg[pos + 2] | cfg[pos + 3] << 8;
		c->addr = cfg[pos + 4] | cfg[pos + 5] << 8 | cfg[pos + 6] << 16 |
			  (unsigned long long)cfg[pos + 7] << 24;
		if (c->flags & MSI_FLAGS_64BIT) {
			c->addr |= (unsigned long long)(cfg[pos + 8] | cfg[pos + 9] << 8 |
				    cfg[pos + 10] << 16 | (unsigned int)cfg[pos + 11] << 24) << 32;
			pos += 4;
		}
		c->data = cfg[pos + 8] | cfg[pos + 9] << 8;
		return 0;
	}
	return -ENOENT;
}

/* VT-d interrupt remapping is on: a DMAR unit is registered */
static int remapping_on(void)
{
	struct dirent *de;
	DIR *dir = opendir("/sys/class/iommu");
	int found = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		found |= !strncmp(de->d_name, "dmar", 4);
	closedir(dir);
	return found;
}

FIXTURE(xhci) {
	char bdf[64];
	char dir[256];
};

FIXTURE_SETUP(xhci)
{
	ASSERT_EQ(0, find_bound(DRIVER_DIR, self->bdf, sizeof(self->bdf))) {
		TH_LOG("%s is bound to no device (%s, QEMU -device nec-usb-xhci)",
		       "msi-table-test-xhci", "CONFIG_MSI_TABLE_TEST_XHCI");
	}
	snprintf(self->dir, sizeof(self->dir), DEBUGFS_DIR "/%s", self->bdf);
	ASSERT_EQ(0, access(self->dir, F_OK));
	drv(self->dir, "destroy");
}

FIXTURE_TEARDOWN(xhci)
{
	drv(self->dir, "destroy");
}

/* Sizes the capability or the MSI block format cannot hold */
TEST_F(xhci, block_sizes)
{
	struct msi_cap c;

	ASSERT_EQ(0, read_msi_cap(self->bdf, &c));
	/* Multiple Message Capable: 16 vectors */
	ASSERT_EQ(4, (c.flags & MSI_FLAGS_QMASK) >> 1);
	EXPECT_EQ(0, c.flags & MSI_FLAGS_ENABLE);
	EXPECT_EQ(-EINVAL, drv(self->dir, "create 0"));
	EXPECT_EQ(-EINVAL, drv(self->dir, "create 3"));
	EXPECT_EQ(-EINVAL, drv(self->dir, "create 12"));
	/* More than the function's 16 */
	EXPECT_EQ(-EINVAL, drv(self->dir, "create 32"));
	EXPECT_EQ(-EINVAL, drv(self->dir, "create 64"));
	ASSERT_EQ(0, read_msi_cap(self->bdf, &c));
	EXPECT_EQ(0, c.flags & MSI_FLAGS_ENABLE);

	/* A block of one is plain MSI, on any parent */
	ASSERT_EQ(0, drv(self->dir, "create 1"));
	ASSERT_EQ(0, read_msi_cap(self->bdf, &c));
	EXPECT_EQ(MSI_FLAGS_ENABLE, c.flags & MSI_FLAGS_ENABLE);
	EXPECT_EQ(0, c.flags & MSI_FLAGS_QSIZE);
	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	EXPECT_EQ(-ERANGE, drv(self->dir, "alloc 1"));
	fire_and_count(_metadata, self->dir, 1, 0, 3);
	ASSERT_EQ(0, drv(self->dir, "destroy"));
	ASSERT_EQ(0, read_msi_cap(self->bdf, &c));
	EXPECT_EQ(0, c.flags & MSI_FLAGS_ENABLE);
}

/* The x86 vector domain cannot give a block of vectors */
TEST_F(xhci, refused_without_remapping)
{
	struct msi_cap c;

	if (remapping_on())
		SKIP(return, "interrupt remapping is on: blocks are served");
	if (access("/sys/kernel/debug/irq/domains/VECTOR", F_OK))
		SKIP(return, "MSI parent is not the x86 vector domain: blocks are served");
	EXPECT_EQ(-EOPNOTSUPP, drv(self->dir, "create 2"));
	EXPECT_EQ(-EOPNOTSUPP, drv(self->dir, "create 16"));
	ASSERT_EQ(0, read_msi_cap(self->bdf, &c));
	EXPECT_EQ(0, c.flags & MSI_FLAGS_ENABLE);
}

/*
 * A block of 8: contiguous Linux interrupts, the capability enabled with
 * Multiple Message Enable 8, labels handed out by label, range and any,
 * each fired and counted on its own vector only.
 */
TEST_F(xhci, block_of_eight)
{
	struct vec_state v[8];
	struct msi_cap c;
	char line[256];
	int l, ret;

	ret = drv(self->dir, "create 8");
	if (ret == -EOPNOTSUPP && !remapping_on())
		SKIP(return, "no interrupt remapping: no multi-MSI (refused_without_remapping)");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, table_line(self->dir, line, sizeof(line)));
	TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "PCI-MSI-"));
	EXPECT_NE(NULL, strstr(line, "hwsize 8"));
	ASSERT_EQ(0, read_msi_cap(self->bdf, &c));
	TH_LOG("MSI flags %#x address %#llx data %#x", c.flags, c.addr, c.data);
	EXPECT_EQ(MSI_FLAGS_ENABLE, c.flags & MSI_FLAGS_ENABLE);
	EXPECT_EQ(3 << 4, c.flags & MSI_FLAGS_QSIZE);
	/* The device ORs the vector number into the data: its low bits are 0 */
	EXPECT_EQ(0, c.data & 7);

	ASSERT_EQ(0, drv(self->dir, "alloc 5"));
	ASSERT_EQ(0, drv(self->dir, "range 0 1"));
	ASSERT_EQ(0, drv(self->dir, "range 0 1"));
	EXPECT_EQ(-ENOSPC, drv(self->dir, "range 0 1"));
	EXPECT_EQ(-EBUSY, drv(self->dir, "alloc 5"));
	for (l = 0; l < 5; l++)
		ASSERT_EQ(0, drv(self->dir, "alloc any"));
	EXPECT_EQ(-ENOSPC, drv(self->dir, "alloc any"));
	EXPECT_EQ(-ERANGE, drv(self->dir, "alloc 8"));
	EXPECT_EQ(-ERANGE, drv(self->dir, "range 6 8"));
	/* No per vector mask bits: masking is refused, not emulated */
	EXPECT_EQ(-EOPNOTSUPP, drv(self->dir, "mask 3"));

	for (l = 0; l < 8; l++) {
		ASSERT_EQ(0, vec(self->dir, l, &v[l]));
		EXPECT_EQ(v[0].irq + l, v[l].irq);
	}
	for (l = 0; l < 8; l++)
		fire_and_count(_metadata, self->dir, 8, l, 2);
	/* In reverse: no vector answers for another */
	for (l = 7; l >= 0; l--)
		fire_and_count(_metadata, self->dir, 8, l, 1);
}

/*
 * Under interrupt remapping the capability's message is the handle of the
 * block's first IRTE with the subhandle valid, the device adds the vector
 * number as subhandle, and the block's IRTEs are consecutive, each
 * checking the function's requester ID.
 */
TEST_F(xhci, irte_block)
{
	unsigned long long high;
	struct msi_cap c;
	char srcid[16];
	int l, idx;

	if (!remapping_on())
		SKIP(return, "no interrupt remapping");
	ASSERT_EQ(0, drv(self->dir, "create 4"));
	for (l = 0; l < 4; l++)
		ASSERT_EQ(0, drv(self->dir, "alloc %d", l));
	ASSERT_EQ(0, read_msi_cap(self->bdf, &c));
	/* Remappable format, subhandle valid */
	ASSERT_EQ(0x18, c.addr & 0x18);
	idx = msg_handle(c.addr);
	/* An aligned block */
	EXPECT_EQ(0, idx & 3);
	for (l = 0; l < 4; l++) {
		ASSERT_EQ(0, irte_at(idx + l, srcid, sizeof(srcid), &high)) {
			TH_LOG("no IRTE %d for label %d", idx + l, l);
		}
		EXPECT_EQ(0, strcmp(srcid, self->bdf + 5));
		EXPECT_EQ(1, (high >> 18) & 3);
	}
	ASSERT_EQ(0, drv(self->dir, "destroy"));
	for (l = 0; l < 4; l++)
		EXPECT_EQ(-ENOENT, irte_at(idx + l, srcid, sizeof(srcid), &high));
}

/*
 * The function loses its MSI state (enable, Multiple Message Enable, the
 * message), as in a reset: the PCI core's restore writes the block back
 * from label 0's descriptor, and every label fires again. A block of 8
 * under interrupt remapping, of 1 without it.
 */
TEST_F(xhci, state_restored)
{
	struct msi_cap before, after;
	int l, n = 8, ret;

	ret = drv(self->dir, "create 8");
	if (ret == -EOPNOTSUPP && !remapping_on()) {
		n = 1;
		ret = drv(self->dir, "create 1");
	}
	ASSERT_EQ(0, ret);
	for (l = 0; l < n; l++)
		ASSERT_EQ(0, drv(self->dir, "alloc %d", l));
	ASSERT_EQ(0, read_msi_cap(self->bdf, &before));
	ASSERT_EQ(0, drv(self->dir, "lose-msi-state"));
	ASSERT_EQ(0, read_msi_cap(self->bdf, &after));
	EXPECT_EQ(before.flags, after.flags);
	EXPECT_EQ(before.addr, after.addr);
	EXPECT_EQ(before.data, after.data);
	TH_LOG("block of %d: flags %#x address %#llx data %#x, restored", n, after.flags,
	       after.addr, after.data);
	for (l = 0; l < n; l++)
		fire_and_count(_metadata, self->dir, n, l, 1);
}

/*
 * Label 0 given back first while the others stay in use: its free_irq()
 * deactivates it, yet the capability keeps the block's message, which
 * label 0's descriptor speaks for, and every other label still fires on
 * its own vector. Label 0 then comes back and fires too.
 */
TEST_F(xhci, first_label_freed_first)
{
	struct msi_cap before, after;
	int l, ret;

	ret = drv(self->dir, "create 4");
	if (ret == -EOPNOTSUPP && !remapping_on())
		SKIP(return, "no interrupt remapping: no multi-MSI (refused_without_remapping)");
	ASSERT_EQ(0, ret);
	for (l = 0; l < 4; l++)
		ASSERT_EQ(0, drv(self->dir, "alloc %d", l));
	ASSERT_EQ(0, read_msi_cap(self->bdf, &before));
	ASSERT_EQ(0, drv(self->dir, "free 0"));
	ASSERT_EQ(0, read_msi_cap(self->bdf, &after));
	EXPECT_EQ(MSI_FLAGS_ENABLE, after.flags & MSI_FLAGS_ENABLE);
	EXPECT_EQ(before.addr, after.addr);
	EXPECT_EQ(before.data, after.data);
	for (l = 1; l < 4; l++)
		fire_and_count(_metadata, self->dir, 4, l, 2);
	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	for (l = 0; l < 4; l++)
		fire_and_count(_metadata, self->dir, 4, l, 1);
}

/* All 16, a label given back and taken again, and an affinity move */
TEST_F(xhci, every_vector_of_sixteen)
{
	const char *online = "/sys/devices/system/cpu/cpu1/online";
	struct vec_state a, b;
	char path[128];
	int l, ret, tries;

	ret = drv(self->dir, "create 16");
	if (ret == -EOPNOTSUPP && !remapping_on())
		SKIP(return, "no interrupt remapping: no multi-MSI (refused_without_remapping)");
	ASSERT_EQ(0, ret);
	for (l = 0; l < NR_LABELS; l++)
		ASSERT_EQ(0, drv(self->dir, "alloc %d", l));
	for (l = 0; l < NR_LABELS; l++)
		fire_and_count(_metadata, self->dir, NR_LABELS, l, 1);

	/* The block stays allocated: the same interrupt comes back */
	ASSERT_EQ(0, vec(self->dir, 9, &a));
	ASSERT_EQ(0, drv(self->dir, "free 9"));
	fire_and_count(_metadata, self->dir, NR_LABELS, 10, 1);
	ASSERT_EQ(0, drv(self->dir, "alloc any"));
	ASSERT_EQ(0, vec(self->dir, 9, &b));
	EXPECT_EQ(a.irq, b.irq);
	fire_and_count(_metadata, self->dir, NR_LABELS, 9, 1);

	if (access(online, F_OK))
		SKIP(return, "one CPU: no affinity move");
	/* One vector of the block moves to CPU 1, alone */
	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", b.irq);
	ASSERT_EQ(0, write_str(path, "1"));
	for (tries = 0; tries < 20; tries++) {
		fire_and_count(_metadata, self->dir, NR_LABELS, 9, 1);
		ASSERT_EQ(0, vec(self->dir, 9, &b));
		if (b.cpu == 1)
			break;
		usleep(20000);
	}
	EXPECT_EQ(1, b.cpu);
	ASSERT_EQ(0, vec(self->dir, 10, &a));
	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", a.irq);
	ASSERT_EQ(0, write_str(path, "0"));
	fire_and_count(_metadata, self->dir, NR_LABELS, 10, 2);
	ASSERT_EQ(0, vec(self->dir, 10, &a));
	EXPECT_EQ(0, a.cpu);
}

TEST_HARNESS_MAIN
