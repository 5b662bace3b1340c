// SPDX-License-Identifier: GPL-2.0-only
/*
 * Raw KVM_HC_MSI_COMPOSE calls, for the negative tests of a VMM which
 * answers them (Documentation/virt/kvm/x86/hypercalls.rst): a test writes
 * a request field by field, this module makes the call as the guest
 * backend does (arch/x86/kernel/kvm.c), and the test reads what came back.
 * The guest's interrupt remapping never sees these calls: a test must not
 * name an entry the guest uses, except to check that the host refuses a
 * request which does not match it.
 *
 * debugfs msi_table_test_hypercall/call:
 *   write:	"<key>=<value> ..." with the keys size, op, flags, segment,
 *		sid, pasid, index, sub, nr, vector, dest, table, label,
 *		notify, address_lo, address_hi, data, reserved (the fields of
 *		struct kvm_msi_compose, all zero unless given; size 64 unless
 *		given), a1 (the second argument, 0 unless given), offset
 *		(bytes added to the request's address: 64-byte aligned unless
 *		given) and gpa (the address a0 passes instead, with nothing
 *		there); then the call is made
 *   read:	"ret <rax> address_lo <x> address_hi <x> data <x>" of the
 *		last call
 *
 * debugfs msi_table_test_hypercall/forwarded: per operation ("invalid" for
 * an unknown one), the calls which reached the VMM and those it refused:
 * the calls whose a0 is aligned and in memory and whose a1 is zero, which
 * KVM forwards (hypercalls.rst). The workbench adds them to the guest's
 * own when it compares the VMM's counters with the guest's.
 */
#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/kvm_para.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/cpuid.h>
#include <asm/kvm_para.h>

static DEFINE_MUTEX(hc_test_lock);
static struct dentry *hc_test_dir;
static void *hc_test_buf;		/* two pages: a request may straddle */
static long hc_test_ret = -1;
static struct kvm_msi_compose hc_test_res;
static unsigned long hc_test_calls[KVM_MSI_COMPOSE_NOTIFY + 1];
static unsigned long hc_test_refused[KVM_MSI_COMPOSE_NOTIFY + 1];
static const char * const hc_test_ops[] = {
	"invalid", "activate", "update", "release", "notify",
};

struct hc_test_field {
	const char *key;
	size_t offset;
	size_t size;
};

#define HC_OFF(f)	offsetof(struct kvm_msi_compose, f)
#define HC_SIZE(f)	sizeof_field(struct kvm_msi_compose, f)

static const struct hc_test_field hc_test_fields[] = {
	{ "size", HC_OFF(size), HC_SIZE(size) },
	{ "op", HC_OFF(op), HC_SIZE(op) },
	{ "flags", HC_OFF(flags), HC_SIZE(flags) },
	{ "segment", HC_OFF(segment), HC_SIZE(segment) },
	{ "sid", HC_OFF(requester_id), HC_SIZE(requester_id) },
	{ "pasid", HC_OFF(pasid), HC_SIZE(pasid) },
	{ "index", HC_OFF(irte_index), HC_SIZE(irte_index) },
	{ "sub", HC_OFF(sub_handle), HC_SIZE(sub_handle) },
	{ "nr", HC_OFF(nr_handles), HC_SIZE(nr_handles) },
	{ "vector", HC_OFF(vector), HC_SIZE(vector) },
	{ "dest", HC_OFF(dest_id), HC_SIZE(dest_id) },
	{ "table", HC_OFF(table_id), HC_SIZE(table_id) },
	{ "label", HC_OFF(hw_label), HC_SIZE(hw_label) },
	{ "notify", HC_OFF(notify_gpa), HC_SIZE(notify_gpa) },
	{ "address_lo", HC_OFF(address_lo), HC_SIZE(address_lo) },
	{ "address_hi", HC_OFF(address_hi), HC_SIZE(address_hi) },
	{ "data", HC_OFF(data), HC_SIZE(data) },
	{ "reserved", HC_OFF(reserved), HC_SIZE(reserved) },
};

