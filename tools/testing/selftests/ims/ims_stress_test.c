// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: several threads allocate, request, move, fire and free vectors of
 * several tables of the test devices at once, while another thread takes
 * CPU 1 offline and online again, for at least a fixed number of rounds:
 * - QEMU's e1000e: its MSI-X table, two threads on disjoint entries; where
 *   the platform refuses MSI-X tables (the GICv3 ITS), QEMU's nec-usb-xhci
 *   instead: a multi-MSI block of 4, a thread on two of its labels;
 * - QEMU's edu: its MSI table, and, where the platform remaps IMS, its IMS
 *   array and its memory IMS table, a thread each;
 * the hotplug thread cycles CPU 1 for as long as the workers run, and the
 * workers go on past their rounds until it has cycled twice (a platform
 * whose fires are quick, arm64 without the IMS tables).
 * Every fire must arrive, once, on the vector fired (the test drivers wait
 * for each interrupt); afterwards the interrupt descriptors, the VT-d
 * remapping entries and the CPU vectors in use are back to their counts
 * before the test. The console scan of the workbench catches lockdep and
 * other splats.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "msi_table_test.h"

#define E1000E_DIR	"/sys/bus/pci/drivers/msi-table-test-e1000e"
#define EDU_DIR		"/sys/bus/pci/drivers/msi-table-test-edu"
#define XHCI_DIR	"/sys/bus/pci/drivers/msi-table-test-xhci"
#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"
#define VECTOR_DOMAIN	"/sys/kernel/debug/irq/domains/VECTOR"
#define ROUNDS		12
#define MAX_ROUNDS	(20 * ROUNDS)
#define FIRES		3

struct worker {
	const char *what;
	char dir[320];
	int labels[2];
	int nr_labels;
	int rounds;
	/* results */
	int fired;
	int counted;
	int failures;
	char error[160];
};

static int stop_hotplug;
/* CPU 1's offline-online cycles so far; -1 without the hotplug thread */
static int hotplug_cycles = -1;

/*
 * CPU vectors in use: the sum of the x86 vector matrix's per-CPU "act"
 * column; -1 where there is none. Not its "Total allocated": the matrix
 * does not count a vector freed while its CPU is offline out of that total
 * (irq_matrix_free() only adjusts it for online CPUs), so it drifts up
 * across CPU hotplug without any vector being lost.
 */
static int vectors_allocated(void)
{
	int n = -1, cpu, avl, man, mac, act, table = 0;
	char line[256];
	FILE *f = fopen(VECTOR_DOMAIN, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "| CPU |")) {
			table = 1;
			n = 0;
			continue;
		}
		if (table && sscanf(line, "%d %d %d %d %d", &cpu, &avl, &man, &mac, &act) == 5)
			n += act;
	}
	fclose(f);
	return n;
}

/* Each interrupt's vector state, for the log when the counts differ */
static void dump_vectors(struct __test_metadata *_metadata)
{
	char path[300], line[256], out[512];
	struct dirent *de;
	DIR *d = opendir("/sys/kernel/debug/irq/irqs");
	FILE *f;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/irq/irqs/%s", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		snprintf(out, sizeof(out), "irq %s:", de->d_name);
		while (fgets(line, sizeof(line), f)) {
			if (strstr(line, "Vector:") || strstr(line, "Target:") ||
			    strstr(line, "move_in_progress") || strstr(line, "is_managed") ||
			    strstr(line, "can_reserve") || strstr(line, "has_reserved") ||
			    strstr(line, "cleanup_pending") || strstr(line, "chip:") ||
			    strstr(line, "ACTIVATED") || strstr(line, "STARTED")) {
				line[strcspn(line, "\n")] = ' ';
				strncat(out, line, sizeof(out) - strlen(out) - 1);
			}
		}
		fclose(f);
		TH_LOG("%s", out);
	}
	closedir(d);
}

static void fail(struct worker *w, const char *fmt, int label, int err)
{
	if (!w->failures++)
		snprintf(w->error, sizeof(w->error), fmt, label, err);
}

