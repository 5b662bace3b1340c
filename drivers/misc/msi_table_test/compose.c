// SPDX-License-Identifier: GPL-2.0-only
/*
 * A stand-in for the host which issues the messages of remapped interrupts
 * (asm/msi_compose.h), for guests whose VMM does not answer the compose
 * hypercall: QEMU's VT-d model with caching mode, as in the ir-pv boot of
 * the series' workbench.
 *
 * The backend checks each request as a host would (operation, block
 * geometry, vector, the entry holding a message or not), keeps the live
 * entries, and issues for an entry the message which the emulated IOMMU
 * delivers: the remappable message of the guest's own IRTE, which the VMM
 * reads. A real host issues a message of its own instead.
 *
 * debugfs msi_table_test_compose/state:
 *   read:	the calls per operation, refusals, live entries
 *   write:	"fail <op> <errno>"	the next call of <op> (activate,
 *					update, release) fails with -<errno>
 *		"recompose"		ask the guest to obtain every message
 *					again, as a host does after migration
 */
#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/msi.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include <asm/irq_vectors.h>
#include <asm/msi_compose.h>

#define NR_ENTRIES	65536

static DEFINE_SPINLOCK(compose_test_lock);
static unsigned long *compose_test_live;
static unsigned long compose_test_calls[X86_MSI_COMPOSE_RELEASE + 1];
static unsigned long compose_test_refused[X86_MSI_COMPOSE_RELEASE + 1];
static unsigned long compose_test_reissued, compose_test_ims;
static int compose_test_fail[X86_MSI_COMPOSE_RELEASE + 1];
static struct dentry *compose_test_dir;

static const char * const compose_test_ops[] = {
	[X86_MSI_COMPOSE_ACTIVATE]	= "activate",
	[X86_MSI_COMPOSE_UPDATE]	= "update",
	[X86_MSI_COMPOSE_RELEASE]	= "release",
};

/* The remappable message of the guest's IRTE, which QEMU's VT-d model routes */
static void compose_test_msg(const struct x86_msi_compose_req *req, struct msi_msg *msg)
{
	u32 index = req->irte_index;

	memset(msg, 0, sizeof(*msg));
	msg->arch_addr_lo.dmar_base_address = X86_MSI_BASE_ADDRESS_LOW;
	msg->arch_addr_lo.dmar_subhandle_valid = true;
	msg->arch_addr_lo.dmar_format = true;
	msg->arch_addr_lo.dmar_index_0_14 = index & 0x7fff;
	msg->arch_addr_lo.dmar_index_15 = !!(index & 0x8000);
	msg->address_hi = X86_MSI_BASE_ADDRESS_HIGH;
	/* A block's sub-handle n: the block's data + n */
	msg->arch_data.dmar_subhandle = req->sub_handle;
}

static int compose_test_check(const struct x86_msi_compose_req *req)
{
	if (!req->nr_handles || !is_power_of_2(req->nr_handles) ||
	    req->sub_handle >= req->nr_handles || req->irte_index % req->nr_handles ||
	    req->irte_index + req->nr_handles > NR_ENTRIES)
		return -EINVAL;
	if (req->op != X86_MSI_COMPOSE_RELEASE &&
	    (req->vector < FIRST_EXTERNAL_VECTOR || req->vector >= FIRST_SYSTEM_VECTOR))
		return -EINVAL;
	if (req->flags & ~(X86_MSI_COMPOSE_F_IMS | X86_MSI_COMPOSE_F_PASID |
			   X86_MSI_COMPOSE_F_DEST_LOGICAL))
		return -EINVAL;
	/* Table and label name IMS entries only (hypercalls.rst) */
	if (!(req->flags & X86_MSI_COMPOSE_F_IMS) && (req->table_id || req->hw_label))
		return -EINVAL;
	return 0;
}

