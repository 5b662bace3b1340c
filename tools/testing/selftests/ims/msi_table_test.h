/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the tests which drive the msi_table_test drivers
 * (drivers/misc/msi_table_test) through their debugfs files. Include after
 * kselftest_harness.h.
 */
#ifndef _IMS_MSI_TABLE_TEST_H
#define _IMS_MSI_TABLE_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEBUGFS_DIR	"/sys/kernel/debug/msi_table_test"
#define MAX_LABELS	64
/* The VT-d interrupt remapping table (CONFIG_INTEL_IOMMU_DEBUGFS) */
#define IRTE_FILE	"/sys/kernel/debug/iommu/intel/ir_translation_struct"

struct vec_state {
	int irq;
	int count;
	int cpu;
	int pending;
};

/* The first device bound to @driver_dir (/sys/bus/pci/drivers/NAME) */
static inline int find_bound(const char *driver_dir, char *bdf, size_t size)
{
	struct dirent *de;
	DIR *dir = opendir(driver_dir);
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
static inline int drv(const char *dir, const char *fmt, ...)
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
static inline int vec(const char *dir, int label, struct vec_state *v)
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

/*
 * Poll the vector at @label every 10 ms until it has counted @count
 * interrupts or @ms ms have passed: 0 or vec()'s error, its last state in
 * @v (the caller checks the count)
 */
static inline int wait_count(const char *dir, int label, int count, int ms,
			     struct vec_state *v)
{
	int ret;

	while (!(ret = vec(dir, label, v)) && v->count != count && ms > 0) {
		usleep(10000);
		ms -= 10;
	}
	return ret;
}

static inline int table_line(const char *dir, char *buf, size_t size)
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

/*
 * The platform refused the MSI-X table of the test driver's function at
 * debugfs @dir, and the driver fell back to pci_alloc_irq_vectors() (an MSI
 * parent without dynamic MSI-X allocation: the GICv3 ITS in 6.12): its
 * state starts with "fallback"
 */
static inline int table_refused(const char *dir)
{
	char line[256];

	return !table_line(dir, line, sizeof(line)) && !strncmp(line, "fallback ", 9);
}

/* The /proc/interrupts line of @irq */
static inline int proc_line(int irq, char *buf, size_t size)
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

/*
 * The hardware interrupt number and flow of a /proc/interrupts line: " 2-edge"
 * (the flow handler's name, x86) or " 2 Edge" (CONFIG_GENERIC_IRQ_SHOW_LEVEL:
 * arm64, whose GICv3 ITS runs MSIs with the fasteoi handler)
 */
static inline int proc_hwirq_edge(const char *line, int hwirq)
{
	char x86[16], level[16];

	snprintf(x86, sizeof(x86), " %d-edge", hwirq);
	snprintf(level, sizeof(level), " %d Edge", hwirq);
	return strstr(line, x86) || strstr(line, level);
}

static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static inline void free_all(const char *dir, int nr_labels)
{
	int l;

	for (l = 0; l < nr_labels; l++)
		drv(dir, "free %d", l);
}

/*
 * Fire @label @n times: every interrupt arrives (each fire waits for its
 * interrupt) on @label's vector, once, and no other vector counts one.
 */
static inline void fire_and_count(struct __test_metadata *_metadata, const char *dir, int nr_labels,
				  int label, int n)
{
	struct vec_state before[MAX_LABELS], after;
	int l, i;

	for (l = 0; l < nr_labels; l++)
		if (vec(dir, l, &before[l]))
			before[l].irq = -1;
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, drv(dir, "fire %d", label)) {
			TH_LOG("firing label %d (%s) failed", label, dir);
		}
	for (l = 0; l < nr_labels; l++) {
		if (before[l].irq < 0)
			continue;
		ASSERT_EQ(0, vec(dir, l, &after));
		if (l != label) {
			EXPECT_EQ(before[l].count, after.count) {
				TH_LOG("entry %d after firing entry %d %d times", l, label, n);
			}
			continue;
		}
		EXPECT_EQ(before[l].count + n, after.count) {
			TH_LOG("entry %d: %d interrupts for %d fired", l,
			       after.count - before[l].count, n);
		}
	}
}

/* The IRTE at @idx: SrcID column and high quadword; 0 or -ENOENT */
static inline int irte_at(int idx, char *srcid, size_t size, unsigned long long *high)
{
	char line[512], sid[16];
	FILE *f = fopen(IRTE_FILE, "r");
	int ret = -ENOENT, i;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (line[0] == ' ' && sscanf(line, "%d %15s %*x %*x %llx", &i, sid, high) == 3 &&
		    i == idx) {
			snprintf(srcid, size, "%s", sid);
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

/* The IRTE index (handle) of a remappable format message */
static inline int msg_handle(unsigned long long addr)
{
	return ((addr >> 5) & 0x7fff) | ((addr >> 2) & 1) << 15;
}

/* A line of the "slots" file of an IMS table of msi-table-test-edu */
#define IMS_SLOT_FMT	"slot %d queue %d irq %d writes %u masks %u addr %llx data %x ctrl %x"

struct ims_entry {
	int queue;
	int irq;
	unsigned int writes;
	unsigned int masks;
	unsigned long long addr;
	unsigned int data;
	unsigned int ctrl;
};

/* The "slots" line of @label: what the leaf chip did, what the store holds */
static inline int ims_entry(const char *dir, int label, struct ims_entry *s)
{
	/*
	 * Room for any directory of the callers' arrays: gcc 12 for arm64
	 * sees ims_migrate_test's char [2][320] as one 640-byte string
	 * (-Wformat-truncation)
	 */
	char path[1024], line[256];
	int ret = -ENOENT, l;
	FILE *f;

	snprintf(path, sizeof(path), "%s/slots", dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, IMS_SLOT_FMT, &l, &s->queue, &s->irq, &s->writes, &s->masks,
			   &s->addr, &s->data, &s->ctrl) == 8 && l == label) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Lines of @path starting with @prefix and holding @contains (if not NULL) */
static inline int count_lines(const char *path, const char *prefix, const char *contains)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, prefix, strlen(prefix)) && (!contains || strstr(line, contains)))
			n++;
	fclose(f);
	return n;
}

/* Interrupt descriptors: one directory each in /sys/kernel/irq */
static inline int nr_irq_descs(void)
{
	DIR *d = opendir("/sys/kernel/irq");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

#endif /* _IMS_MSI_TABLE_TEST_H */
