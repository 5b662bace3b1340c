// SPDX-License-Identifier: GPL-2.0
/*
 * IMS in a guest whose interrupt remapping obtains each message from the
 * hypervisor (asm/msi_compose.h). The host is stood in for by the
 * msi-table-test-compose module (drivers/misc/msi_table_test/compose.c),
 * which counts the calls per operation and can refuse the next one; its
 * debugfs file is msi_table_test_compose/state. On QEMU's VT-d in caching
 * mode with that module loaded (the ir-pv boot), with edu's IMS tables
 * (array and memory) and e1000e's MSI-X table:
 * - one activation per request_irq(), one update per affinity change, one
 *   release per free, none for a vector which is not requested (1,024 of
 *   them in the memory table), and the vectors fire;
 * - a refused activation fails the allocation with the host's errno and
 *   leaves no entry behind; a refused update fails the affinity write,
 *   and the vector keeps firing where it did;
 * - when the host asks for every message again, each requested vector is
 *   activated anew and keeps firing.
 * Without the module, under a VMM which issues the messages (the vmm boot:
 * the QEMU series' KVM_HC_MSI_COMPOSE, through the KVM guest backend), the
 * counts are the guest's own, from x86/msi_compose; the host compares them
 * with the VMM's. The tests which need the module's knobs (refusing the
 * next call, asking for every message again) skip there. With neither, the
 * tests skip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "msi_table_test.h"

#define EDU_DIR		"/sys/bus/pci/drivers/msi-table-test-edu"
#define E1000E_DIR	"/sys/bus/pci/drivers/msi-table-test-e1000e"
#define STATE		"/sys/kernel/debug/msi_table_test_compose/state"
#define HOOK		"/sys/kernel/debug/x86/msi_compose"
#define NR_SLOTS	64

struct host {
	long activate, update, release, refused_activate, refused_update, reissued, live;
};

/* The test backend stands in for the host (ir-pv) */
static bool test_backend(void)
{
	return !access(STATE, F_OK);
}

/* A backend other than the test one issues the messages (a VMM) */
static bool other_backend(void)
{
	char line[128];
	bool found = false;
	FILE *f = fopen(HOOK, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "backend: ", 9))
			found = strcmp(line + 9, "none\n") && !test_backend();
	fclose(f);
	return found;
}

/* What the guest asked its host, as the guest counts it */
static int guest_state(struct host *h)
{
	char line[128];
	long a, b, c;
	FILE *f = fopen(HOOK, "r");

	if (!f)
		return -errno;
	memset(h, 0, sizeof(*h));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "activate: %ld", &a) == 1) {
			h->activate = a;
		} else if (sscanf(line, "update: %ld", &a) == 1) {
			h->update = a;
		} else if (sscanf(line, "release: %ld", &a) == 1) {
			h->release = a;
		} else if (sscanf(line, "refused: %ld %ld %ld", &a, &b, &c) == 3) {
			h->refused_activate = a;
			h->refused_update = b;
		} else if (sscanf(line, "recomposed: %ld", &a) == 1) {
			h->reissued = a;
		} else if (sscanf(line, "entries: %ld", &a) == 1) {
			h->live = a;
		}
	}
	fclose(f);
	return 0;
}

static int host_state(struct host *h)
{
	char line[128];
	long a, b;
	FILE *f;

	if (!test_backend())
		return guest_state(h);
	f = fopen(STATE, "r");
	if (!f)
		return -errno;
	memset(h, 0, sizeof(*h));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "activate: %ld refused %ld", &a, &b) == 2) {
			h->activate = a;
			h->refused_activate = b;
		} else if (sscanf(line, "update: %ld refused %ld", &a, &b) == 2) {
			h->update = a;
			h->refused_update = b;
		} else if (sscanf(line, "release: %ld", &a) == 1) {
			h->release = a;
		} else if (sscanf(line, "reissued: %ld", &a) == 1) {
			h->reissued = a;
		} else if (sscanf(line, "live: %ld", &a) == 1) {
			h->live = a;
		}
	}
	fclose(f);
	return 0;
}

static int set_cpu(int irq, int cpu)
{
	char path[128], buf[16];

	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", irq);
	snprintf(buf, sizeof(buf), "%d", cpu);
	return write_str(path, buf);
}

