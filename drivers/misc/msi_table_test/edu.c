// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSI table test driver for QEMU's edu device.
 *
 * edu has one MSI vector and no per vector mask bit: writing to its raise
 * register sets a bit in its interrupt status and sends the MSI, writing
 * the bit to its acknowledge register clears it. The driver holds the
 * function's MSI table, a block of one vector. See common.c for the
 * debugfs interface.
 *
 * It also takes an IMS table whose messages stay in memory, for the tests
 * of what the platform allows (an IMS table needs interrupt remapping, and
 * not a virtual IOMMU) and of when the core writes a stored message. The
 * debugfs file cmd takes "ims_create <n>", "ims_destroy", "ims_alloc
 * <label>" (allocate and request), "ims_free <label>"; ims_state lists
 * per vector its
 * Linux interrupt, the number of message writes and masks, and the stored
 * message.
 */
#include <linux/debugfs.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/msi.h>
#include <linux/msi_table.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "msi_table_test.h"

#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define EDU_IRQ_TEST		BIT(0)

#define EDU_IMS_MAX		64

/* A vector of the in-memory IMS table: what the core stored and did */
struct edu_ims_slot {
	struct msi_desc		*desc;
	struct msi_msg		msg;
	unsigned int		writes;
	unsigned int		masks;
	bool			masked;
};

struct edu_test {
	struct msi_table_test	t;
	void __iomem		*regs;
	struct msi_table	*ims;
	struct edu_ims_slot	slot[EDU_IMS_MAX];
};

static struct edu_test *to_edu(struct msi_table_test *t)
{
	return container_of(t, struct edu_test, t);
}

static int edu_test_fire(struct msi_table_test *t, unsigned int label)
{
	writel(EDU_IRQ_TEST, to_edu(t)->regs + EDU_IRQ_RAISE);
	return 0;
}

static void edu_test_ack(struct msi_table_test *t, unsigned int label)
{
	void __iomem *regs = to_edu(t)->regs;

	writel(readl(regs + EDU_IRQ_STATUS), regs + EDU_IRQ_ACK);
}

static struct edu_ims_slot *edu_ims_slot(struct irq_data *d)
{
	struct edu_test *e = msi_get_domain_info(d->domain)->data;

	return &e->slot[irqd_to_hwirq(d)];
}

/* Atomic context: memory only */
static void edu_ims_write_msg(struct irq_data *d, struct msi_msg *msg)
{
	struct edu_ims_slot *slot = edu_ims_slot(d);

	slot->msg = *msg;
	slot->writes++;
}

static void edu_ims_mask(struct irq_data *d)
{
	edu_ims_slot(d)->masked = true;
	edu_ims_slot(d)->masks++;
}

static void edu_ims_unmask(struct irq_data *d)
{
	edu_ims_slot(d)->masked = false;
}

static const struct msi_domain_template edu_ims_template = {
	.chip = {
		.name			= "EDU-IMS",
		.irq_write_msi_msg	= edu_ims_write_msg,
		.irq_mask		= edu_ims_mask,
		.irq_unmask		= edu_ims_unmask,
	},
};

/* The benchmark's leaf: a message goes nowhere */
static void edu_bench_write_msg(struct irq_data *d, struct msi_msg *msg)
{
}

static void edu_bench_mask(struct irq_data *d)
{
}

static const struct msi_domain_template edu_bench_template = {
	.chip = {
		.name			= "EDU-IMS-BENCH",
		.irq_write_msi_msg	= edu_bench_write_msg,
		.irq_mask		= edu_bench_mask,
		.irq_unmask		= edu_bench_mask,
	},
};

/* Allocate every vector of an IMS table of @n, then free them: ns per vector */
static s64 edu_ims_bench_one(struct edu_test *e, unsigned int n, struct msi_desc **v)
{
	struct msi_table *table;
	unsigned int i;
	ktime_t t0;
	s64 ns;

	table = pci_create_ims_table(e->t.pdev, &edu_bench_template, n, NULL);
	if (IS_ERR(table))
		return PTR_ERR(table);
	t0 = ktime_get();
	for (i = 0; i < n; i++) {
		v[i] = msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL, NULL, NULL);
		if (IS_ERR(v[i]))
			break;
		cond_resched();
	}
	ns = i < n ? PTR_ERR(v[i]) : 0;
	while (i--) {
		msi_table_free_vector(table, v[i]);
		cond_resched();
	}
	if (!ns)
		ns = div_s64(ktime_to_ns(ktime_sub(ktime_get(), t0)), n);
	msi_table_free(table);
	return ns;
}

/*
 * "ims_bench": alloc + free per vector of an IMS table under the real
 * parent (VT-d interrupt remapping: one IRTE each, allocated by a bitmap
 * scan under a raw spinlock) at 64 and 16,384 vectors, printed.
 */
static int edu_ims_bench(struct edu_test *e)
{
	static const unsigned int sizes[] = { 64, 16384 };
	struct msi_desc **v;
	s64 ns[2];
	int i;

	v = kvcalloc(16384, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < 2; i++) {
		ns[i] = edu_ims_bench_one(e, sizes[i], v);
		if (ns[i] < 0)
			break;
	}
	kvfree(v);
	if (i < 2)
		return ns[i];
	pr_info("msi-table-bench: IMS table under %s, alloc+free per vector: N=64 %lld ns, N=16384 %lld ns, 16384/64 %lld.%02lld\n",
		dev_get_msi_domain(&e->t.pdev->dev)->name, ns[0], ns[1], div64_s64(ns[1], ns[0]),
		div64_s64(ns[1] * 100, ns[0]) % 100);
	return 0;
}

