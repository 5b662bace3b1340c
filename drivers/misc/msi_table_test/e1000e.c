// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSI-X table test driver for QEMU's e1000e (Intel 82574L).
 *
 * Not a network driver: it holds the function's MSI-X table and fires
 * vectors on demand. A cause bit written to ICS raises the MSI-X vector
 * which IVAR maps the cause to; the handler counts the interrupt and clears
 * the cause in ICR, after which the device raises the cause again when told
 * (QEMU ignores a cause raised again while it is still pending).
 *
 * debugfs: msi_table_test/<device>/cmd takes one command per write and
 * returns its errno from write():
 *   alloc <label>|any	allocate a vector and request its interrupt
 *   range <lo> <hi>	the same, at any free label in [lo, hi]
 *   free <label>		free the interrupt and the vector
 *   fire <label>		fire the vector; -ETIMEDOUT if no interrupt came
 *   mask <label>		mask the vector in the MSI-X table (disable_irq)
 *   unmask <label>		unmask it (enable_irq)
 *   legacy		pci_alloc_irq_vectors() beside the table (must fail)
 *   table			a second table of the function (must fail)
 * msi_table_test/<device>/state lists the table and, per vector, its label,
 * Linux interrupt, interrupt count, last CPU and MSI-X pending bit.
 */
#include <linux/debugfs.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/module.h>
#include <linux/msi_table.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>

#define E1000_ICR		0x000c0	/* Interrupt cause, write 1 to clear */
#define E1000_ICS		0x000c8	/* Interrupt cause set */
#define E1000_IMS		0x000d0	/* Interrupt mask set */
#define E1000_IMC		0x000d8	/* Interrupt mask clear */
#define E1000_IVAR		0x000e4	/* Cause to MSI-X vector map */
#define E1000_ICR_RXQ0		BIT(20)
#define E1000_IVAR_VALID	BIT(3)

#define FIRE_TIMEOUT		msecs_to_jiffies(2000)

struct e1000e_vector {
	struct msi_desc		*desc;
	atomic_t		count;
	int			cpu;
};

struct e1000e_test {
	struct pci_dev		*pdev;
	void __iomem		*regs;
	void __iomem		*pba;
	struct msi_table	*table;
	unsigned int		hwsize;
	struct e1000e_vector	*vec;
	struct mutex		lock;	/* serializes commands */
	wait_queue_head_t	wait;
	struct dentry		*dir;
};

static struct dentry *msi_table_test_root;

static irqreturn_t e1000e_test_irq(int irq, void *data)
{
	struct e1000e_test *t = data;
	struct msi_desc *desc = irq_get_msi_desc(irq);
	struct e1000e_vector *v = &t->vec[desc->msi_index];

	v->cpu = smp_processor_id();
	writel(E1000_ICR_RXQ0, t->regs + E1000_ICR);
	atomic_inc(&v->count);
	wake_up(&t->wait);
	return IRQ_HANDLED;
}

static bool e1000e_test_pending(struct e1000e_test *t, unsigned int label)
{
	return readl(t->pba + label / 32 * 4) & BIT(label % 32);
}

static int e1000e_test_alloc(struct e1000e_test *t, unsigned int label, bool range,
			     unsigned int lo, unsigned int hi)
{
	struct msi_desc *desc;
	int ret;

	if (range)
		desc = msi_table_alloc_vector_range(t->table, lo, hi, NULL, NULL);
	else
		desc = msi_table_alloc_vector(t->table, label, NULL, NULL);
	if (IS_ERR(desc))
		return PTR_ERR(desc);

	t->vec[desc->msi_index].desc = desc;
	atomic_set(&t->vec[desc->msi_index].count, 0);
	t->vec[desc->msi_index].cpu = -1;
	ret = request_irq(desc->irq, e1000e_test_irq, 0, "msi-table-test-e1000e", t);
	if (ret) {
		t->vec[desc->msi_index].desc = NULL;
		msi_table_free_vector(t->table, desc);
		return ret;
	}
	/* A masked vector must not be unmasked lazily behind the test's back */
	irq_set_status_flags(desc->irq, IRQ_DISABLE_UNLAZY);
	return 0;
}

