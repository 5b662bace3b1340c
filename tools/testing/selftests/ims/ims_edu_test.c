// SPDX-License-Identifier: GPL-2.0
/*
 * IMS tables on an IDXD-like device: QEMU's edu, driven by the
 * msi-table-test-edu driver (drivers/misc/msi_table_test/edu.c) through
 * its debugfs directories ims/ (an array of 64 slots in the device) and
 * ims-mem/ (entries in queue contexts in host memory, written back from a
 * sleeping path). Both run the same tests:
 * - vectors allocated by slot, in a range and anywhere, each fired by the
 *   device with the message it reads back from its store and counted on its
 *   own Linux interrupt;
 * - a masked entry holds its interrupt pending until it is unmasked;
 * - affinity changes between fires lose nothing and write nothing to the
 *   device;
 * - CPU hotplug: a vector on the CPU migrates and keeps firing, a managed
 *   one is shut down with its CPU, its entry cleared and refused by the
 *   device, and it comes back with its CPU;
 * - free and reallocation, a full table, bad labels and double frees, and
 *   that a table leaves no interrupt descriptor and no IRTE behind;
 * - the function's MSI vector beside the IMS vectors.
 * IMS needs VT-d interrupt remapping on the host: elsewhere the tests skip
 * (ims_gating_test checks the refusal).
 *
 * The fixture remap checks why: the remapping entry of an IMS vector
 * checks the function's requester ID, and a stale message (its entry gone)
 * that the device sends is refused, which QEMU reports on its own stderr
 * (dev/check reads it: dev/qemu/ir.qemu-expect).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "msi_table_test.h"

#define DRIVER_DIR	"/sys/bus/pci/drivers/msi-table-test-edu"
#define NR_SLOTS	64

/* A remappable message: 0xFEExxxxx with the remapping format bit */
static int remappable(const struct ims_entry *s)
{
	return (s->addr & 0xfff00000ULL) == 0xfee00000ULL && (s->addr & 0x10);
}

/* Wait until the memory table's write back shows the entry as wanted */
static int wait_entry(const char *dir, int label, int want_msg, struct ims_entry *s)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (ims_entry(dir, label, s))
			return -ENOENT;
		if (!!remappable(s) == want_msg)
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

/* Fire until the interrupt arrives on @cpu (a move may be deferred) */
static int fire_on(struct __test_metadata *_metadata, const char *dir, int label, int cpu,
		   int *fired)
{
	struct vec_state v;
	int tries;

	for (tries = 0; tries < 20; tries++) {
		if (drv(dir, "fire %d", label))
			return -EIO;
		(*fired)++;
		if (vec(dir, label, &v))
			return -ENOENT;
		if (v.cpu == cpu)
			return 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

FIXTURE(ims) {
	char bdf[64];
	char msi_dir[256];
	char dir[320];
	int size;
};

FIXTURE_VARIANT(ims) {
	const char *subdir;
	int memory;
};

FIXTURE_VARIANT_ADD(ims, array) {
	.subdir = "ims",
	.memory = 0,
};

FIXTURE_VARIANT_ADD(ims, memory) {
	.subdir = "ims-mem",
	.memory = 1,
};

FIXTURE_SETUP(ims)
{
	int ret;

	ASSERT_EQ(0, find_bound(DRIVER_DIR, self->bdf, sizeof(self->bdf)));
	snprintf(self->msi_dir, sizeof(self->msi_dir), DEBUGFS_DIR "/%s", self->bdf);
	snprintf(self->dir, sizeof(self->dir), "%s/%s", self->msi_dir, variant->subdir);
	ASSERT_EQ(0, access(self->dir, F_OK));
	drv(self->dir, "destroy");
	drv(self->msi_dir, "free 0");
	self->size = NR_SLOTS;
	ret = drv(self->dir, "create %d", self->size);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "IMS is refused on this platform (ims_gating_test checks why)");
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(ims)
{
	drv(self->dir, "destroy");
	drv(self->msi_dir, "free 0");
}

TEST_F(ims, table_name)
{
	char line[256];

	ASSERT_EQ(0, table_line(self->dir, line, sizeof(line)));
	TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, variant->memory ? "EDU-IMS-MEM-" : "EDU-IMS-"));
	EXPECT_NE(NULL, strstr(line, self->bdf));
	EXPECT_NE(NULL, strstr(line, "hwsize 64"));
	EXPECT_EQ(-EBUSY, drv(self->dir, "create 8"));
}