/* One round on one label: allocate, fire, move, fire, free */
static void round_on(struct worker *w, int label, int round)
{
	struct vec_state before, after;
	char path[128], cpu[8];
	int i, ret;

	ret = drv(w->dir, "alloc %d", label);
	if (ret) {
		fail(w, "alloc %d: %d", label, ret);
		return;
	}
	if (vec(w->dir, label, &before)) {
		fail(w, "no state for label %d (%d)", label, 0);
		goto free;
	}
	for (i = 0; i < 2 * FIRES; i++) {
		if (i == FIRES) {
			/* CPU 1 may be offline: -EINVAL is an answer then */
			snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", before.irq);
			snprintf(cpu, sizeof(cpu), "%d", round & 1);
			ret = write_str(path, cpu);
			if (ret && ret != -EINVAL)
				fail(w, "affinity of label %d: %d", label, ret);
		}
		ret = drv(w->dir, "fire %d", label);
		if (ret) {
			fail(w, "fire %d: %d", label, ret);
			continue;
		}
		w->fired++;
	}
	if (vec(w->dir, label, &after)) {
		fail(w, "no state for label %d (%d)", label, 0);
		goto free;
	}
	w->counted += after.count - before.count;
free:
	ret = drv(w->dir, "free %d", label);
	if (ret)
		fail(w, "free %d: %d", label, ret);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	int r, l, cycles;

	for (r = 0; r < MAX_ROUNDS; r++) {
		/* Past ROUNDS, until CPU 1 has cycled twice (if it can) */
		cycles = __atomic_load_n(&hotplug_cycles, __ATOMIC_ACQUIRE);
		if (r >= ROUNDS && (cycles < 0 || cycles >= 2))
			break;
		for (l = 0; l < w->nr_labels; l++)
			round_on(w, w->labels[l], r);
		w->rounds = r + 1;
	}
	return NULL;
}

static void *hotplug(void *arg)
{
	int *cycles = arg;

	/* For as long as the workers run their rounds */
	while (!__atomic_load_n(&stop_hotplug, __ATOMIC_ACQUIRE)) {
		if (write_str(CPU1_ONLINE, "0"))
			break;
		usleep(100000);
		if (write_str(CPU1_ONLINE, "1"))
			break;
		(*cycles)++;
		__atomic_store_n(&hotplug_cycles, *cycles, __ATOMIC_RELEASE);
		usleep(200000);
	}
	/* The workers stop waiting for cycles (also where CPU 1 refused) */
	__atomic_store_n(&hotplug_cycles, 1 << 20, __ATOMIC_RELEASE);
	return NULL;
}

static void add_worker(struct worker *w, const char *what, const char *dir, int l0, int l1)
{
	memset(w, 0, sizeof(*w));
	w->what = what;
	snprintf(w->dir, sizeof(w->dir), "%s", dir);
	w->labels[0] = l0;
	w->labels[1] = l1;
	w->nr_labels = l1 < 0 ? 1 : 2;
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
	write_str(CPU1_ONLINE, "1");
}

