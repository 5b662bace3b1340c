// SPDX-License-Identifier: GPL-2.0
/*
 * What the platform allows an IMS table, and when the core writes a stored
 * message, through the IMS table in the device array of the
 * msi-table-test-edu driver (drivers/misc/msi_table_test/edu.c, debugfs
 * directory ims/, files cmd and slots):
 * - with VT-d interrupt remapping, the table is created; a vector's message
 *   is remappable, written at allocation and again at request_irq(), and
 *   an affinity change updates the remapping entry only: no write;
 * - without interrupt remapping, creation fails with -EOPNOTSUPP (and
 *   without a kernel warning, which the console scan checks);
 * - in a virtual machine (the CPU's hypervisor bit) whose hypervisor does
 *   not issue the messages of remapped interrupts (no backend in
 *   /sys/kernel/debug/x86/msi_compose), and with requester ID verification
 *   off (intremap=nosid), creation fails with -EOPNOTSUPP and the kernel
 *   says why; with a backend, IMS is allowed in the virtual machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "msi_table_test.h"

#define DRIVER_DIR	"/sys/bus/pci/drivers/msi-table-test-edu"
#define DOMAINS_DIR	"/sys/kernel/debug/irq/domains"
#define COMPOSE_FILE	"/sys/kernel/debug/x86/msi_compose"

/* Interrupt remapping is on: an INTEL-IR domain exists */
static int have_ir(void)
{
	struct dirent *de;
	DIR *d = opendir(DOMAINS_DIR);
	int found = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		found |= !strncmp(de->d_name, "INTEL-IR", 8);
	closedir(d);
	return found;
}

/* The CPU says the kernel runs in a virtual machine */
static int have_hypervisor(void)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "flags", 5) && strstr(line, " hypervisor");
	fclose(f);
	return found;
}

/* A hypervisor backend issues the messages of remapped interrupts */
static int have_compose(void)
{
	char line[128];
	int found = 0;
	FILE *f = fopen(COMPOSE_FILE, "r");

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f))
		found = !strncmp(line, "backend: ", 9) && strcmp(line, "backend: none\n");
	fclose(f);
	return found;
}

/* Booted with intremap=nosid: remapping does not verify requester IDs */
static int nosid(void)
{
	char line[1024] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return strstr(line, "intremap=") && strstr(line, "nosid");
}

FIXTURE(ims) {
	char bdf[64];
	char dir[256];
	int allowed;
};

FIXTURE_SETUP(ims)
{
	int ir = have_ir(), hv = have_hypervisor(), pv = have_compose();

	ASSERT_EQ(0, find_bound(DRIVER_DIR, self->bdf, sizeof(self->bdf)));
	snprintf(self->dir, sizeof(self->dir), DEBUGFS_DIR "/%s/ims", self->bdf);
	ASSERT_LE(0, ir);
	self->allowed = ir && !nosid() && (!hv || pv);
	TH_LOG("interrupt remapping %s, %s, requester ID check %s: IMS %s",
	       ir ? "on" : "off",
	       hv ? (pv ? "virtual machine, messages issued by the host" :
		     "virtual machine, no messages issued by the host") : "bare metal",
	       nosid() ? "off" : "on", self->allowed ? "allowed" : "refused");
	drv(self->dir, "destroy");
}

FIXTURE_TEARDOWN(ims)
{
	drv(self->dir, "destroy");
}

TEST_F(ims, create)
{
	int ret = drv(self->dir, "create 8");

	if (self->allowed) {
		ASSERT_EQ(0, ret);
	} else {
		ASSERT_EQ(-EOPNOTSUPP, ret);
		/* Refused again, the same way: nothing was left behind */
		ASSERT_EQ(-EOPNOTSUPP, drv(self->dir, "create 8"));
	}
}

TEST_F(ims, message_writes)
{
	int cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char path[128], cpu[16];
	struct ims_entry s;
	int i;

	if (!self->allowed)
		SKIP(return, "IMS is refused on this platform (see create)");
	ASSERT_EQ(0, drv(self->dir, "create 8"));
	ASSERT_EQ(0, drv(self->dir, "alloc 5"));
	ASSERT_EQ(0, ims_entry(self->dir, 5, &s));
	TH_LOG("slot 5: irq %d, %u writes, message %#llx/%#x", s.irq, s.writes, s.addr, s.data);
	/* At allocation (reservation mode) and at request_irq() */
	EXPECT_EQ(2, s.writes);
	/* A remappable message: 0xFEExxxxx with the remapping format bit */
	EXPECT_EQ(0xfee00000ULL, s.addr & 0xfff00000ULL);
	EXPECT_NE(0, s.addr & 0x10);

	/* An affinity change updates the remapping entry, not the device */
	snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", s.irq);
	for (i = 0; i < 4; i++) {
		snprintf(cpu, sizeof(cpu), "%d", i % cpus);
		ASSERT_EQ(0, write_str(path, cpu));
	}
	ASSERT_EQ(0, ims_entry(self->dir, 5, &s));
	EXPECT_EQ(2, s.writes);

	EXPECT_EQ(-EBUSY, drv(self->dir, "alloc 5"));
	EXPECT_EQ(-ERANGE, drv(self->dir, "alloc 8"));
	ASSERT_EQ(0, drv(self->dir, "free 5"));
	ASSERT_EQ(0, drv(self->dir, "alloc 5"));
}

TEST_HARNESS_MAIN
