// SPDX-License-Identifier: GPL-2.0
/*
 * A VMM which answers KVM_HC_MSI_COMPOSE refuses what it must
 * (Documentation/virt/kvm/x86/hypercalls.rst), and keeps running: raw calls
 * through the msi-table-test-hypercall module (the vmm boot loads it):
 * - malformed requests, one field at a time: -EINVAL, or -EOPNOTSUPP for
 *   PASID and logical destinations, -EFAULT for a0 outside guest memory;
 * - requests which do not match the guest's remapping entry of a live IMS
 *   vector: another function's requester ID, a requester ID of no device,
 *   a wrong vector or destination, an entry which is not present, an entry
 *   which holds no message; the right request is answered;
 * - afterwards the vector still fires, and once freed its message, sent by
 *   the device, is not delivered.
 * The entry's IRTE index is read from the message the VMM issued, whose
 * handle is the IRTE index in the vmm boot (x-compose-handle-offset 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "msi_table_test.h"

#define EDU_DIR		"/sys/bus/pci/drivers/msi-table-test-edu"
#define E1000E_DIR	"/sys/bus/pci/drivers/msi-table-test-e1000e"
#define CALL		"/sys/kernel/debug/msi_table_test_hypercall/call"
#define NR_SLOTS	64
#define LABEL		5

/* KVM's hypercall errors (include/uapi/linux/kvm_para.h) */
#define KVM_ENOSYS	1000

static long call(const char *fmt, ...)
{
	char req[512], line[128];
	long ret = -KVM_ENOSYS - 1;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	if (write_str(CALL, req))
		return -KVM_ENOSYS - 2;
	f = fopen(CALL, "r");
	if (!f)
		return -KVM_ENOSYS - 3;
	if (fgets(line, sizeof(line), f))
		sscanf(line, "ret %ld", &ret);
	fclose(f);
	return ret;
}

static int sid_of(const char *bdf)
{
	unsigned int dom, bus, dev, fn;

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return -1;
	return bus << 8 | dev << 3 | fn;
}

/* The vector and target CPU of @irq, from the irq debugfs hierarchy */
static int vector_of(int irq, int *vector, int *cpu)
{
	char path[128], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/irq/irqs/%d", irq);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v = strstr(line, "Vector:"), *t = strstr(line, "Target:");

		/* The first of each: the vector domain's */
		if (v && !(found & 1) && sscanf(v, "Vector: %d", vector) == 1)
			found |= 1;
		else if (t && !(found & 2) && sscanf(t, "Target: %d", cpu) == 1)
			found |= 2;
	}
	fclose(f);
	return found == 3 ? 0 : -ENOENT;
}

static int apicid_of(int cpu)
{
	char line[256];
	int proc = -1, id = -1, v;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "processor : %d", &v) == 1)
			proc = v;
		else if (proc == cpu && sscanf(line, "apicid : %d", &v) == 1)
			id = v;
	}
	fclose(f);
	return id;
}

FIXTURE(hypercall) {
	char dir[320];
	int sid, other_sid, index, vector, dest, irq;
};

FIXTURE_SETUP(hypercall)
{
	char bdf[64], nic[64];
	struct ims_entry entry;
	struct vec_state v;
	int cpu;

	if (access(CALL, F_OK))
		SKIP(return, "no msi-table-test-hypercall: the vmm boot loads it");
	ASSERT_EQ(0, find_bound(EDU_DIR, bdf, sizeof(bdf)));
	ASSERT_EQ(0, find_bound(E1000E_DIR, nic, sizeof(nic)));
	self->sid = sid_of(bdf);
	self->other_sid = sid_of(nic);
	ASSERT_LE(0, self->sid);
	ASSERT_LE(0, self->other_sid);
	snprintf(self->dir, sizeof(self->dir), DEBUGFS_DIR "/%s/ims", bdf);
	drv(self->dir, "destroy");
	ASSERT_EQ(0, drv(self->dir, "create %d", NR_SLOTS));
	ASSERT_EQ(0, drv(self->dir, "alloc %d", LABEL));
	ASSERT_EQ(0, vec(self->dir, LABEL, &v));
	self->irq = v.irq;
	ASSERT_EQ(0, vector_of(v.irq, &self->vector, &cpu));
	self->dest = apicid_of(cpu);
	ASSERT_LE(0, self->dest);
	/* Remappable format (bit 4); the handle is the IRTE index here */
	ASSERT_EQ(0, ims_entry(self->dir, LABEL, &entry));
	ASSERT_EQ(0x10, entry.addr & 0x10);
	self->index = msg_handle(entry.addr);
	TH_LOG("label %d: irq %d, sid %#x, IRTE %d, vector %d, APIC %d", LABEL, v.irq,
	       self->sid, self->index, self->vector, self->dest);
}

FIXTURE_TEARDOWN(hypercall)
{
	drv(self->dir, "destroy");
}