static struct e1000e_vector *e1000e_test_vector(struct e1000e_test *t, unsigned int label)
{
	if (label >= t->hwsize || !t->vec[label].desc)
		return NULL;
	return &t->vec[label];
}

static void e1000e_test_free(struct e1000e_test *t, struct e1000e_vector *v)
{
	free_irq(v->desc->irq, t);
	msi_table_free_vector(t->table, v->desc);
	v->desc = NULL;
}

/* Raise RXQ0, mapped to @label, and wait for its interrupt */
static int e1000e_test_fire(struct e1000e_test *t, struct e1000e_vector *v, unsigned int label)
{
	int before = atomic_read(&v->count);

	/* No cause left over may interrupt on the newly mapped vector */
	writel(~0U, t->regs + E1000_IMC);
	writel(~0U, t->regs + E1000_ICR);
	writel(E1000_IVAR_VALID | label, t->regs + E1000_IVAR);
	writel(E1000_ICR_RXQ0, t->regs + E1000_IMS);
	writel(E1000_ICR_RXQ0, t->regs + E1000_ICS);
	if (!wait_event_timeout(t->wait, atomic_read(&v->count) != before, FIRE_TIMEOUT))
		return -ETIMEDOUT;
	return 0;
}

static int e1000e_test_legacy(struct e1000e_test *t)
{
	int ret = pci_alloc_irq_vectors(t->pdev, 1, 1, PCI_IRQ_ALL_TYPES);

	if (ret < 0)
		return ret;
	/* It worked beside the table: undo it and say so */
	pci_free_irq_vectors(t->pdev);
	return -EEXIST;
}

static int e1000e_test_second_table(struct e1000e_test *t)
{
	struct msi_table *table = pci_allocate_msi_table(t->pdev, PCI_MSI_TABLE_MSIX);

	if (IS_ERR(table))
		return PTR_ERR(table);
	pci_free_msi_table(table);
	return -EEXIST;
}

static int e1000e_test_cmd(struct e1000e_test *t, char *buf)
{
	unsigned int label, lo, hi;
	struct e1000e_vector *v;
	char cmd[16], arg[16];
	int n;

	n = sscanf(buf, "%15s %15s %u", cmd, arg, &hi);
	if (n < 1)
		return -EINVAL;
	if (!strcmp(cmd, "legacy"))
		return e1000e_test_legacy(t);
	if (!strcmp(cmd, "table"))
		return e1000e_test_second_table(t);
	if (n < 2)
		return -EINVAL;
	if (!strcmp(cmd, "alloc") && !strcmp(arg, "any"))
		return e1000e_test_alloc(t, MSI_TABLE_ANY_LABEL, false, 0, 0);
	if (kstrtouint(arg, 0, &label))
		return -EINVAL;
	if (!strcmp(cmd, "alloc"))
		return e1000e_test_alloc(t, label, false, 0, 0);
	if (!strcmp(cmd, "range")) {
		lo = label;
		if (n < 3)
			return -EINVAL;
		return e1000e_test_alloc(t, 0, true, lo, hi);
	}

	v = e1000e_test_vector(t, label);
	if (!v)
		return -ENOENT;
	if (!strcmp(cmd, "free")) {
		e1000e_test_free(t, v);
		return 0;
	}
	if (!strcmp(cmd, "fire"))
		return e1000e_test_fire(t, v, label);
	if (!strcmp(cmd, "mask")) {
		disable_irq(v->desc->irq);
		return 0;
	}
	if (!strcmp(cmd, "unmask")) {
		enable_irq(v->desc->irq);
		return 0;
	}
	return -EINVAL;
}

static ssize_t e1000e_test_cmd_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct e1000e_test *t = file->private_data;
	char buf[64];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	mutex_lock(&t->lock);
	ret = e1000e_test_cmd(t, buf);
	mutex_unlock(&t->lock);
	return ret ? ret : count;
}

static const struct file_operations e1000e_test_cmd_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= e1000e_test_cmd_write,
};

