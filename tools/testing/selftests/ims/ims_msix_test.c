// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X as an MSI table, on QEMU's e1000e driven by the msi-table-test-e1000e
 * driver (drivers/misc/msi_table_test/e1000e.c) through its debugfs files:
 * vectors allocated by table entry, in a range and anywhere, each fired
 * by the device and counted on its own Linux interrupt; masking in the
 * MSI-X table with the interrupt held pending by the device until unmask;
 * affinity changes while firing; free and reallocation; a function reset;
 * and the errors of the table API. Where the platform refuses MSI-X tables
 * (no dynamic MSI-X: the GICv3 ITS), the driver falls back to
 * pci_alloc_irq_vectors(), and the fallback test fires every entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "msi_table_test.h"

#define DRIVER_DIR	"/sys/bus/pci/drivers/msi-table-test-e1000e"
#define NR_ENTRIES	5	/* e1000e's MSI-X table size */

FIXTURE(e1000e) {
	char bdf[64];
	char dir[256];
};

FIXTURE_SETUP(e1000e)
{
	ASSERT_EQ(0, find_bound(DRIVER_DIR, self->bdf, sizeof(self->bdf))) {
		TH_LOG("%s is bound to no device (%s, QEMU -device e1000e)",
		       "msi-table-test-e1000e", "CONFIG_MSI_TABLE_TEST_E1000E");
	}
	snprintf(self->dir, sizeof(self->dir), DEBUGFS_DIR "/%s", self->bdf);
	ASSERT_EQ(0, access(self->dir, F_OK));
	if (table_refused(self->dir))
		SKIP(return, "the platform refuses MSI-X tables (no dynamic MSI-X): see fallback");
	/* Start from an empty table, whatever a failed test left */
	free_all(self->dir, NR_ENTRIES);
}

FIXTURE_TEARDOWN(e1000e)
{
	free_all(self->dir, NR_ENTRIES);
}

TEST_F(e1000e, table_name)
{
	char line[256];

	ASSERT_EQ(0, table_line(self->dir, line, sizeof(line)));
	TH_LOG("%s", line);
	/* "table <id> <domain> hwsize 5", the domain named after the table */
	EXPECT_NE(NULL, strstr(line, "PCI-MSIX-"));
	EXPECT_NE(NULL, strstr(line, self->bdf));
	EXPECT_NE(NULL, strstr(line, "hwsize 5"));
}

TEST_F(e1000e, alloc_by_entry_and_fire)
{
	char line[512];
	struct vec_state v;

	ASSERT_EQ(0, drv(self->dir, "alloc 2"));
	ASSERT_EQ(0, vec(self->dir, 2, &v));
	EXPECT_GT(v.irq, 0);
	EXPECT_EQ(0, v.count);
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 2, 3);

	/* /proc/interrupts: the table's chip and the entry as hwirq */
	ASSERT_EQ(0, proc_line(v.irq, line, sizeof(line)));
	TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "msi-table-test-e1000e"));
	EXPECT_NE(NULL, strstr(line, "PCI-MSIX-"));
	EXPECT_TRUE(proc_hwirq_edge(line, 2));
}

TEST_F(e1000e, every_entry_fires_its_own_vector)
{
	int l;

	for (l = 0; l < NR_ENTRIES; l++)
		ASSERT_EQ(0, drv(self->dir, "alloc %d", l));
	for (l = NR_ENTRIES - 1; l >= 0; l--)
		fire_and_count(_metadata, self->dir, NR_ENTRIES, l, 2);
}

TEST_F(e1000e, range_and_any)
{
	struct vec_state v;

	/* Special vectors at 0 and 1, fungible ones in 2..4 */
	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	ASSERT_EQ(0, drv(self->dir, "alloc 1"));
	ASSERT_EQ(0, drv(self->dir, "range 2 4"));
	ASSERT_EQ(0, drv(self->dir, "range 2 4"));
	EXPECT_EQ(0, vec(self->dir, 2, &v));
	EXPECT_EQ(0, vec(self->dir, 3, &v));
	EXPECT_EQ(-ENOENT, vec(self->dir, 4, &v));
	ASSERT_EQ(0, drv(self->dir, "free 2"));
	/* First fit: the freed entry comes back first */
	ASSERT_EQ(0, drv(self->dir, "alloc any"));
	EXPECT_EQ(0, vec(self->dir, 2, &v));
	ASSERT_EQ(0, drv(self->dir, "range 2 4"));
	EXPECT_EQ(0, vec(self->dir, 4, &v));
	EXPECT_EQ(-ENOSPC, drv(self->dir, "range 2 4"));
	EXPECT_EQ(-ENOSPC, drv(self->dir, "alloc any"));
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 4, 1);
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 2, 1);
}

