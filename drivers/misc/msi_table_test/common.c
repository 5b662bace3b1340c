// SPDX-License-Identifier: GPL-2.0-only
/*
 * Common part of the MSI table test drivers.
 *
 * debugfs: msi_table_test/<device>/cmd takes one command per write and
 * returns its errno from write():
 *   alloc <label>|any	allocate a vector and request its interrupt
 *   range <lo> <hi>	the same, at any free label in [lo, hi]
 *   managed <label> <cpu> the same, managed affinity on <cpu>
 *   free <label>		free the interrupt and the vector
 *   fire <label>		fire the vector; -ETIMEDOUT if no interrupt came
 *   mask <label>		mask the vector (disable_irq, not lazily);
 *			-EOPNOTSUPP where the device cannot mask it
 *   unmask <label>		unmask it (enable_irq)
 *   legacy		pci_alloc_irq_vectors() beside the table (must fail;
 *			PCI tables only)
 *   table			a second table of the function (the same)
 *   after-legacy		the other order: the table given up,
 *			pci_alloc_irq_vectors(), then the table (must fail,
 *			its errno is returned), the table taken again;
 *			no vector may be allocated (PCI tables only)
 *   leave-table		when the driver is removed, free the vectors but not
 *			the PCI table, which the device's MSI data tears
 *			down; its shell is freed later (PCI tables only)
 *   lose-msi-state	the function loses its MSI capability's state
 *			(enable, block size, message) as in a reset, and
 *			the PCI core's state restore brings it back (MSI
 *			tables only; -EIO if the state was not lost)
 *   create <n>		create a table of n labels (devices whose tables
 *			are made on demand: IMS)
 *   destroy		free its vectors and the table
 * and the device's own commands (struct msi_table_test_ops::cmd).
 * msi_table_test/<device>/state lists the table and, per vector, its label,
 * Linux interrupt, interrupt count, last CPU and pending bit (-1: unknown).
 *
 * Where the platform refuses the MSI-X table (-EOPNOTSUPP: an MSI parent
 * without dynamic MSI-X), the driver falls back as a real driver must:
 * every entry from pci_alloc_irq_vectors(), requested at probe; "state"
 * then starts with "fallback" and "fire" is the only command.
 */
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/msi_table.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "msi_table_test.h"

#define FIRE_TIMEOUT	msecs_to_jiffies(2000)

static struct dentry *msi_table_test_root;
/* A table left by "leave-table", whose shell the driver frees later */
static struct msi_table *msi_table_test_left;
static DEFINE_MUTEX(msi_table_test_left_lock);

static irqreturn_t msi_table_test_irq(int irq, void *data)
{
	struct msi_table_test *t = data;
	unsigned int label = irq_get_msi_desc(irq)->msi_index;
	struct msi_table_test_vector *v = &t->vec[label];

	v->cpu = smp_processor_id();
	if (!t->ops->ack(t, label))
		return IRQ_NONE;
	atomic_inc(&v->count);
	wake_up(&t->wait);
	return IRQ_HANDLED;
}

static int msi_table_test_alloc(struct msi_table_test *t, unsigned int label, bool range,
				unsigned int lo, unsigned int hi, int managed_cpu)
{
	union msi_instance_cookie cookie = { }, *icookie = NULL;
	struct irq_affinity_desc affd = { .is_managed = 1 };
	struct msi_table_test_vector *v;
	struct msi_desc *desc;
	int ret;

	if (!t->table)
		return -ENOENT;
	if (managed_cpu >= 0) {
		if (managed_cpu >= nr_cpu_ids || !cpu_possible(managed_cpu))
			return -EINVAL;
		cpumask_copy(&affd.mask, cpumask_of(managed_cpu));
	}
	if (t->ops->get_cookie) {
		ret = t->ops->get_cookie(t, &cookie);
		if (ret)
			return ret;
		icookie = &cookie;
	}

	if (range)
		desc = msi_table_alloc_vector_range(t->table, lo, hi, NULL, icookie);
	else
		desc = msi_table_alloc_vector(t->table, label, managed_cpu >= 0 ? &affd : NULL,
					      icookie);
	if (IS_ERR(desc)) {
		ret = PTR_ERR(desc);
		goto put_cookie;
	}

	v = &t->vec[desc->msi_index];
	v->desc = desc;
	atomic_set(&v->count, 0);
	v->cpu = -1;
	/* Nothing a former vector at this label left may reach this one */
	if (t->ops->clear_pending)
		t->ops->clear_pending(t, desc->msi_index);
	/* A masked vector must not be unmasked lazily behind the test's back */
	irq_set_status_flags(desc->irq, IRQ_DISABLE_UNLAZY);
	ret = request_irq(desc->irq, msi_table_test_irq, 0, t->name, t);
	if (!ret)
		return 0;
	v->desc = NULL;
	irq_clear_status_flags(desc->irq, IRQ_DISABLE_UNLAZY);
	msi_table_free_vector(t->table, desc);
put_cookie:
	if (icookie)
		t->ops->put_cookie(t, icookie);
	return ret;
}