FIXTURE(compose) {
	char bdf[64];
	char dir[320];
	struct host start;
};

FIXTURE_VARIANT(compose) {
	const char *subdir;
};

FIXTURE_VARIANT_ADD(compose, array) {
	.subdir = "ims",
};

FIXTURE_VARIANT_ADD(compose, memory) {
	.subdir = "ims-mem",
};

FIXTURE_SETUP(compose)
{
	if (!test_backend() && !other_backend())
		SKIP(return, "no host issues the messages: the ir-pv and vmm boots have one");
	ASSERT_EQ(0, find_bound(EDU_DIR, self->bdf, sizeof(self->bdf)));
	snprintf(self->dir, sizeof(self->dir), DEBUGFS_DIR "/%s/%s", self->bdf, variant->subdir);
	drv(self->dir, "destroy");
	ASSERT_EQ(0, drv(self->dir, "create %d", NR_SLOTS));
	ASSERT_EQ(0, host_state(&self->start));
}

FIXTURE_TEARDOWN(compose)
{
	drv(self->dir, "destroy");
}

TEST_F(compose, calls_per_operation)
{
	int cpus = sysconf(_SC_NPROCESSORS_ONLN), irq, cpu;
	struct vec_state v;
	struct host h;

	ASSERT_EQ(0, drv(self->dir, "alloc 3"));
	ASSERT_EQ(0, drv(self->dir, "alloc 9"));
	ASSERT_EQ(0, host_state(&h));
	EXPECT_EQ(self->start.activate + 2, h.activate);
	EXPECT_EQ(self->start.live + 2, h.live);
	fire_and_count(_metadata, self->dir, NR_SLOTS, 3, 2);
	fire_and_count(_metadata, self->dir, NR_SLOTS, 9, 2);

	if (cpus > 1) {
		struct host before;

		/* request_irq() may have moved them already: count from here */
		ASSERT_EQ(0, host_state(&before));
		ASSERT_EQ(0, vec(self->dir, 3, &v));
		irq = v.irq;
		cpu = v.cpu == 0 ? 1 : 0;
		ASSERT_EQ(0, set_cpu(irq, cpu));
		ASSERT_EQ(0, host_state(&h));
		EXPECT_EQ(before.update + 1, h.update);
		/* The same CPU again: nothing changes, nothing is asked */
		ASSERT_EQ(0, set_cpu(irq, cpu));
		ASSERT_EQ(0, host_state(&h));
		EXPECT_EQ(before.update + 1, h.update);
		fire_and_count(_metadata, self->dir, NR_SLOTS, 3, 2);
	}

	ASSERT_EQ(0, drv(self->dir, "free 3"));
	ASSERT_EQ(0, drv(self->dir, "free 9"));
	ASSERT_EQ(0, host_state(&h));
	EXPECT_EQ(self->start.release + 2, h.release);
	EXPECT_EQ(self->start.live, h.live);
	EXPECT_EQ(self->start.activate + 2, h.activate);
	TH_LOG("host: %ld activate, %ld update (with request_irq()'s), %ld release, %ld live",
	       h.activate - self->start.activate, h.update - self->start.update,
	       h.release - self->start.release, h.live);
}

TEST_F(compose, refused_activation)
{
	struct host h;

	if (!test_backend())
		SKIP(return, "the test backend refuses on demand; a VMM does not");
	ASSERT_EQ(0, write_str(STATE, "fail activate 28"));
	EXPECT_EQ(-ENOSPC, drv(self->dir, "alloc 4"));
	ASSERT_EQ(0, host_state(&h));
	EXPECT_EQ(self->start.refused_activate + 1, h.refused_activate);
	EXPECT_EQ(self->start.live, h.live);
	/* Nothing left behind: the slot is free and works */
	ASSERT_EQ(0, drv(self->dir, "alloc 4"));
	fire_and_count(_metadata, self->dir, NR_SLOTS, 4, 2);
	ASSERT_EQ(0, drv(self->dir, "free 4"));
	ASSERT_EQ(0, host_state(&h));
	EXPECT_EQ(self->start.live, h.live);
}