static int compose_test_compose(const struct x86_msi_compose_req *req, struct msi_msg *msg)
{
	unsigned int entry = req->irte_index + req->sub_handle;
	unsigned long flags;
	int ret;

	if (req->op < X86_MSI_COMPOSE_ACTIVATE || req->op > X86_MSI_COMPOSE_RELEASE)
		return -EINVAL;

	spin_lock_irqsave(&compose_test_lock, flags);
	ret = compose_test_check(req);
	if (!ret && compose_test_fail[req->op]) {
		ret = compose_test_fail[req->op];
		compose_test_fail[req->op] = 0;
	}
	if (ret)
		goto out;

	switch (req->op) {
	case X86_MSI_COMPOSE_ACTIVATE:
		if (__test_and_set_bit(entry, compose_test_live))
			compose_test_reissued++;
		if (req->flags & X86_MSI_COMPOSE_F_IMS)
			compose_test_ims++;
		compose_test_msg(req, msg);
		break;
	case X86_MSI_COMPOSE_UPDATE:
		if (!test_bit(entry, compose_test_live))
			ret = -EINVAL;
		break;
	case X86_MSI_COMPOSE_RELEASE:
		if (!__test_and_clear_bit(entry, compose_test_live))
			ret = -EINVAL;
		break;
	}
out:
	if (ret)
		compose_test_refused[req->op]++;
	else
		compose_test_calls[req->op]++;
	spin_unlock_irqrestore(&compose_test_lock, flags);
	return ret;
}

static const struct x86_msi_compose_ops compose_test_ops_tbl = {
	.name		= "msi-table-test-compose",
	.owner		= THIS_MODULE,
	.compose	= compose_test_compose,
};

static int compose_test_show(struct seq_file *m, void *v)
{
	int op;

	spin_lock_irq(&compose_test_lock);
	for (op = X86_MSI_COMPOSE_ACTIVATE; op <= X86_MSI_COMPOSE_RELEASE; op++)
		seq_printf(m, "%s: %lu refused %lu\n", compose_test_ops[op],
			   compose_test_calls[op], compose_test_refused[op]);
	seq_printf(m, "reissued: %lu\nims: %lu\nlive: %u\n", compose_test_reissued,
		   compose_test_ims, bitmap_weight(compose_test_live, NR_ENTRIES));
	spin_unlock_irq(&compose_test_lock);
	return 0;
}

static int compose_test_open(struct inode *inode, struct file *file)
{
	return single_open(file, compose_test_show, NULL);
}

static ssize_t compose_test_write(struct file *file, const char __user *ubuf, size_t len,
				  loff_t *ppos)
{
	char buf[64], name[16];
	unsigned int err;
	int op;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;

	if (sysfs_streq(buf, "recompose")) {
		x86_msi_compose_request_recompose();
		return len;
	}
	if (sscanf(buf, "fail %15s %u", name, &err) != 2 || !err || err >= MAX_ERRNO)
		return -EINVAL;
	for (op = X86_MSI_COMPOSE_ACTIVATE; op <= X86_MSI_COMPOSE_RELEASE; op++) {
		if (!strcmp(name, compose_test_ops[op])) {
			spin_lock_irq(&compose_test_lock);
			compose_test_fail[op] = -err;
			spin_unlock_irq(&compose_test_lock);
			return len;
		}
	}
	return -EINVAL;
}

static const struct file_operations compose_test_fops = {
	.owner		= THIS_MODULE,
	.open		= compose_test_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
	.write		= compose_test_write,
};

static int __init compose_test_init(void)
{
	int ret;

	compose_test_live = bitmap_zalloc(NR_ENTRIES, GFP_KERNEL);
	if (!compose_test_live)
		return -ENOMEM;
	ret = x86_msi_compose_register(&compose_test_ops_tbl);
	if (ret) {
		bitmap_free(compose_test_live);
		return ret;
	}
	compose_test_dir = debugfs_create_dir("msi_table_test_compose", NULL);
	debugfs_create_file("state", 0600, compose_test_dir, NULL, &compose_test_fops);
	return 0;
}
module_init(compose_test_init);

static void __exit compose_test_exit(void)
{
	debugfs_remove(compose_test_dir);
	/* No entry holds a reference: the module could not be unloaded */
	WARN_ON(x86_msi_compose_unregister(&compose_test_ops_tbl));
	bitmap_free(compose_test_live);
}
module_exit(compose_test_exit);

MODULE_DESCRIPTION("Test backend which issues the messages of remapped interrupts");
MODULE_LICENSE("GPL");