static void msi_table_test_free(struct msi_table_test *t, struct msi_table_test_vector *v)
{
	union msi_instance_cookie cookie = v->desc->data.icookie;

	free_irq(v->desc->irq, t);
	irq_clear_status_flags(v->desc->irq, IRQ_DISABLE_UNLAZY);
	msi_table_free_vector(t->table, v->desc);
	v->desc = NULL;
	if (t->ops->put_cookie)
		t->ops->put_cookie(t, &cookie);
}

static void msi_table_test_free_all(struct msi_table_test *t)
{
	unsigned int i;

	for (i = 0; i < t->hwsize; i++)
		if (t->vec[i].desc)
			msi_table_test_free(t, &t->vec[i]);
}

/**
 * msi_table_test_create_table - Create a table made on demand
 * @t:	With @t->ops->create, no table and the lock held
 * @n:	Its number of labels
 *
 * Return: 0 or an errno.
 */
int msi_table_test_create_table(struct msi_table_test *t, unsigned int n)
{
	struct msi_table *table;

	if (!t->ops->create)
		return -EINVAL;
	if (t->table)
		return -EBUSY;
	if (!n)
		return -EINVAL;
	/* The device checks @n before anything is sized by it */
	table = t->ops->create(t, n);
	if (IS_ERR(table))
		return PTR_ERR(table);
	t->table = table;
	t->vec = kvcalloc(n, sizeof(*t->vec), GFP_KERNEL);
	if (!t->vec) {
		t->ops->destroy(t);
		t->table = NULL;
		return -ENOMEM;
	}
	t->hwsize = n;
	return 0;
}
EXPORT_SYMBOL_GPL(msi_table_test_create_table);

/**
 * msi_table_test_destroy_table - Free the vectors and a table made on demand
 * @t:	With @t->ops->create and the lock held
 *
 * Return: 0, or -%ENOENT if there is no table.
 */
int msi_table_test_destroy_table(struct msi_table_test *t)
{
	if (!t->ops->create)
		return -EINVAL;
	if (!t->table)
		return -ENOENT;
	msi_table_test_free_all(t);
	t->ops->destroy(t);
	t->table = NULL;
	t->hwsize = 0;
	kvfree(t->vec);
	t->vec = NULL;
	return 0;
}
EXPORT_SYMBOL_GPL(msi_table_test_destroy_table);

static int msi_table_test_fire(struct msi_table_test *t, unsigned int label)
{
	int before = atomic_read(&t->vec[label].count);
	int ret;

	ret = t->ops->fire(t, label);
	if (ret)
		return ret;
	if (!wait_event_timeout(t->wait, atomic_read(&t->vec[label].count) != before,
				FIRE_TIMEOUT))
		return -ETIMEDOUT;
	return 0;
}

/*
 * No MSI-X table (the platform refused it): every entry up front from
 * pci_alloc_irq_vectors(), as IDXD falls back, each requested with the
 * common handler, which finds its label in the descriptor's index.
 */
static int msi_table_test_fallback(struct msi_table_test *t)
{
	struct pci_dev *pdev = t->pdev;
	int n = pci_msix_vec_count(pdev), i, ret;
	struct msi_desc *desc;

	if (n < 0)
		return n;
	ret = pci_alloc_irq_vectors(pdev, n, n, PCI_IRQ_MSIX);
	if (ret < 0)
		return dev_err_probe(&pdev->dev, ret, "no MSI-X table and no MSI-X vectors\n");
	t->vec = kvcalloc(n, sizeof(*t->vec), GFP_KERNEL);
	if (!t->vec) {
		ret = -ENOMEM;
		goto free_vectors;
	}
	t->hwsize = n;
	for (i = 0; i < n; i++) {
		ret = pci_irq_vector(pdev, i);
		if (ret < 0)
			goto free_irqs;
		desc = irq_get_msi_desc(ret);
		t->vec[i].cpu = -1;
		if (t->ops->clear_pending)
			t->ops->clear_pending(t, i);
		ret = request_irq(desc->irq, msi_table_test_irq, 0, t->name, t);
		if (ret)
			goto free_irqs;
		t->vec[i].desc = desc;
	}
	t->table = NULL;
	t->fallback = true;
	dev_info(&pdev->dev, "MSI-X table refused (%d): %d vectors from pci_alloc_irq_vectors()\n",
		 -EOPNOTSUPP, n);
	return 0;

free_irqs:
	while (i--)
		free_irq(t->vec[i].desc->irq, t);
	kvfree(t->vec);
	t->vec = NULL;
free_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}