TEST_F(compose, refused_update)
{
	int cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct vec_state v;
	struct host h;
	int irq, cpu;

	if (!test_backend())
		SKIP(return, "the test backend refuses on demand; a VMM does not");
	if (cpus < 2)
		SKIP(return, "one CPU online");
	ASSERT_EQ(0, drv(self->dir, "alloc 6"));
	fire_and_count(_metadata, self->dir, NR_SLOTS, 6, 1);
	ASSERT_EQ(0, vec(self->dir, 6, &v));
	irq = v.irq;
	cpu = v.cpu;
	ASSERT_EQ(0, write_str(STATE, "fail update 5"));
	EXPECT_EQ(-EIO, set_cpu(irq, cpu == 0 ? 1 : 0));
	ASSERT_EQ(0, host_state(&h));
	EXPECT_EQ(self->start.refused_update + 1, h.refused_update);
	/* Still routed where it was */
	fire_and_count(_metadata, self->dir, NR_SLOTS, 6, 2);
	ASSERT_EQ(0, vec(self->dir, 6, &v));
	EXPECT_EQ(cpu, v.cpu);
	ASSERT_EQ(0, drv(self->dir, "free 6"));
}

TEST_F(compose, recompose)
{
	struct host h;
	int tries;

	if (!test_backend())
		SKIP(return, "the test backend asks on demand; a VMM after migration");
	ASSERT_EQ(0, drv(self->dir, "alloc 1"));
	ASSERT_EQ(0, drv(self->dir, "alloc 2"));
	/* Allocated, not requested: the host holds nothing for it */
	ASSERT_EQ(0, drv(self->dir, "alloc 7"));
	ASSERT_EQ(0, drv(self->dir, "free 7"));
	ASSERT_EQ(0, write_str(STATE, "recompose"));
	for (tries = 0; tries < 100; tries++) {
		ASSERT_EQ(0, host_state(&h));
		if (h.reissued >= self->start.reissued + 2)
			break;
		usleep(20000);
	}
	usleep(100000);
	ASSERT_EQ(0, host_state(&h));
	/* Every requested vector of every device: at least these two */
	EXPECT_LE(self->start.reissued + 2, h.reissued);
	EXPECT_EQ(self->start.live + 2, h.live);
	fire_and_count(_metadata, self->dir, NR_SLOTS, 1, 2);
	fire_and_count(_metadata, self->dir, NR_SLOTS, 2, 2);
}

/*
 * Reservation mode costs the host nothing: 1,024 vectors of a memory table
 * allocated and freed without a request make no call
 */
TEST(reserved_vectors_cost_nothing)
{
	char bdf[64], dir[320];
	struct host a, b;

	if (!test_backend() && !other_backend())
		SKIP(return, "no host issues the messages: the ir-pv and vmm boots have one");
	ASSERT_EQ(0, find_bound(EDU_DIR, bdf, sizeof(bdf)));
	snprintf(dir, sizeof(dir), DEBUGFS_DIR "/%s/ims-mem", bdf);
	drv(dir, "destroy");
	ASSERT_EQ(0, host_state(&a));
	ASSERT_EQ(0, drv(dir, "reserve 1024"));
	ASSERT_EQ(0, host_state(&b));
	EXPECT_EQ(a.activate, b.activate);
	EXPECT_EQ(a.update, b.update);
	EXPECT_EQ(a.release, b.release);
	EXPECT_EQ(a.live, b.live);
}

/* MSI-X through the same operation */
TEST(msix_through_the_host)
{
	char bdf[64], dir[256];
	struct host a, b;

	if (!test_backend() && !other_backend())
		SKIP(return, "no host issues the messages: the ir-pv and vmm boots have one");
	ASSERT_EQ(0, find_bound(E1000E_DIR, bdf, sizeof(bdf)));
	snprintf(dir, sizeof(dir), DEBUGFS_DIR "/%s", bdf);
	drv(dir, "free 2");
	ASSERT_EQ(0, host_state(&a));
	ASSERT_EQ(0, drv(dir, "alloc 2"));
	ASSERT_EQ(0, host_state(&b));
	EXPECT_EQ(a.activate + 1, b.activate);
	fire_and_count(_metadata, dir, 5, 2, 2);
	ASSERT_EQ(0, drv(dir, "free 2"));
	ASSERT_EQ(0, host_state(&b));
	EXPECT_EQ(a.release + 1, b.release);
	EXPECT_EQ(a.live, b.live);
}

TEST_HARNESS_MAIN