static int e1000e_test_state_show(struct seq_file *m, void *unused)
{
	struct e1000e_test *t = m->private;
	unsigned int i;

	mutex_lock(&t->lock);
	seq_printf(m, "table %u %s hwsize %u\n", msi_table_id(t->table),
		   msi_table_domain(t->table)->name, t->hwsize);
	for (i = 0; i < t->hwsize; i++) {
		struct e1000e_vector *v = &t->vec[i];

		if (v->desc)
			seq_printf(m, "vector %u irq %u count %d cpu %d pending %d\n", i,
				   v->desc->irq, atomic_read(&v->count), v->cpu,
				   e1000e_test_pending(t, i));
	}
	mutex_unlock(&t->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(e1000e_test_state);

static void __iomem *e1000e_test_map_pba(struct pci_dev *pdev, unsigned int hwsize)
{
	u32 pba;
	u8 bir;

	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_PBA, &pba);
	bir = pba & PCI_MSIX_PBA_BIR;
	return pcim_iomap_range(pdev, bir, pba & PCI_MSIX_PBA_OFFSET,
				DIV_ROUND_UP(hwsize, 64) * 8);
}

static int e1000e_test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct e1000e_test *t;
	int ret;

	t = devm_kzalloc(&pdev->dev, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->pdev = pdev;
	mutex_init(&t->lock);
	init_waitqueue_head(&t->wait);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	t->regs = pcim_iomap(pdev, 0, 0);
	if (!t->regs)
		return -ENOMEM;
	/* MSI-X messages are memory writes of the device */
	pci_set_master(pdev);

	/* No cause may interrupt until a test asks for it */
	writel(~0U, t->regs + E1000_IMC);
	writel(~0U, t->regs + E1000_ICR);

	t->table = pci_allocate_msi_table(pdev, PCI_MSI_TABLE_MSIX);
	if (IS_ERR(t->table))
		return dev_err_probe(&pdev->dev, PTR_ERR(t->table), "no MSI-X table\n");
	t->hwsize = pci_msix_vec_count(pdev);
	t->vec = kcalloc(t->hwsize, sizeof(*t->vec), GFP_KERNEL);
	t->pba = e1000e_test_map_pba(pdev, t->hwsize);
	if (!t->vec || IS_ERR(t->pba)) {
		ret = t->vec ? PTR_ERR(t->pba) : -ENOMEM;
		goto free_table;
	}

	t->dir = debugfs_create_dir(pci_name(pdev), msi_table_test_root);
	debugfs_create_file("cmd", 0200, t->dir, t, &e1000e_test_cmd_fops);
	debugfs_create_file("state", 0400, t->dir, t, &e1000e_test_state_fops);
	pci_set_drvdata(pdev, t);
	return 0;

free_table:
	kfree(t->vec);
	pci_free_msi_table(t->table);
	return ret;
}

static void e1000e_test_remove(struct pci_dev *pdev)
{
	struct e1000e_test *t = pci_get_drvdata(pdev);
	unsigned int i;

	debugfs_remove_recursive(t->dir);
	writel(~0U, t->regs + E1000_IMC);
	for (i = 0; i < t->hwsize; i++)
		if (t->vec[i].desc)
			e1000e_test_free(t, &t->vec[i]);
	kfree(t->vec);
	pci_free_msi_table(t->table);
}

static const struct pci_device_id e1000e_test_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, 0x10d3) },
	{ }
};
MODULE_DEVICE_TABLE(pci, e1000e_test_ids);

static struct pci_driver e1000e_test_driver = {
	.name		= "msi-table-test-e1000e",
	.id_table	= e1000e_test_ids,
	.probe		= e1000e_test_probe,
	.remove		= e1000e_test_remove,
};

static int __init e1000e_test_init(void)
{
	int ret;

	msi_table_test_root = debugfs_create_dir("msi_table_test", NULL);
	ret = pci_register_driver(&e1000e_test_driver);
	if (ret)
		debugfs_remove_recursive(msi_table_test_root);
	return ret;
}
module_init(e1000e_test_init);

static void __exit e1000e_test_exit(void)
{
	pci_unregister_driver(&e1000e_test_driver);
	debugfs_remove_recursive(msi_table_test_root);
}
module_exit(e1000e_test_exit);

MODULE_DESCRIPTION("MSI-X table test driver for QEMU's e1000e");
MODULE_LICENSE("GPL");