static void msi_table_test_free_fallback(struct msi_table_test *t)
{
	unsigned int i;

	for (i = 0; i < t->hwsize; i++)
		free_irq(t->vec[i].desc->irq, t);
	kvfree(t->vec);
	pci_free_irq_vectors(t->pdev);
}

/* The vectors of the table just taken, by label */
static int msi_table_test_vectors(struct msi_table_test *t)
{
	t->hwsize = t->msix ? pci_msix_vec_count(t->pdev) : t->nvec;
	t->vec = kvcalloc(t->hwsize, sizeof(*t->vec), GFP_KERNEL);
	if (t->vec)
		return 0;
	msi_table_free(t->table);
	return -ENOMEM;
}

/* The function's MSI-X table or MSI block, as the driver asked */
static struct msi_table *msi_table_test_pci_table(struct msi_table_test *t)
{
	if (t->msix)
		return pci_allocate_msix_table(t->pdev);
	return pci_allocate_msi_table(t->pdev, t->nvec);
}

static int msi_table_test_legacy(struct msi_table_test *t)
{
	int ret = pci_alloc_irq_vectors(t->pdev, 1, 1, PCI_IRQ_ALL_TYPES);

	if (ret < 0)
		return ret;
	/* It worked beside the table: undo it and say so */
	pci_free_irq_vectors(t->pdev);
	return -EEXIST;
}

static int msi_table_test_second_table(struct msi_table_test *t)
{
	struct msi_table *table = msi_table_test_pci_table(t);

	if (IS_ERR(table))
		return PTR_ERR(table);
	msi_table_free(table);
	return -EEXIST;
}

/**
 * msi_table_test_retake_table - Take the function's PCI table again
 * @t:	A PCI table's test (no @t->ops->create) whose table was freed, with
 *	the lock held
 *
 * For the commands which give the table up for a while. Without the table
 * nothing is left to test: the failure is logged, and @t->table is %NULL.
 *
 * Return: 0 or the errno of the table's constructor.
 */
int msi_table_test_retake_table(struct msi_table_test *t)
{
	int ret;

	t->table = msi_table_test_pci_table(t);
	if (!IS_ERR(t->table))
		return 0;
	ret = PTR_ERR(t->table);
	t->table = NULL;
	dev_err(&t->pdev->dev, "MSI table lost: %d\n", ret);
	return ret;
}
EXPORT_SYMBOL_GPL(msi_table_test_retake_table);

static int msi_table_test_after_legacy(struct msi_table_test *t)
{
	struct msi_table *table;
	unsigned int l;
	int ret;

	for (l = 0; l < t->hwsize; l++)
		if (t->vec[l].desc)
			return -EBUSY;
	msi_table_free(t->table);
	ret = pci_alloc_irq_vectors(t->pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret >= 0) {
		table = msi_table_test_pci_table(t);
		/* It worked beside the vectors: undo it and say so */
		ret = IS_ERR(table) ? PTR_ERR(table) : -EEXIST;
		msi_table_free(table);
		pci_free_irq_vectors(t->pdev);
	}

	return msi_table_test_retake_table(t) ?: ret;
}