TEST_F(ims, alloc_by_slot_and_fire)
{
	char line[512], want[96];
	struct ims_entry s;
	struct vec_state v;

	ASSERT_EQ(0, drv(self->dir, "alloc 5"));
	ASSERT_EQ(0, vec(self->dir, 5, &v));
	ASSERT_EQ(0, ims_entry(self->dir, 5, &s));
	TH_LOG("slot 5: queue %d irq %d, %u writes, stored %#llx/%#x", s.queue, s.irq, s.writes,
	       s.addr, s.data);
	EXPECT_EQ(v.irq, s.irq);
	/* The store holds the remappable message the parent composed */
	EXPECT_TRUE(remappable(&s));
	fire_and_count(_metadata, self->dir, self->size, 5, 3);
	ASSERT_EQ(0, vec(self->dir, 5, &v));
	EXPECT_LE(0, v.cpu);

	/* /proc/interrupts says which table the vector belongs to */
	ASSERT_EQ(0, proc_line(v.irq, line, sizeof(line)));
	TH_LOG("%s", line);
	snprintf(want, sizeof(want), "%s-%s", variant->memory ? "EDU-IMS-MEM" : "EDU-IMS",
		 self->bdf);
	EXPECT_NE(NULL, strstr(line, want));
	EXPECT_TRUE(proc_hwirq_edge(line, 5));
	EXPECT_NE(NULL, strstr(line, variant->memory ? "msi-table-test-edu-ims-mem" :
			       "msi-table-test-edu-ims"));
}

TEST_F(ims, range_and_any)
{
	struct ims_entry s0, s1;
	struct vec_state v;

	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	ASSERT_EQ(0, drv(self->dir, "range 10 12"));
	ASSERT_EQ(0, drv(self->dir, "range 10 12"));
	EXPECT_EQ(0, vec(self->dir, 10, &v));
	EXPECT_EQ(0, vec(self->dir, 11, &v));
	/* First fit from 0: label 1 */
	ASSERT_EQ(0, drv(self->dir, "alloc any"));
	EXPECT_EQ(0, vec(self->dir, 1, &v));
	fire_and_count(_metadata, self->dir, self->size, 11, 1);
	fire_and_count(_metadata, self->dir, self->size, 1, 1);
	fire_and_count(_metadata, self->dir, self->size, 0, 1);

	/* Each vector has its own message (its own IRTE) */
	ASSERT_EQ(0, ims_entry(self->dir, 0, &s0));
	ASSERT_EQ(0, ims_entry(self->dir, 1, &s1));
	EXPECT_TRUE(s0.addr != s1.addr || s0.data != s1.data);
	if (variant->memory)
		/* Queues come from the driver's cookie, labels from the table */
		EXPECT_NE(s0.queue, s1.queue);
}

TEST_F(ims, masked_entry_holds_pending)
{
	struct vec_state v;

	ASSERT_EQ(0, drv(self->dir, "alloc 2"));
	fire_and_count(_metadata, self->dir, self->size, 2, 1);
	ASSERT_EQ(0, drv(self->dir, "mask 2"));
	/* The device reads the mask bit from its store and holds the interrupt */
	EXPECT_EQ(-ETIMEDOUT, drv(self->dir, "fire 2"));
	ASSERT_EQ(0, vec(self->dir, 2, &v));
	EXPECT_EQ(1, v.count);
	EXPECT_EQ(1, v.pending);
	ASSERT_EQ(0, drv(self->dir, "unmask 2"));
	ASSERT_EQ(0, wait_count(self->dir, 2, 2, 2000, &v));
	EXPECT_EQ(2, v.count);
	EXPECT_EQ(0, v.pending);
	fire_and_count(_metadata, self->dir, self->size, 2, 1);
}