static int hc_test_set(struct kvm_msi_compose *req, const char *key, u64 val)
{
	void *p = req;
	int i;

	for (i = 0; i < ARRAY_SIZE(hc_test_fields); i++) {
		const struct hc_test_field *f = &hc_test_fields[i];

		if (strcmp(key, f->key))
			continue;
		if (f->size < sizeof(u64) && val >> (8 * f->size))
			return -ERANGE;
		switch (f->size) {
		case 2:
			*(u16 *)(p + f->offset) = val;
			break;
		case 4:
			*(u32 *)(p + f->offset) = val;
			break;
		default:
			*(u64 *)(p + f->offset) = val;
			break;
		}
		return 0;
	}
	return -EINVAL;
}

static ssize_t hc_test_write(struct file *file, const char __user *ubuf, size_t count,
			     loff_t *ppos)
{
	struct kvm_msi_compose req = { .size = sizeof(req) };
	unsigned long a1 = 0, offset = 0, gpa = 0;
	char *buf, *cur, *tok;
	struct kvm_msi_compose *at;
	int ret = 0;
	u64 val;

	if (count > 1024)
		return -E2BIG;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	cur = strim(buf);
	while (!ret && (tok = strsep(&cur, " "))) {
		char *eq = strchr(tok, '=');

		if (!*tok)
			continue;
		if (!eq) {
			ret = -EINVAL;
			break;
		}
		*eq = 0;
		ret = kstrtou64(eq + 1, 0, &val);
		if (ret)
			break;
		if (!strcmp(tok, "a1"))
			a1 = val;
		else if (!strcmp(tok, "offset"))
			offset = val < PAGE_SIZE ? val : PAGE_SIZE;
		else if (!strcmp(tok, "gpa"))
			gpa = val;
		else
			ret = hc_test_set(&req, tok, val);
	}
	kfree(buf);
	if (ret)
		return ret;

	mutex_lock(&hc_test_lock);
	at = hc_test_buf + offset;
	memcpy(at, &req, sizeof(req));
	hc_test_ret = kvm_hypercall2(KVM_HC_MSI_COMPOSE, gpa ?: virt_to_phys(at), a1);
	memcpy(&hc_test_res, at, sizeof(hc_test_res));
	if (!gpa && !a1 && IS_ALIGNED(offset, sizeof(req))) {
		unsigned int op = req.op < ARRAY_SIZE(hc_test_calls) ? req.op : 0;

		hc_test_calls[op]++;
		hc_test_refused[op] += !!hc_test_ret;
	}
	mutex_unlock(&hc_test_lock);
	return count;
}

static ssize_t hc_test_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[128];
	int n;

	mutex_lock(&hc_test_lock);
	n = scnprintf(buf, sizeof(buf), "ret %ld address_lo %#x address_hi %#x data %#x\n",
		      hc_test_ret, hc_test_res.address_lo, hc_test_res.address_hi,
		      hc_test_res.data);
	mutex_unlock(&hc_test_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations hc_test_fops = {
	.owner	= THIS_MODULE,
	.read	= hc_test_read,
	.write	= hc_test_write,
	.llseek	= default_llseek,
};

static int hc_test_forwarded_show(struct seq_file *m, void *unused)
{
	int op;

	mutex_lock(&hc_test_lock);
	for (op = 0; op < ARRAY_SIZE(hc_test_calls); op++)
		seq_printf(m, "%s %lu %lu\n", hc_test_ops[op], hc_test_calls[op],
			   hc_test_refused[op]);
	mutex_unlock(&hc_test_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hc_test_forwarded);

static int __init hc_test_init(void)
{
	u32 base = hypervisor_cpuid_base(KVM_SIGNATURE, 0);

	/* kvm_para_has_feature() is not for modules */
	if (!base || !(cpuid_eax(base | KVM_CPUID_FEATURES) & BIT(KVM_FEATURE_MSI_COMPOSE)))
		return -ENODEV;
	hc_test_buf = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	if (!hc_test_buf)
		return -ENOMEM;
	hc_test_dir = debugfs_create_dir("msi_table_test_hypercall", NULL);
	debugfs_create_file("call", 0600, hc_test_dir, NULL, &hc_test_fops);
	debugfs_create_file("forwarded", 0400, hc_test_dir, NULL, &hc_test_forwarded_fops);
	return 0;
}
module_init(hc_test_init);

static void __exit hc_test_exit(void)
{
	debugfs_remove_recursive(hc_test_dir);
	free_pages((unsigned long)hc_test_buf, 1);
}
module_exit(hc_test_exit);

MODULE_DESCRIPTION("Raw KVM_HC_MSI_COMPOSE calls for the tests of a VMM");
MODULE_LICENSE("GPL");