static int msi_table_test_lose_msi_state(struct msi_table_test *t)
{
	struct pci_dev *pdev = t->pdev;
	u16 pos = pdev->msi_cap, flags;

	if (!t->table || pdev->msi_table != t->table || !pdev->msi_enabled)
		return -EINVAL;
	pci_save_state(pdev);
	pci_read_config_word(pdev, pos + PCI_MSI_FLAGS, &flags);
	pci_write_config_word(pdev, pos + PCI_MSI_FLAGS,
			      flags & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
	pci_write_config_dword(pdev, pos + PCI_MSI_ADDRESS_LO, 0);
	if (flags & PCI_MSI_FLAGS_64BIT) {
		pci_write_config_dword(pdev, pos + PCI_MSI_ADDRESS_HI, 0);
		pci_write_config_word(pdev, pos + PCI_MSI_DATA_64, 0);
	} else {
		pci_write_config_word(pdev, pos + PCI_MSI_DATA_32, 0);
	}
	/* Lost indeed, or the test proves nothing */
	pci_read_config_word(pdev, pos + PCI_MSI_FLAGS, &flags);
	pci_restore_state(pdev);
	return flags & PCI_MSI_FLAGS_ENABLE ? -EIO : 0;
}

static bool msi_table_test_common_cmd(const char *cmd)
{
	static const char * const cmds[] = {
		"alloc", "range", "managed", "free", "fire", "mask", "unmask",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmd, cmds[i]))
			return true;
	return false;
}

static int msi_table_test_cmd(struct msi_table_test *t, char *buf)
{
	struct msi_table_test_vector *v;
	unsigned int label, hi;
	char cmd[16], arg[16];
	int n;

	n = sscanf(buf, "%15s %15s %u", cmd, arg, &hi);
	if (n < 1)
		return -EINVAL;
	/* Without a table the fallback's vectors can only be fired */
	if (t->fallback && strcmp(cmd, "fire"))
		return -EOPNOTSUPP;
	/* What the PCI tables' owner of the function must refuse */
	if (!t->ops->create && !strcmp(cmd, "legacy"))
		return msi_table_test_legacy(t);
	if (!t->ops->create && !strcmp(cmd, "table"))
		return msi_table_test_second_table(t);
	if (!t->ops->create && !strcmp(cmd, "leave-table")) {
		t->leave_table = true;
		return 0;
	}
	if (!t->ops->create && !strcmp(cmd, "after-legacy"))
		return t->table ? msi_table_test_after_legacy(t) : -ENOENT;
	if (!strcmp(cmd, "destroy"))
		return msi_table_test_destroy_table(t);
	if (!strcmp(cmd, "lose-msi-state"))
		return msi_table_test_lose_msi_state(t);
	if (t->ops->cmd && strcmp(cmd, "create") && !msi_table_test_common_cmd(cmd))
		return t->ops->cmd(t, cmd, n < 2 || kstrtouint(arg, 0, &label) ? 0 : label);
	if (n < 2)
		return -EINVAL;
	if (!strcmp(cmd, "alloc") && !strcmp(arg, "any"))
		return msi_table_test_alloc(t, MSI_TABLE_ANY_LABEL, false, 0, 0, -1);
	if (kstrtouint(arg, 0, &label))
		return -EINVAL;
	if (!strcmp(cmd, "create"))
		return msi_table_test_create_table(t, label);
	if (!strcmp(cmd, "alloc"))
		return msi_table_test_alloc(t, label, false, 0, 0, -1);
	if (!strcmp(cmd, "range"))
		return n < 3 ? -EINVAL : msi_table_test_alloc(t, 0, true, label, hi, -1);
	if (!strcmp(cmd, "managed"))
		return n < 3 || hi > INT_MAX ? -EINVAL :
			msi_table_test_alloc(t, label, false, 0, 0, hi);

	if (label >= t->hwsize || !t->vec[label].desc)
		return -ENOENT;
	v = &t->vec[label];
	if (!strcmp(cmd, "free")) {
		msi_table_test_free(t, v);
		return 0;
	}
	if (!strcmp(cmd, "fire"))
		return msi_table_test_fire(t, label);
	if (!strcmp(cmd, "mask") || !strcmp(cmd, "unmask")) {
		/* Plain MSI without per vector mask bits */
		if (!t->chip_masks && !v->desc->pci.msi_attrib.can_mask)
			return -EOPNOTSUPP;
		if (!strcmp(cmd, "mask"))
			disable_irq(v->desc->irq);
		else
			enable_irq(v->desc->irq);
		return 0;
	}
	return -EINVAL;
}

static ssize_t msi_table_test_cmd_write(struct file *file, const char __user *ubuf,
					size_t count, loff_t *ppos)
{
	struct msi_table_test *t = file->private_data;
	char buf[64];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	mutex_lock(&t->lock);
	ret = msi_table_test_cmd(t, buf);
	mutex_unlock(&t->lock);
	return ret ? ret : count;
}

static const struct file_operations msi_table_test_cmd_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= msi_table_test_cmd_write,
};