TEST_F(ims, affinity_change_between_fires)
{
	int cpus = sysconf(_SC_NPROCESSORS_ONLN), i, fired = 0;
	struct ims_entry before, after;
	char path[128], cpu[16];
	struct vec_state v;

	if (cpus < 2)
		SKIP(return, "one CPU online");
	ASSERT_EQ(0, drv(self->dir, "alloc 1"));
	ASSERT_EQ(0, ims_entry(self->dir, 1, &before));
	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", before.irq);
	for (i = 0; i < 4; i++) {
		snprintf(cpu, sizeof(cpu), "%d", i % 2);
		ASSERT_EQ(0, write_str(path, cpu));
		EXPECT_EQ(0, fire_on(_metadata, self->dir, 1, i % 2, &fired));
	}
	ASSERT_EQ(0, vec(self->dir, 1, &v));
	EXPECT_EQ(fired, v.count);
	TH_LOG("%d fired over 4 moves, %d counted", fired, v.count);
	/* The remapping entry moved; the device's message did not change */
	ASSERT_EQ(0, ims_entry(self->dir, 1, &after));
	EXPECT_EQ(before.writes, after.writes);
	EXPECT_EQ(before.addr, after.addr);
	EXPECT_EQ(before.data, after.data);
}

/*
 * CPU 1 goes offline and comes back. Vector 3 (affinity CPU 1) migrates to
 * CPU 0 and keeps firing, without a message write. Vector 4, managed on CPU
 * 1, is shut down with its CPU: its entry is cleared, the device refuses
 * to fire it, and it comes back with the CPU. The function's MSI vector
 * moves along and keeps firing too.
 */
TEST_F(ims, cpu_hotplug)
{
	const char *online = "/sys/devices/system/cpu/cpu1/online";
	struct ims_entry s3, s3off, s4;
	struct vec_state v;
	char path[128];
	int fired = 0;

	if (access(online, W_OK))
		SKIP(return, "CPU 1 cannot go offline");
	ASSERT_EQ(0, drv(self->msi_dir, "alloc 0"));
	ASSERT_EQ(0, drv(self->dir, "alloc 3"));
	ASSERT_EQ(0, drv(self->dir, "managed 4 1"));
	ASSERT_EQ(0, vec(self->dir, 3, &v));
	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", v.irq);
	ASSERT_EQ(0, write_str(path, "1"));
	ASSERT_EQ(0, fire_on(_metadata, self->dir, 3, 1, &fired));
	ASSERT_EQ(0, fire_on(_metadata, self->dir, 4, 1, &fired));
	ASSERT_EQ(0, ims_entry(self->dir, 3, &s3));

	ASSERT_EQ(0, write_str(online, "0"));
	fire_and_count(_metadata, self->msi_dir, 1, 0, 1);
	/* Migrated: fires on CPU 0, the device's message unchanged */
	EXPECT_EQ(0, fire_on(_metadata, self->dir, 3, 0, &fired));
	ASSERT_EQ(0, ims_entry(self->dir, 3, &s3off));
	EXPECT_EQ(s3.writes, s3off.writes);
	/* Managed: shut down, the entry cleared and refused */
	EXPECT_EQ(0, wait_entry(self->dir, 4, 0, &s4));
	TH_LOG("CPU 1 offline: slot 4 holds %#llx/%#x", s4.addr, s4.data);
	EXPECT_EQ(-EIO, drv(self->dir, "fire 4"));

	ASSERT_EQ(0, write_str(online, "1"));
	EXPECT_EQ(0, wait_entry(self->dir, 4, 1, &s4));
	EXPECT_EQ(0, fire_on(_metadata, self->dir, 4, 1, &fired));
	ASSERT_EQ(0, vec(self->dir, 4, &v));
	EXPECT_EQ(1, v.cpu);
	fire_and_count(_metadata, self->dir, self->size, 3, 1);
	fire_and_count(_metadata, self->msi_dir, 1, 0, 1);
}