static irqreturn_t edu_ims_irq(int irq, void *data)
{
	return IRQ_HANDLED;
}

/* "ims create <n>", "ims destroy", "ims alloc <label>", "ims free <label>" */
static int edu_ims_cmd(struct msi_table_test *t, const char *cmd, unsigned int label)
{
	struct edu_test *e = to_edu(t);
	struct edu_ims_slot *slot;
	struct msi_desc *desc;
	int n, ret;

	if (!strcmp(cmd, "ims_bench"))
		return edu_ims_bench(e);
	if (!strcmp(cmd, "ims_create")) {
		if (e->ims)
			return -EBUSY;
		if (!label || label > EDU_IMS_MAX)
			return -EINVAL;
		e->ims = pci_create_ims_table(e->t.pdev, &edu_ims_template, label, e);
		ret = PTR_ERR_OR_ZERO(e->ims);
		if (ret)
			e->ims = NULL;
		return ret;
	}
	if (strncmp(cmd, "ims_", 4))
		return -EINVAL;
	if (!e->ims)
		return -ENOENT;
	if (!strcmp(cmd, "ims_destroy")) {
		for (n = 0; n < EDU_IMS_MAX; n++) {
			if (e->slot[n].desc) {
				free_irq(e->slot[n].desc->irq, e);
				msi_table_free_vector(e->ims, e->slot[n].desc);
			}
		}
		memset(e->slot, 0, sizeof(e->slot));
		msi_table_free(e->ims);
		e->ims = NULL;
		return 0;
	}
	if (label >= EDU_IMS_MAX)
		return -EINVAL;
	slot = &e->slot[label];
	if (!strcmp(cmd, "ims_alloc")) {
		/* A slot in use stays as it is: the table refuses the label */
		if (!slot->desc)
			memset(slot, 0, sizeof(*slot));
		desc = msi_table_alloc_vector(e->ims, label, NULL, NULL);
		if (IS_ERR(desc))
			return PTR_ERR(desc);
		ret = request_irq(desc->irq, edu_ims_irq, 0, "msi-table-test-edu-ims", e);
		if (ret) {
			msi_table_free_vector(e->ims, desc);
			return ret;
		}
		slot->desc = desc;
		return 0;
	}
	if (!strcmp(cmd, "ims_free")) {
		if (!slot->desc)
			return -ENOENT;
		free_irq(slot->desc->irq, e);
		msi_table_free_vector(e->ims, slot->desc);
		slot->desc = NULL;
		return 0;
	}
	return -EINVAL;
}

static int edu_ims_state_show(struct seq_file *m, void *unused)
{
	struct edu_test *e = m->private;
	unsigned int i;

	mutex_lock(&e->t.lock);
	if (e->ims)
		seq_printf(m, "table %u %s\n", msi_table_id(e->ims),
			   msi_table_domain(e->ims)->name);
	for (i = 0; e->ims && i < EDU_IMS_MAX; i++) {
		struct edu_ims_slot *slot = &e->slot[i];

		if (slot->desc)
			seq_printf(m, "slot %u irq %u writes %u masks %u masked %d addr %#x%08x data %#x\n",
				   i, slot->desc->irq, slot->writes, slot->masks, slot->masked,
				   slot->msg.address_hi, slot->msg.address_lo, slot->msg.data);
	}
	mutex_unlock(&e->t.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(edu_ims_state);

static const struct msi_table_test_ops edu_test_ops = {
	.fire		= edu_test_fire,
	.ack		= edu_test_ack,
	.cmd		= edu_ims_cmd,
};

static int edu_test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_test *e;
	int ret;

	e = devm_kzalloc(&pdev->dev, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;

	e->regs = msi_table_test_map(pdev);
	if (IS_ERR(e->regs))
		return PTR_ERR(e->regs);
	writel(readl(e->regs + EDU_IRQ_STATUS), e->regs + EDU_IRQ_ACK);

	e->t.pdev = pdev;
	e->t.type = PCI_MSI_TABLE_MSI;
	e->t.nvec = 1;
	e->t.ops = &edu_test_ops;
	e->t.name = "msi-table-test-edu";
	ret = msi_table_test_add(&e->t);
	if (ret)
		return ret;
	debugfs_create_file("ims_state", 0400, e->t.dir, e, &edu_ims_state_fops);
	pci_set_drvdata(pdev, e);
	return 0;
}

static void edu_test_remove(struct pci_dev *pdev)
{
	struct edu_test *e = pci_get_drvdata(pdev);

	if (e->ims)
		edu_ims_cmd(&e->t, "ims_destroy", 0);
	msi_table_test_remove(&e->t);
}

static const struct pci_device_id edu_test_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_test_ids);

static struct pci_driver edu_test_driver = {
	.name		= "msi-table-test-edu",
	.id_table	= edu_test_ids,
	.probe		= edu_test_probe,
	.remove		= edu_test_remove,
};
module_pci_driver(edu_test_driver);

MODULE_DESCRIPTION("MSI table test driver for QEMU's edu");
MODULE_LICENSE("GPL");