static int msi_table_test_state_show(struct seq_file *m, void *unused)
{
	struct msi_table_test *t = m->private;
	unsigned int i;

	mutex_lock(&t->lock);
	if (t->fallback) {
		seq_printf(m, "fallback pci_alloc_irq_vectors hwsize %u\n", t->hwsize);
	} else if (!t->table) {
		/* The e1000e benchmark can lose the table (it says so in the log) */
		seq_puts(m, "no table\n");
		goto unlock;
	} else {
		seq_printf(m, "table %u %s hwsize %u\n", msi_table_id(t->table),
			   msi_table_domain(t->table)->name, t->hwsize);
	}
	for (i = 0; i < t->hwsize; i++) {
		struct msi_table_test_vector *v = &t->vec[i];

		if (v->desc)
			seq_printf(m, "vector %u irq %u count %d cpu %d pending %d\n", i,
				   v->desc->irq, atomic_read(&v->count), v->cpu,
				   t->ops->pending ? t->ops->pending(t, i) : -1);
	}
unlock:
	mutex_unlock(&t->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(msi_table_test_state);

/**
 * msi_table_test_map - Enable the device, map its BAR 0, let it write
 * @pdev:	The device
 *
 * Return: BAR 0, or an ERR_PTR().
 */
void __iomem *msi_table_test_map(struct pci_dev *pdev)
{
	void __iomem *regs;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return IOMEM_ERR_PTR(ret);
	regs = pcim_iomap(pdev, 0, 0);
	if (!regs)
		return IOMEM_ERR_PTR(-ENOMEM);
	/* MSI and MSI-X messages are memory writes of the device */
	pci_set_master(pdev);
	return regs;
}
EXPORT_SYMBOL_GPL(msi_table_test_map);

/**
 * msi_table_test_add - Offer a table to the tests
 * @t:	pdev, ops and name set; msix or nvec for a PCI table, which this
 *	takes; dirname and parent for a directory of its own; the device quiet
 *
 * Return: 0 or an errno.
 */
int msi_table_test_add(struct msi_table_test *t)
{
	int ret;

	mutex_init(&t->lock);
	init_waitqueue_head(&t->wait);
	if (!t->ops->create) {
		t->table = msi_table_test_pci_table(t);
		ret = PTR_ERR_OR_ZERO(t->table);
		if (t->msix && ret == -EOPNOTSUPP)
			ret = msi_table_test_fallback(t);
		else if (ret)
			ret = dev_err_probe(&t->pdev->dev, ret, "no MSI table\n");
		else
			ret = msi_table_test_vectors(t);
		if (ret)
			return ret;
	}

	if (!t->parent)
		t->parent = msi_table_test_root;
	t->dir = debugfs_create_dir(t->dirname ?: pci_name(t->pdev), t->parent);
	debugfs_create_file("cmd", 0200, t->dir, t, &msi_table_test_cmd_fops);
	debugfs_create_file("state", 0400, t->dir, t, &msi_table_test_state_fops);
	return 0;
}
EXPORT_SYMBOL_GPL(msi_table_test_add);

/**
 * msi_table_test_remove - Free the vectors and the table
 * @t:	As set up by msi_table_test_add(); the device quiet
 */
void msi_table_test_remove(struct msi_table_test *t)
{
	debugfs_remove_recursive(t->dir);
	if (t->ops->create) {
		msi_table_test_destroy_table(t);
		return;
	}
	if (t->fallback) {
		msi_table_test_free_fallback(t);
		return;
	}
	msi_table_test_free_all(t);
	kvfree(t->vec);
	if (!t->leave_table) {
		msi_table_free(t->table);
		return;
	}
	/*
	 * The device's MSI data tears the table down after remove(), and the
	 * driver still owns the shell: it is freed later, as a devres action
	 * registered before the table would, here at the next such removal
	 * or when the module goes.
	 */
	mutex_lock(&msi_table_test_left_lock);
	msi_table_free(msi_table_test_left);
	msi_table_test_left = t->table;
	mutex_unlock(&msi_table_test_left_lock);
}
EXPORT_SYMBOL_GPL(msi_table_test_remove);

static int __init msi_table_test_init(void)
{
	msi_table_test_root = debugfs_create_dir("msi_table_test", NULL);
	return 0;
}
module_init(msi_table_test_init);

static void __exit msi_table_test_exit(void)
{
	msi_table_free(msi_table_test_left);
	debugfs_remove_recursive(msi_table_test_root);
}
module_exit(msi_table_test_exit);

MODULE_DESCRIPTION("Common part of the MSI table test drivers");
MODULE_LICENSE("GPL");
