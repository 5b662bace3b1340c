// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X as an MSI table, on QEMU's e1000e driven by the msi-table-test-e1000e
 * driver (drivers/misc/msi_table_test/e1000e.c) through its debugfs files:
 * vectors allocated by table entry, in a range and anywhere, each fired
 * by the device and counted on its own Linux interrupt; masking in the
 * MSI-X table with the interrupt held pending by the device until unmask;
 * affinity changes while firing; free and reallocation; a function reset;
 * and the errors of the table API.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#define DRIVER_DIR	"/sys/bus/pci/drivers/msi-table-test-e1000e"
#define DEBUGFS_DIR	"/sys/kernel/debug/msi_table_test"
#define NR_ENTRIES	5	/* e1000e's MSI-X table size */

struct vec_state {
	int irq;
	int count;
	int cpu;
	int pending;
};

FIXTURE(e1000e) {
	char bdf[64];
	char dir[256];
};

static int find_bound(char *bdf, size_t size)
{
	struct dirent *de;
	DIR *dir = opendir(DRIVER_DIR);
	int ret = -ENOENT;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		/* The bound devices are the links named like 0000:00:03.0 */
		if (strlen(de->d_name) == 12 && de->d_name[4] == ':') {
			snprintf(bdf, size, "%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(dir);
	return ret;
}

/* Run one driver command; 0 or -errno as write() reports it */
static int drv(const char *dir, const char *fmt, ...)
{
	char path[512], buf[64];
	va_list ap;
	int fd, n, ret = 0;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, "cmd");
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, n) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The state of the vector at @label; -ENOENT if it is not allocated */
static int vec(const char *dir, int label, struct vec_state *v)
{
	char path[512], line[256];
	int ret = -ENOENT, l;
	FILE *f;

	snprintf(path, sizeof(path), "%s/state", dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "vector %d irq %d count %d cpu %d pending %d", &l, &v->irq,
			   &v->count, &v->cpu, &v->pending) == 5 && l == label) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int table_line(const char *dir, char *buf, size_t size)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/state", dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, size, f))
		buf[0] = '\0';
	fclose(f);
	return 0;
}

/* The /proc/interrupts line of @irq */
static int proc_line(int irq, char *buf, size_t size)
{
	char want[16];
	FILE *f = fopen("/proc/interrupts", "r");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	snprintf(want, sizeof(want), "%d:", irq);
	while (fgets(buf, size, f)) {
		char *p = buf;

		while (*p == ' ')
			p++;
		if (!strncmp(p, want, strlen(want))) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void free_all(const char *dir)
{
	int l;

	for (l = 0; l < NR_ENTRIES; l++)
		drv(dir, "free %d", l);
}

FIXTURE_SETUP(e1000e)
{
	ASSERT_EQ(0, find_bound(self->bdf, sizeof(self->bdf))) {
		TH_LOG("%s is bound to no device (%s, QEMU -device e1000e)",
		       "msi-table-test-e1000e", "CONFIG_MSI_TABLE_TEST_E1000E");
	}
	snprintf(self->dir, sizeof(self->dir), DEBUGFS_DIR "/%s", self->bdf);
	ASSERT_EQ(0, access(self->dir, F_OK));
	/* Start from an empty table, whatever a failed test left */
	free_all(self->dir);
}

FIXTURE_TEARDOWN(e1000e)
{
	free_all(self->dir);
}

/* Fire @label @n times; every interrupt is counted on it and only on it */
static void fire_and_count(struct __test_metadata *_metadata, const char *dir, int label, int n)
{
	struct vec_state before[NR_ENTRIES], after;
	int l, i;

	for (l = 0; l < NR_ENTRIES; l++)
		if (vec(dir, l, &before[l]))
			before[l].irq = -1;
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, drv(dir, "fire %d", label));
	for (l = 0; l < NR_ENTRIES; l++) {
		if (before[l].irq < 0)
			continue;
		ASSERT_EQ(0, vec(dir, l, &after));
		EXPECT_EQ(before[l].count + (l == label ? n : 0), after.count) {
			TH_LOG("entry %d after firing entry %d %d times", l, label, n);
		}
	}
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
	char line[512], hw[16];
	struct vec_state v;

	ASSERT_EQ(0, drv(self->dir, "alloc 2"));
	ASSERT_EQ(0, vec(self->dir, 2, &v));
	EXPECT_GT(v.irq, 0);
	EXPECT_EQ(0, v.count);
	fire_and_count(_metadata, self->dir, 2, 3);

	/* /proc/interrupts: the table's chip and the entry as hwirq */
	ASSERT_EQ(0, proc_line(v.irq, line, sizeof(line)));
	TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "msi-table-test-e1000e"));
	EXPECT_NE(NULL, strstr(line, "PCI-MSIX-"));
	snprintf(hw, sizeof(hw), " 2-edge");
	EXPECT_NE(NULL, strstr(line, hw));
}

TEST_F(e1000e, every_entry_fires_its_own_vector)
{
	int l;

	for (l = 0; l < NR_ENTRIES; l++)
		ASSERT_EQ(0, drv(self->dir, "alloc %d", l));
	for (l = NR_ENTRIES - 1; l >= 0; l--)
		fire_and_count(_metadata, self->dir, l, 2);
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
	fire_and_count(_metadata, self->dir, 4, 1);
	fire_and_count(_metadata, self->dir, 2, 1);
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
	fire_and_count(_metadata, self->dir, 1, 1);
}

TEST_F(e1000e, masked_entry_holds_pending)
{
	struct vec_state v;
	int i;

	ASSERT_EQ(0, drv(self->dir, "alloc 3"));
	fire_and_count(_metadata, self->dir, 3, 1);
	/* Masked in the MSI-X table: the device holds the interrupt */
	ASSERT_EQ(0, drv(self->dir, "mask 3"));
	EXPECT_EQ(-ETIMEDOUT, drv(self->dir, "fire 3"));
	ASSERT_EQ(0, vec(self->dir, 3, &v));
	EXPECT_EQ(1, v.count);
	EXPECT_EQ(1, v.pending);
	/* Unmasked: the pending interrupt arrives, from the device */
	ASSERT_EQ(0, drv(self->dir, "unmask 3"));
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, vec(self->dir, 3, &v));
		if (v.count == 2)
			break;
		usleep(10000);
	}
	EXPECT_EQ(2, v.count);
	EXPECT_EQ(0, v.pending);
	fire_and_count(_metadata, self->dir, 3, 1);
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
	EXPECT_EQ(fired, v.count);
	TH_LOG("%d interrupts over 10 moves", fired);
}

TEST_F(e1000e, free_and_reallocate)
{
	struct vec_state v;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, drv(self->dir, "alloc 4"));
		fire_and_count(_metadata, self->dir, 4, 1);
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
	fire_and_count(_metadata, self->dir, 0, 1);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", self->bdf);
	ASSERT_EQ(0, write_str(path, "1"));
	/* The MSI-X entries of the table were restored */
	fire_and_count(_metadata, self->dir, 0, 1);
	fire_and_count(_metadata, self->dir, 3, 1);
}

TEST_HARNESS_MAIN