/* Every IMS allocation and fire under TCG takes milliseconds: minutes in all */
TEST_F_TIMEOUT(stress, tables_under_hotplug, 400)
{
	char e1000e[64], edu[64], xhci[64], e1000e_dir[256], dir[256], ims[300], mem[300];
	char xhci_dir[256];
	int descs, irtes, vectors, n = 0, i, cycles = 0;
	struct worker w[5];
	pthread_t tid[5], hp;
	int ims_ok, hotplug_ok, msix_ok;

	/* The MSI-X table exists where the platform allows dynamic MSI-X */
	ASSERT_EQ(0, find_bound(E1000E_DIR, e1000e, sizeof(e1000e)));
	snprintf(e1000e_dir, sizeof(e1000e_dir), DEBUGFS_DIR "/%s", e1000e);
	msix_ok = !table_refused(e1000e_dir);
	ASSERT_EQ(0, find_bound(EDU_DIR, edu, sizeof(edu)));
	if (!msix_ok) {
		/* A multi-MSI block of xHCI, whose vectors exist from its creation */
		ASSERT_EQ(0, find_bound(XHCI_DIR, xhci, sizeof(xhci)));
		snprintf(xhci_dir, sizeof(xhci_dir), DEBUGFS_DIR "/%s", xhci);
		drv(xhci_dir, "destroy");
		ASSERT_EQ(0, drv(xhci_dir, "create 4"));
	}
	snprintf(dir, sizeof(dir), DEBUGFS_DIR "/%s", edu);
	snprintf(ims, sizeof(ims), "%s/ims", dir);
	snprintf(mem, sizeof(mem), "%s/ims-mem", dir);
	drv(ims, "destroy");
	drv(mem, "destroy");

	/* The IMS tables exist where the platform remaps IMS */
	ims_ok = !drv(ims, "create 16");
	if (ims_ok)
		ASSERT_EQ(0, drv(mem, "create 64"));

	/*
	 * The counts before, in the state the workers leave their labels in:
	 * a PCI MSI vector without mask bits is active from the table's setup
	 * on and, once requested and freed, keeps its remapping entry but no
	 * longer a present one (the IRTE listing shows present entries).
	 */
	if (msix_ok) {
		drv(e1000e_dir, "alloc 0");
		drv(e1000e_dir, "free 0");
	}
	drv(dir, "alloc 0");
	drv(dir, "free 0");
	descs = nr_irq_descs();
	irtes = count_lines(IRTE_FILE, " ", NULL);
	vectors = vectors_allocated();
	TH_LOG("IMS %s, MSI-X table %s; descriptors %d, IRTEs %d, CPU vectors %d before",
	       ims_ok ? "allowed" : "refused", msix_ok ? "allowed" : "refused", descs, irtes,
	       vectors);

	if (msix_ok) {
		add_worker(&w[n++], "e1000e MSI-X 0-1", e1000e_dir, 0, 1);
		add_worker(&w[n++], "e1000e MSI-X 2-3", e1000e_dir, 2, 3);
	} else {
		add_worker(&w[n++], "xHCI multi-MSI 1, 2 of 4", xhci_dir, 1, 2);
	}
	add_worker(&w[n++], "edu MSI", dir, 0, -1);
	if (ims_ok) {
		add_worker(&w[n++], "edu IMS array 5, 11", ims, 5, 11);
		add_worker(&w[n++], "edu IMS memory any two", mem, 7, 40);
	}

	hotplug_ok = !access(CPU1_ONLINE, W_OK);
	if (hotplug_ok) {
		hotplug_cycles = 0;
		ASSERT_EQ(0, pthread_create(&hp, NULL, hotplug, &cycles));
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, work, &w[i]));
	for (i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	__atomic_store_n(&stop_hotplug, 1, __ATOMIC_RELEASE);
	if (hotplug_ok)
		pthread_join(hp, NULL);
	write_str(CPU1_ONLINE, "1");

	for (i = 0; i < n; i++) {
		TH_LOG("%s: %d rounds, %d fired, %d counted, %d failures%s%s", w[i].what,
		       w[i].rounds, w[i].fired, w[i].counted, w[i].failures,
		       w[i].failures ? ", first: " : "", w[i].error);
		EXPECT_EQ(0, w[i].failures);
		EXPECT_EQ(w[i].nr_labels * w[i].rounds * 2 * FIRES, w[i].fired);
		EXPECT_EQ(w[i].fired, w[i].counted);
	}
	if (hotplug_ok) {
		TH_LOG("CPU 1 offline and online %d times meanwhile", cycles);
		EXPECT_LE(2, cycles);
	}

	if (ims_ok) {
		EXPECT_EQ(0, drv(ims, "destroy"));
		EXPECT_EQ(0, drv(mem, "destroy"));
	}
	/* Descriptors and IRTEs are freed after an RCU grace period at most */
	for (i = 0; i < 50 && nr_irq_descs() != descs; i++)
		usleep(20000);
	EXPECT_EQ(descs, nr_irq_descs());
	if (irtes >= 0)
		EXPECT_EQ(irtes, count_lines(IRTE_FILE, " ", NULL));
	/* An affinity move frees the old CPU vector from a cleanup timer */
	for (i = 0; vectors >= 0 && i < 100 && vectors_allocated() != vectors; i++)
		usleep(20000);
	if (vectors >= 0) {
		EXPECT_EQ(vectors, vectors_allocated());
		if (vectors != vectors_allocated())
			dump_vectors(_metadata);
	}
	TH_LOG("after: descriptors %d, IRTEs %d, CPU vectors %d", nr_irq_descs(),
	       count_lines(IRTE_FILE, " ", NULL), vectors_allocated());
	if (!msix_ok)
		EXPECT_EQ(0, drv(xhci_dir, "destroy"));
}

TEST_HARNESS_MAIN