TEST_F(ims, free_and_reallocate)
{
	struct vec_state v;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, drv(self->dir, "alloc 7"));
		fire_and_count(_metadata, self->dir, self->size, 7, 1);
		ASSERT_EQ(0, drv(self->dir, "free 7"));
		EXPECT_EQ(-ENOENT, vec(self->dir, 7, &v));
	}
	EXPECT_EQ(-ENOENT, drv(self->dir, "fire 7"));
	EXPECT_EQ(-ENOENT, drv(self->dir, "free 7"));
}

/* A small table, filled: each allocation writes the device */
TEST_F(ims, full_table)
{
	int l;

	ASSERT_EQ(0, drv(self->dir, "destroy"));
	ASSERT_EQ(0, drv(self->dir, "create 6"));
	self->size = 6;
	for (l = 0; l < 6; l++)
		ASSERT_EQ(0, drv(self->dir, "alloc any"));
	EXPECT_EQ(-ENOSPC, drv(self->dir, "alloc any"));
	EXPECT_EQ(-ENOSPC, drv(self->dir, "range 0 5"));
	EXPECT_EQ(-EBUSY, drv(self->dir, "alloc 3"));
	ASSERT_EQ(0, drv(self->dir, "free 3"));
	ASSERT_EQ(0, drv(self->dir, "alloc any"));
	fire_and_count(_metadata, self->dir, self->size, 3, 1);
	fire_and_count(_metadata, self->dir, self->size, 5, 1);
}

TEST_F(ims, errors)
{
	ASSERT_EQ(0, drv(self->dir, "alloc 9"));
	EXPECT_EQ(-EBUSY, drv(self->dir, "alloc 9"));
	EXPECT_EQ(-ERANGE, drv(self->dir, "alloc 64"));
	EXPECT_EQ(-ERANGE, drv(self->dir, "range 60 64"));
	EXPECT_EQ(-EINVAL, drv(self->dir, "range 8 7"));
	EXPECT_EQ(-EINVAL, drv(self->dir, "managed 10 4096"));
	EXPECT_EQ(-ENOENT, drv(self->dir, "fire 10"));
	ASSERT_EQ(0, drv(self->dir, "free 9"));
	EXPECT_EQ(-ENOENT, drv(self->dir, "free 9"));
	/* Bigger than the store */
	ASSERT_EQ(0, drv(self->dir, "destroy"));
	EXPECT_EQ(-ENOENT, drv(self->dir, "destroy"));
	EXPECT_EQ(-EINVAL, drv(self->dir, variant->memory ? "create 16385" : "create 65"));
	EXPECT_EQ(-EINVAL, drv(self->dir, "create 0"));
	/* Nothing changed: a new table works */
	ASSERT_EQ(0, drv(self->dir, "create 64"));
	ASSERT_EQ(0, drv(self->dir, "alloc 9"));
	fire_and_count(_metadata, self->dir, self->size, 9, 1);
}

/* The function's MSI vector and IMS vectors side by side */
TEST_F(ims, beside_msi)
{
	struct vec_state m0, m1;

	ASSERT_EQ(0, drv(self->msi_dir, "alloc 0"));
	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	ASSERT_EQ(0, vec(self->msi_dir, 0, &m0));
	fire_and_count(_metadata, self->dir, self->size, 0, 2);
	ASSERT_EQ(0, vec(self->msi_dir, 0, &m1));
	EXPECT_EQ(m0.count, m1.count);
	fire_and_count(_metadata, self->msi_dir, 1, 0, 2);
	fire_and_count(_metadata, self->dir, self->size, 0, 1);
}

/* A table with vectors leaves no interrupt descriptor and no IRTE behind */
TEST_F(ims, nothing_left)
{
	char sid[16];
	int descs, irtes, l;

	snprintf(sid, sizeof(sid), " %.7s ", self->bdf + 5);
	ASSERT_EQ(0, drv(self->dir, "destroy"));
	descs = nr_irq_descs();
	irtes = count_lines(IRTE_FILE, " ", sid);
	ASSERT_LE(0, descs);
	ASSERT_LE(0, irtes) {
		TH_LOG("no %s (CONFIG_INTEL_IOMMU_DEBUGFS)", IRTE_FILE);
	}
	ASSERT_EQ(0, drv(self->dir, "create 16"));
	for (l = 0; l < 4; l++)
		ASSERT_EQ(0, drv(self->dir, "alloc any"));
	EXPECT_EQ(descs + 4, nr_irq_descs());
	EXPECT_EQ(irtes + 4, count_lines(IRTE_FILE, " ", sid));
	ASSERT_EQ(0, drv(self->dir, "free 1"));
	ASSERT_EQ(0, drv(self->dir, "destroy"));
	EXPECT_EQ(descs, nr_irq_descs());
	EXPECT_EQ(irtes, count_lines(IRTE_FILE, " ", sid));
	TH_LOG("%d interrupt descriptors, %d IRTEs of %s before and after", descs, irtes,
	       self->bdf);
}