/* Malformed requests: the op is valid but one field is not */
TEST_F(hypercall, malformed)
{
	static const struct {
		const char *what;
		const char *fields;
		long ret;
	} cases[] = {
		{ "size 63",			"size=63",		-EINVAL },
		{ "size 128",			"size=128",		-EINVAL },
		{ "unknown op",			"op=9",			-EINVAL },
		{ "op 0",			"op=0",			-EINVAL },
		{ "unknown flag",		"flags=0x8",		-EINVAL },
		{ "reserved word",		"reserved=1",		-EINVAL },
		{ "result set by the guest",	"address_lo=0xfee00000", -EINVAL },
		{ "pasid without the flag",	"pasid=1",		-EINVAL },
		{ "segment 1",			"segment=1",		-EINVAL },
		{ "nr_handles 0",		"nr=0",			-EINVAL },
		{ "nr_handles 3",		"nr=3",			-EINVAL },
		{ "nr_handles 64",		"nr=64",		-EINVAL },
		{ "sub_handle out of block",	"nr=2 sub=2",		-EINVAL },
		{ "IMS fields without IMS",	"table=1",		-EINVAL },
		{ "notify_gpa in ACTIVATE",	"notify=4096",		-EINVAL },
		{ "vector 15",			"vector=15",		-EINVAL },
		{ "a1 nonzero",			"a1=1",			-EINVAL },
		{ "a0 not aligned",		"offset=8",		-EINVAL },
		{ "a0 outside memory",		"gpa=0xfee00000",	-EFAULT },
		{ "PASID",			"flags=0x2 pasid=1",	-EOPNOTSUPP },
		{ "logical destination",	"flags=0x4",		-EOPNOTSUPP },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* Start from the entry's own ACTIVATE, which is answered */
		long ret = call("op=1 sid=%d index=%d sub=0 nr=1 vector=%d dest=%d %s",
				self->sid, self->index, self->vector, self->dest,
				cases[i].fields);

		EXPECT_EQ(cases[i].ret, ret) {
			TH_LOG("%s: %ld", cases[i].what, ret);
		}
	}
	/* NOTIFY with a field which must be zero */
	EXPECT_EQ(-EINVAL, call("op=4 sid=1 vector=240 notify=0"));
	EXPECT_EQ(-EINVAL, call("op=4 vector=7 notify=4096"));
	/* The vector still fires */
	fire_and_count(_metadata, self->dir, NR_SLOTS, LABEL, 2);
}

/* Requests which do not match the guest's entry */
TEST_F(hypercall, mismatched)
{
	int other_vector;

	/* The right one is answered: the values below are the entry's */
	EXPECT_EQ(0, call("op=2 sid=%d index=%d nr=1 vector=%d dest=%d",
			  self->sid, self->index, self->vector, self->dest));
	EXPECT_EQ(-EINVAL, call("op=2 sid=%d index=%d nr=1 vector=%d dest=%d",
				self->other_sid, self->index, self->vector, self->dest)) {
		TH_LOG("another function's requester ID");
	}
	EXPECT_EQ(-EINVAL, call("op=1 sid=%d index=%d nr=1 vector=%d dest=%d",
				0xfe00, self->index, self->vector, self->dest)) {
		TH_LOG("the requester ID of no device");
	}
	other_vector = self->vector == 255 ? 254 : self->vector + 1;
	EXPECT_EQ(-EINVAL, call("op=2 sid=%d index=%d nr=1 vector=%d dest=%d",
				self->sid, self->index, other_vector, self->dest)) {
		TH_LOG("another vector");
	}
	EXPECT_EQ(-EINVAL, call("op=2 sid=%d index=%d nr=1 vector=%d dest=%d",
				self->sid, self->index, self->vector, self->dest + 1)) {
		TH_LOG("another destination");
	}
	EXPECT_EQ(-EINVAL, call("op=1 sid=%d index=%d nr=1 vector=%d dest=%d",
				self->sid, 60000, self->vector, self->dest)) {
		TH_LOG("an IRTE which is not present");
	}
	EXPECT_EQ(-EINVAL, call("op=3 sid=%d index=%d nr=1", self->sid, 60000)) {
		TH_LOG("release of an entry which holds no message");
	}
	EXPECT_EQ(-EINVAL, call("op=2 sid=%d index=%d nr=1 vector=%d dest=%d",
				self->sid, 60000, self->vector, self->dest)) {
		TH_LOG("update of an entry which holds no message");
	}
	fire_and_count(_metadata, self->dir, NR_SLOTS, LABEL, 2);
}

/* A released message is not delivered; the entry's calls are refused */
TEST_F(hypercall, released)
{
	struct vec_state other, after;
	struct ims_entry entry;
	char cmd[64];

	ASSERT_EQ(0, ims_entry(self->dir, LABEL, &entry));
	/* Another vector, to see that nothing reaches anyone */
	ASSERT_EQ(0, drv(self->dir, "alloc %d", LABEL + 1));
	ASSERT_EQ(0, vec(self->dir, LABEL + 1, &other));
	ASSERT_EQ(0, drv(self->dir, "free %d", LABEL));
	EXPECT_EQ(-EINVAL, call("op=2 sid=%d index=%d nr=1 vector=%d dest=%d",
				self->sid, self->index, self->vector, self->dest));
	EXPECT_EQ(-EINVAL, call("op=3 sid=%d index=%d nr=1", self->sid, self->index));
	/* The device sends it: the VMM drops it (QEMU's stderr says so) */
	snprintf(cmd, sizeof(cmd), "send %#llx", entry.addr);
	ASSERT_EQ(0, drv(self->dir, "%s", cmd));
	usleep(200000);
	ASSERT_EQ(0, vec(self->dir, LABEL + 1, &after));
	EXPECT_EQ(other.count, after.count);
	fire_and_count(_metadata, self->dir, NR_SLOTS, LABEL + 1, 1);
}

TEST_HARNESS_MAIN
