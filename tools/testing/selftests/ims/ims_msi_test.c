// SPDX-License-Identifier: GPL-2.0
/*
 * The MSI capability as an MSI table of one vector, on QEMU's edu driven by
 * the msi-table-test-edu driver (drivers/misc/msi_table_test/edu.c): the
 * block is allocated with the table and handed out by label; the vector
 * fires and is counted on its Linux interrupt; edu has no per vector mask
 * bit, and masking says so; the vector fires again after its CPU went
 * offline and came back while it was free; and the errors of the table
 * API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "msi_table_test.h"

#define DRIVER_DIR	"/sys/bus/pci/drivers/msi-table-test-edu"
#define NR_LABELS	1

FIXTURE(edu) {
	char bdf[64];
	char dir[256];
};

FIXTURE_SETUP(edu)
{
	ASSERT_EQ(0, find_bound(DRIVER_DIR, self->bdf, sizeof(self->bdf))) {
		TH_LOG("%s is bound to no device (%s, QEMU -device edu)",
		       "msi-table-test-edu", "CONFIG_MSI_TABLE_TEST_EDU");
	}
	snprintf(self->dir, sizeof(self->dir), DEBUGFS_DIR "/%s", self->bdf);
	ASSERT_EQ(0, access(self->dir, F_OK));
	free_all(self->dir, NR_LABELS);
}

FIXTURE_TEARDOWN(edu)
{
	free_all(self->dir, NR_LABELS);
}

TEST_F(edu, table_name)
{
	char line[256];

	ASSERT_EQ(0, table_line(self->dir, line, sizeof(line)));
	TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "PCI-MSI-"));
	EXPECT_EQ(NULL, strstr(line, "PCI-MSIX-"));
	EXPECT_NE(NULL, strstr(line, self->bdf));
	EXPECT_NE(NULL, strstr(line, "hwsize 1"));
}

TEST_F(edu, fire_and_count)
{
	char line[512];
	struct vec_state v;

	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	ASSERT_EQ(0, vec(self->dir, 0, &v));
	EXPECT_GT(v.irq, 0);
	fire_and_count(_metadata, self->dir, NR_LABELS, 0, 5);

	ASSERT_EQ(0, proc_line(v.irq, line, sizeof(line)));
	TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "msi-table-test-edu"));
	EXPECT_NE(NULL, strstr(line, "PCI-MSI-"));
	EXPECT_TRUE(proc_hwirq_edge(line, 0));
}

/* The block stays allocated: giving the vector back and taking it again */
TEST_F(edu, hand_back_and_again)
{
	struct vec_state a = { .irq = -1 }, b;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, drv(self->dir, "alloc any"));
		ASSERT_EQ(0, vec(self->dir, 0, &b));
		if (i)
			EXPECT_EQ(a.irq, b.irq);
		a = b;
		fire_and_count(_metadata, self->dir, NR_LABELS, 0, 1);
		ASSERT_EQ(0, drv(self->dir, "free 0"));
	}
}

TEST_F(edu, errors)
{
	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	EXPECT_EQ(-EBUSY, drv(self->dir, "alloc 0"));
	EXPECT_EQ(-ENOSPC, drv(self->dir, "alloc any"));
	EXPECT_EQ(-ERANGE, drv(self->dir, "alloc 1"));
	EXPECT_EQ(-ERANGE, drv(self->dir, "range 0 1"));
	/* No per vector mask bit: masking is refused, not emulated */
	EXPECT_EQ(-EOPNOTSUPP, drv(self->dir, "mask 0"));
	EXPECT_EQ(-EBUSY, drv(self->dir, "table"));
	EXPECT_EQ(-EBUSY, drv(self->dir, "legacy"));
	fire_and_count(_metadata, self->dir, NR_LABELS, 0, 1);
}

/* The other order: vectors of pci_alloc_irq_vectors() first, then a table */
TEST_F(edu, table_after_legacy_vectors)
{
	EXPECT_EQ(-EBUSY, drv(self->dir, "after-legacy"));
	/* The driver took the table again: it works as before */
	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	fire_and_count(_metadata, self->dir, NR_LABELS, 0, 1);
}

/*
 * edu's MSI cannot be masked, so x86 keeps the vector of its interrupt
 * when it is freed. Its CPU going offline and coming back while the
 * interrupt is free must not leave it on a vector which the CPU no longer
 * handles when it is requested again.
 */
TEST_F(edu, vector_survives_cpu_hotplug_while_free)
{
	const char *online = "/sys/devices/system/cpu/cpu1/online";
	struct vec_state v;
	char path[128];
	int tries;

	if (access(online, W_OK))
		SKIP(return, "CPU 1 cannot go offline");
	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	ASSERT_EQ(0, vec(self->dir, 0, &v));
	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", v.irq);
	ASSERT_EQ(0, write_str(path, "1"));
	/* A move takes effect at the next interrupt */
	for (tries = 0; tries < 20; tries++) {
		ASSERT_EQ(0, drv(self->dir, "fire 0"));
		ASSERT_EQ(0, vec(self->dir, 0, &v));
		if (v.cpu == 1)
			break;
		usleep(20000);
	}
	ASSERT_EQ(1, v.cpu);
	ASSERT_EQ(0, drv(self->dir, "free 0"));

	ASSERT_EQ(0, write_str(online, "0"));
	ASSERT_EQ(0, write_str(online, "1"));
	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	fire_and_count(_metadata, self->dir, NR_LABELS, 0, 2);
}

TEST_HARNESS_MAIN