TEST_F(e1000e, errors)
{
	ASSERT_EQ(0, drv(self->dir, "alloc 1"));
	EXPECT_EQ(-EBUSY, drv(self->dir, "alloc 1"));
	EXPECT_EQ(-ERANGE, drv(self->dir, "alloc 5"));
	EXPECT_EQ(-ERANGE, drv(self->dir, "range 3 5"));
	EXPECT_EQ(-EINVAL, drv(self->dir, "range 4 3"));
	/* The table owns the function: no second table, no legacy vectors */
	EXPECT_EQ(-EBUSY, drv(self->dir, "table"));
	EXPECT_EQ(-EBUSY, drv(self->dir, "legacy"));
	/* Nothing changed: the vector still fires */
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 1, 1);
}

/* Lines of the kernel log holding @what */
static int log_lines(const char *what)
{
	char cmd[128], buf[32] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "dmesg | grep -c '%s'", what);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	if (!fgets(buf, sizeof(buf), p))
		buf[0] = '\0';
	pclose(p);
	return atoi(buf);
}

/*
 * The driver detaches without freeing its table: the device's MSI data,
 * which goes after remove(), tears the table down through the PCI core's
 * bus operations (MSI-X disabled, the function's table pointer cleared),
 * quietly, since a devres action of the driver may still free the shell;
 * the driver binds again and gets a fresh table. The test driver frees
 * the shell later.
 */
TEST_F(e1000e, table_left_by_driver_freed_on_detach)
{
	const char *warn = "MSI table";
	const char *mark = "ims_msix_test: the kernel log is readable";
	char path[128];
	int warned;

	/* The log check below means something only if the log can be read */
	snprintf(path, sizeof(path), "%s\n", mark);
	ASSERT_EQ(0, write_str("/dev/kmsg", path));
	ASSERT_LT(0, log_lines(mark));
	warned = log_lines(warn);
	ASSERT_EQ(0, drv(self->dir, "alloc 1"));
	ASSERT_EQ(0, drv(self->dir, "leave-table"));
	snprintf(path, sizeof(path), "%s/unbind", DRIVER_DIR);
	ASSERT_EQ(0, write_str(path, self->bdf));
	snprintf(path, sizeof(path), "%s/bind", DRIVER_DIR);
	ASSERT_EQ(0, write_str(path, self->bdf)) {
		TH_LOG("the driver cannot take the function's table again");
	}
	ASSERT_EQ(0, access(self->dir, F_OK));
	ASSERT_EQ(0, drv(self->dir, "alloc 1"));
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 1, 1);
	EXPECT_EQ(warned, log_lines(warn));
}

/* The other order: vectors of pci_alloc_irq_vectors() first, then a table */
TEST_F(e1000e, table_after_legacy_vectors)
{
	EXPECT_EQ(-EBUSY, drv(self->dir, "after-legacy"));
	/* The driver took the table again: it works as before */
	ASSERT_EQ(0, drv(self->dir, "alloc 2"));
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 2, 1);
}

TEST_F(e1000e, masked_entry_holds_pending)
{
	struct vec_state v;

	ASSERT_EQ(0, drv(self->dir, "alloc 3"));
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 3, 1);
	/* Masked in the MSI-X table: the device holds the interrupt */
	ASSERT_EQ(0, drv(self->dir, "mask 3"));
	EXPECT_EQ(-ETIMEDOUT, drv(self->dir, "fire 3"));
	ASSERT_EQ(0, vec(self->dir, 3, &v));
	EXPECT_EQ(1, v.count);
	EXPECT_EQ(1, v.pending);
	/* Unmasked: the pending interrupt arrives, from the device */
	ASSERT_EQ(0, drv(self->dir, "unmask 3"));
	ASSERT_EQ(0, wait_count(self->dir, 3, 2, 1000, &v));
	EXPECT_EQ(2, v.count);
	EXPECT_EQ(0, v.pending);
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 3, 1);
}

/*
 * One entry's interrupt while another's is held pending: the handler that
 * reads the interrupt cause register must not take the other entry's
 * cause with it. The 82574 clears all of ICR on a read once an enabled
 * cause is set, and QEMU 10's e1000e does too (QEMU 7.2 does not): a
 * driver that reads ICR for its own cause only then loses the held
 * entry's interrupt when it arrives, as the stress test saw now and then.
 */
TEST_F(e1000e, pending_entry_survives_other_entry)
{
	struct vec_state v;

	ASSERT_EQ(0, drv(self->dir, "alloc 2"));
	ASSERT_EQ(0, drv(self->dir, "alloc 3"));
	ASSERT_EQ(0, drv(self->dir, "mask 3"));
	EXPECT_EQ(-ETIMEDOUT, drv(self->dir, "fire 3"));
	ASSERT_EQ(0, vec(self->dir, 3, &v));
	EXPECT_EQ(0, v.count);
	EXPECT_EQ(1, v.pending);
	/* Entry 2 fires and its handler reads ICR, entry 3's cause set */
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 2, 1);
	ASSERT_EQ(0, drv(self->dir, "unmask 3"));
	ASSERT_EQ(0, wait_count(self->dir, 3, 1, 1000, &v));
	EXPECT_EQ(1, v.count) TH_LOG("entry 3's held interrupt was not counted");
	EXPECT_EQ(0, v.pending);
	ASSERT_EQ(0, vec(self->dir, 2, &v));
	EXPECT_EQ(1, v.count);
}

