// SPDX-License-Identifier: GPL-2.0
/*
 * IMS and MSI-X across a migration to a host which issues other messages:
 * the vmm-migrate boot runs the reference VMM (the QEMU series), which
 * migrates the guest to a file when this test prints its marker; a second
 * QEMU, whose VT-d model issues other handles, resumes it and asks the
 * guest for every message again (KVM_MSI_COMPOSE_NOTIFY).
 * - before: vectors of edu's IMS array and memory table and of e1000e's
 *   MSI-X table are requested and fire; one IMS entry is masked and fired,
 *   so the device holds that interrupt pending;
 * - the guest is asked for every message again (x86/msi_compose counts the
 *   requests it served);
 * - after: every IMS entry holds a message other than before, every vector
 *   fires on its own irq, and the pending interrupt is sent, with the new
 *   message, when its entry is unmasked.
 * Other boots skip it: the kernel command line lacks msitable.migrate=1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "msi_table_test.h"

#define EDU_DIR		"/sys/bus/pci/drivers/msi-table-test-edu"
#define E1000E_DIR	"/sys/bus/pci/drivers/msi-table-test-e1000e"
#define HOOK		"/sys/kernel/debug/x86/msi_compose"
#define MARKER		"msi-table-guest: migrate now"
#define NR_SLOTS	64
#define WAIT_SECONDS	300

static const int labels[] = { 1, 2, 3 };
#define MASKED		3

static bool migrate_boot(void)
{
	char line[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return strstr(line, "msitable.migrate=1");
}

static long hook_value(const char *key)
{
	char line[128];
	long v = -1;
	FILE *f = fopen(HOOK, "r");
	size_t n = strlen(key);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static void console_mark(const char *s)
{
	FILE *f = fopen("/dev/kmsg", "w");

	if (f) {
		fprintf(f, "%s\n", s);
		fclose(f);
	}
}

FIXTURE(migrate) {
};

FIXTURE_SETUP(migrate)
{
}

FIXTURE_TEARDOWN(migrate)
{
}

/* The migration itself takes a while under TCG: more than the default 30 s */
TEST_F_TIMEOUT(migrate, recomposed_after_migration, WAIT_SECONDS + 120)
{
	struct ims_entry before[2][NR_SLOTS], after;
	char bdf[64], nic[64], ims[2][320], msix[256];
	long recomposed, entries, now;
	struct vec_state v, w;
	time_t deadline;
	int t, i;

	if (!migrate_boot())
		SKIP(return, "not the vmm-migrate boot (msitable.migrate=1)");
	ASSERT_EQ(0, find_bound(EDU_DIR, bdf, sizeof(bdf)));
	ASSERT_EQ(0, find_bound(E1000E_DIR, nic, sizeof(nic)));
	snprintf(ims[0], sizeof(ims[0]), DEBUGFS_DIR "/%s/ims", bdf);
	snprintf(ims[1], sizeof(ims[1]), DEBUGFS_DIR "/%s/ims-mem", bdf);
	snprintf(msix, sizeof(msix), DEBUGFS_DIR "/%s", nic);

	for (t = 0; t < 2; t++) {
		drv(ims[t], "destroy");
		ASSERT_EQ(0, drv(ims[t], "create %d", NR_SLOTS));
		for (i = 0; i < ARRAY_SIZE(labels); i++) {
			ASSERT_EQ(0, drv(ims[t], "alloc %d", labels[i]));
			fire_and_count(_metadata, ims[t], NR_SLOTS, labels[i], 1);
			ASSERT_EQ(0, ims_entry(ims[t], labels[i], &before[t][labels[i]]));
		}
	}
	drv(msix, "free 2");
	ASSERT_EQ(0, drv(msix, "alloc 2"));
	/* What the device latched before (link status) arrives first */
	usleep(200000);
	fire_and_count(_metadata, msix, 5, 2, 1);

	/* Held pending by the device across the migration */
	ASSERT_EQ(0, vec(ims[0], MASKED, &v));
	ASSERT_EQ(0, drv(ims[0], "mask %d", MASKED));
	/* The device reads the mask bit from its store and holds the interrupt */
	EXPECT_EQ(-ETIMEDOUT, drv(ims[0], "fire %d", MASKED));
	ASSERT_EQ(0, vec(ims[0], MASKED, &w));
	EXPECT_EQ(v.count, w.count);
	EXPECT_EQ(1, w.pending);

	recomposed = hook_value("recomposed");
	entries = hook_value("entries");
	ASSERT_LE(0, recomposed);
	ASSERT_LT(0, entries);
	TH_LOG("%ld entries hold a message; the host migrates now", entries);
	console_mark(MARKER);

	/* The new host asks for every message again */
	deadline = time(NULL) + WAIT_SECONDS;
	do {
		usleep(100000);
		now = hook_value("recomposed");
	} while (now <= recomposed && time(NULL) < deadline);
	ASSERT_LT(recomposed, now) {
		TH_LOG("not asked to re-compose within %d s", WAIT_SECONDS);
	}

	for (t = 0; t < 2; t++) {
		for (i = 0; i < ARRAY_SIZE(labels); i++) {
			ASSERT_EQ(0, ims_entry(ims[t], labels[i], &after));
			EXPECT_NE(before[t][labels[i]].addr, after.addr) {
				TH_LOG("%s label %d still holds %#llx", ims[t], labels[i],
				       after.addr);
			}
			if (t == 0 && labels[i] == MASKED)
				continue;
			fire_and_count(_metadata, ims[t], NR_SLOTS, labels[i], 2);
		}
	}
	fire_and_count(_metadata, msix, 5, 2, 2);

	/* Nothing lost: the pending interrupt goes out on unmask */
	ASSERT_EQ(0, drv(ims[0], "unmask %d", MASKED));
	ASSERT_EQ(0, wait_count(ims[0], MASKED, v.count + 1, 2000, &w));
	EXPECT_EQ(v.count + 1, w.count);
	EXPECT_EQ(0, w.pending);
	fire_and_count(_metadata, ims[0], NR_SLOTS, MASKED, 1);

	for (t = 0; t < 2; t++)
		drv(ims[t], "destroy");
	drv(msix, "free 2");
}

TEST_HARNESS_MAIN