FIXTURE(remap) {
	char bdf[64];
	char dir[320];
};

FIXTURE_SETUP(remap)
{
	int ret;

	ASSERT_EQ(0, find_bound(DRIVER_DIR, self->bdf, sizeof(self->bdf)));
	snprintf(self->dir, sizeof(self->dir), DEBUGFS_DIR "/%s/ims", self->bdf);
	drv(self->dir, "destroy");
	ret = drv(self->dir, "create 8");
	if (ret == -EOPNOTSUPP)
		SKIP(return, "IMS is refused on this platform (ims_gating_test checks why)");
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(remap)
{
	drv(self->dir, "destroy");
}

/*
 * The remapping entry of an IMS vector accepts the message only from the
 * function itself: SVT 01 (verify the requester ID), SQ 00 (all 16 bits),
 * SID = the function's requester ID. This is what makes a message stored
 * in the device safe to hand out (another function sending it is refused
 * by the IOMMU on real hardware). QEMU 7.2 cannot show that part: the DMA
 * writes of its devices carry no requester ID, and a message edu sends
 * with its DMA engine to another function's entry is delivered (seen
 * here), so only the entry is checked.
 */
TEST_F(remap, irte_checks_requester_id)
{
	unsigned int bus, dev, fn, rid;
	unsigned long long high;
	struct ims_entry s;
	char srcid[16];
	int idx, n;

	n = sscanf(self->bdf + 5, "%x:%x.%x", &bus, &dev, &fn);
	ASSERT_EQ(3, n);
	rid = bus << 8 | dev << 3 | fn;
	ASSERT_EQ(0, drv(self->dir, "alloc 6"));
	ASSERT_EQ(0, ims_entry(self->dir, 6, &s));
	ASSERT_TRUE(remappable(&s));
	idx = msg_handle(s.addr);
	ASSERT_EQ(0, irte_at(idx, srcid, sizeof(srcid), &high));
	TH_LOG("slot 6: message %#llx, IRTE %d, SrcID %s, high %#llx", s.addr, idx, srcid,
	       high);
	EXPECT_EQ(0, strcmp(srcid, self->bdf + 5));
	EXPECT_EQ(1, (high >> 18) & 3);		/* SVT: verify the requester ID */
	EXPECT_EQ(0, (high >> 16) & 3);		/* SQ: all of it */
	EXPECT_EQ(rid, high & 0xffff);
}

/* A freed vector's message, sent again: its remapping entry is gone */
TEST_F(remap, stale_message_refused)
{
	unsigned long long high;
	struct ims_entry s;
	char srcid[16];

	ASSERT_EQ(0, drv(self->dir, "alloc 6"));
	ASSERT_EQ(0, ims_entry(self->dir, 6, &s));
	ASSERT_TRUE(remappable(&s));
	fire_and_count(_metadata, self->dir, 8, 6, 1);
	ASSERT_EQ(0, drv(self->dir, "free 6"));
	/* Its remapping entry is gone */
	EXPECT_EQ(-ENOENT, irte_at(msg_handle(s.addr), srcid, sizeof(srcid), &high));
	/* The console scan checks that no vector fired without a handler */
	ASSERT_EQ(0, drv(self->dir, "send %#llx", s.addr));
	usleep(200000);
	ASSERT_EQ(0, drv(self->dir, "alloc 6"));
	fire_and_count(_metadata, self->dir, 8, 6, 1);
}

TEST_HARNESS_MAIN