/*
 * Move the vector between CPUs while firing: no interrupt is lost, and the
 * interrupts follow the move. The x86 vector domain defers a move to the
 * next interrupt while the previous move's old vector is not cleaned up
 * yet, so the first interrupts after a move may still arrive on the old
 * CPU.
 */
TEST_F(e1000e, affinity_change_while_firing)
{
	int cpus = sysconf(_SC_NPROCESSORS_ONLN), i, fired = 0, tries;
	char path[128], cpu[16];
	struct vec_state v;

	if (cpus < 2)
		SKIP(return, "one CPU online");
	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	ASSERT_EQ(0, vec(self->dir, 0, &v));
	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", v.irq);
	for (i = 0; i < 10; i++) {
		snprintf(cpu, sizeof(cpu), "%d", i % 2);
		ASSERT_EQ(0, write_str(path, cpu));
		for (tries = 0; tries < 20; tries++) {
			ASSERT_EQ(0, drv(self->dir, "fire 0"));
			fired++;
			ASSERT_EQ(0, vec(self->dir, 0, &v));
			if (v.cpu == i % 2)
				break;
			/* Let the old vector's cleanup timer run */
			usleep(20000);
		}
		EXPECT_EQ(i % 2, v.cpu) {
			TH_LOG("still on CPU %d after %d interrupts", v.cpu, tries);
		}
	}
	/* Nothing lost, nothing twice */
	EXPECT_EQ(fired, v.count);
	TH_LOG("%d interrupts fired over 10 moves, %d counted", fired, v.count);
}

TEST_F(e1000e, free_and_reallocate)
{
	struct vec_state v;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, drv(self->dir, "alloc 4"));
		fire_and_count(_metadata, self->dir, NR_ENTRIES, 4, 1);
		ASSERT_EQ(0, drv(self->dir, "free 4"));
		EXPECT_EQ(-ENOENT, vec(self->dir, 4, &v));
	}
	EXPECT_EQ(-ENOENT, drv(self->dir, "fire 4"));
}

TEST_F(e1000e, function_reset)
{
	char path[512];

	ASSERT_EQ(0, drv(self->dir, "alloc 0"));
	ASSERT_EQ(0, drv(self->dir, "alloc 3"));
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 0, 1);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", self->bdf);
	ASSERT_EQ(0, write_str(path, "1"));
	/* The MSI-X entries of the table were restored */
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 0, 1);
	fire_and_count(_metadata, self->dir, NR_ENTRIES, 3, 1);
}

/*
 * Where the platform refuses MSI-X tables (no dynamic MSI-X at the MSI
 * parent: the GICv3 ITS of 6.12), the driver falls back as IDXD does:
 * every entry up front from pci_alloc_irq_vectors(), requested at probe.
 * Each entry fires its own vector; the table's commands are refused.
 */
TEST(fallback)
{
	struct vec_state before[NR_ENTRIES], after;
	char bdf[64], dir[256], line[256];
	int i, j;

	ASSERT_EQ(0, find_bound(DRIVER_DIR, bdf, sizeof(bdf)));
	snprintf(dir, sizeof(dir), DEBUGFS_DIR "/%s", bdf);
	if (!table_refused(dir))
		SKIP(return, "the platform serves MSI-X tables: no fallback");
	ASSERT_EQ(0, table_line(dir, line, sizeof(line)));
	TH_LOG("%s", line);
	EXPECT_EQ(0, strncmp(line, "fallback pci_alloc_irq_vectors hwsize 5", 39));
	for (i = 0; i < NR_ENTRIES; i++)
		ASSERT_EQ(0, vec(dir, i, &before[i]));
	for (i = 0; i < NR_ENTRIES; i++) {
		ASSERT_EQ(0, drv(dir, "fire %d", i));
		for (j = 0; j < NR_ENTRIES; j++) {
			ASSERT_EQ(0, vec(dir, j, &after));
			EXPECT_EQ(before[j].count + (j <= i), after.count) {
				TH_LOG("entry %d after firing entry %d", j, i);
			}
		}
	}
	EXPECT_EQ(-EOPNOTSUPP, drv(dir, "alloc 0"));
	EXPECT_EQ(-EOPNOTSUPP, drv(dir, "free 0"));
}

TEST_HARNESS_MAIN
