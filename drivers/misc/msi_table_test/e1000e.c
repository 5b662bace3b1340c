// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSI-X table test driver for QEMU's e1000e (Intel 82574L).
 *
 * Not a network driver: it holds the function's MSI-X table and fires
 * vectors on demand. A cause bit written to ICS raises the MSI-X vector
 * which IVAR maps the cause to (cause n to entry n); the handler clears the
 * cause in ICR, after which the device raises it again when told (QEMU
 * ignores a cause raised again while it is still pending). A vector masked in the MSI-X table
 * keeps the interrupt in the pending bit array until it is unmasked.
 * See common.c for the debugfs interface.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/msi_table.h>
#include <linux/pci.h>
#include <linux/spinlock.h>

#include "msi_table_test.h"

#define E1000_ICR		0x000c0	/* Interrupt cause, write 1 to clear */
#define E1000_ITR		0x000c4	/* Interrupt throttling */
#define E1000_ICS		0x000c8	/* Interrupt cause set */
#define E1000_IMS		0x000d0	/* Interrupt mask set */
#define E1000_IMC		0x000d8	/* Interrupt mask clear */
#define E1000_IVAR		0x000e4	/* Cause to MSI-X vector map */
#define E1000_EITR(n)		(0x000e8 + 4 * (n)) /* Per vector throttling */
#define E1000_PBACLR		0x05b68	/* MSI-X pending bit clear */
#define E1000_IVAR_VALID	BIT(3)
/*
 * The five causes IVAR maps (RXQ0, RXQ1, TXQ0, TXQ1, Other: ICR bits 20-24,
 * IVAR fields 0-4), one per MSI-X entry: cause n raises entry n.
 */
#define E1000_ICR_CAUSE(n)	BIT(20 + (n))
#define E1000_ICR_CAUSES	GENMASK(24, 20)
#define E1000_IVAR_MAP		0xcba98	/* field n: valid, entry n */
/* The benchmarks use entries 1-4 */
#define E1000E_LC_VECTORS	4

struct e1000e_test {
	struct msi_table_test	t;
	void __iomem		*regs;
	void __iomem		*pba;
	/* Causes read from ICR whose entry's handler has not come for them */
	spinlock_t		icr_lock;
	u32			icr_seen;
};

static struct e1000e_test *to_e1000e(struct msi_table_test *t)
{
	return container_of(t, struct e1000e_test, t);
}

/* Raise the cause which IVAR maps to @label */
static int e1000e_test_fire(struct msi_table_test *t, unsigned int label)
{
	struct e1000e_test *e = to_e1000e(t);
	void __iomem *regs = e->regs;
	u32 cause = E1000_ICR_CAUSE(label);

	/*
	 * Throttling at its shortest (QEMU 7.2 keeps 128 us at least; a reset
	 * sets the default again), and no raise within an interval: QEMU 7.2
	 * sends an interrupt raised while its vector is throttled when the
	 * interval ends, but then keeps the vector marked pending and sends
	 * it again at the end of every later interval, a duplicate of each
	 * interrupt from then on.
	 */
	writel(0, regs + E1000_ITR);
	writel(0, regs + E1000_EITR(label));
	fsleep(1000);
	/* No cause of this entry left over; the other entries' stay */
	spin_lock_irq(&e->icr_lock);
	writel(cause, regs + E1000_ICR);
	e->icr_seen &= ~cause;
	spin_unlock_irq(&e->icr_lock);
	writel(E1000_IVAR_MAP, regs + E1000_IVAR);
	writel(cause, regs + E1000_IMS);
	writel(cause, regs + E1000_ICS);
	return 0;
}

/*
 * QEMU 10's e1000e sends a vector again when its throttling interval
 * ends, whether its cause is pending or not: no cause, not counted. One
 * cause per entry, so that such a message does not take another entry's.
 *
 * A read of ICR clears all of it once an enabled cause is set (the
 * 82574's behaviour, which QEMU 10's model follows):
 * the causes of other entries that a read returns are kept for their
 * handlers, which find them there and not in ICR.
 */
static bool e1000e_test_ack(struct msi_table_test *t, unsigned int label)
{
	struct e1000e_test *e = to_e1000e(t);
	u32 cause = E1000_ICR_CAUSE(label);
	unsigned long flags;
	bool raised;

	spin_lock_irqsave(&e->icr_lock, flags);
	e->icr_seen |= readl(e->regs + E1000_ICR) & E1000_ICR_CAUSES;
	writel(cause, e->regs + E1000_ICR);
	raised = e->icr_seen & cause;
	e->icr_seen &= ~cause;
	spin_unlock_irqrestore(&e->icr_lock, flags);
	return raised;
}

static bool e1000e_test_pending(struct msi_table_test *t, unsigned int label)
{
	return readl(to_e1000e(t)->pba + label / 32 * 4) & BIT(label % 32);
}

static irqreturn_t e1000e_bench_irq(int irq, void *data)
{
	return IRQ_HANDLED;
}

/* @rounds times: allocate, request, free_irq and free entries 1-4 of the table */
static s64 e1000e_bench_table(struct msi_table_test *t, unsigned int rounds)
{
	struct msi_desc *v;
	unsigned int r, l;
	ktime_t t0 = ktime_get();
	int ret;

	for (r = 0; r < rounds; r++) {
		for (l = 1; l < t->hwsize; l++) {
			v = msi_table_alloc_vector(t->table, l, NULL, NULL);
			if (IS_ERR(v))
				return PTR_ERR(v);
			ret = request_irq(v->irq, e1000e_bench_irq, 0, "msi-table-bench", t);
			if (!ret)
				free_irq(v->irq, t);
			msi_table_free_vector(t->table, v);
			if (ret)
				return ret;
		}
	}
	return ktime_to_ns(ktime_sub(ktime_get(), t0));
}

/* The same through pci_alloc_irq_vectors() and pci_msix_alloc_irq_at() */
static s64 e1000e_bench_legacy(struct msi_table_test *t, unsigned int rounds)
{
	struct pci_dev *pdev = t->pdev;
	struct msi_map map;
	unsigned int r, l;
	s64 ns = -EOPNOTSUPP;
	ktime_t t0;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSIX);
	if (ret < 0)
		return ret;
	if (!pci_msix_can_alloc_dyn(pdev))
		goto out;

	t0 = ktime_get();
	for (r = 0; r < rounds; r++) {
		for (l = 1; l < t->hwsize; l++) {
			map = pci_msix_alloc_irq_at(pdev, l, NULL);
			if (map.index < 0) {
				ns = map.index;
				goto out;
			}
			ret = request_irq(map.virq, e1000e_bench_irq, 0, "msi-table-bench", t);
			if (!ret)
				free_irq(map.virq, t);
			pci_msix_free_irq(pdev, map);
			if (ret) {
				ns = ret;
				goto out;
			}
		}
	}
	ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
out:
	pci_free_irq_vectors(pdev);
	return ns;
}

/*
 * "bench": per vector cost of alloc + request_irq + free_irq + free on the
 * MSI-X table against the per device PCI/MSI-X domain, on this function, in
 * turns, printed. The table must hold no vector: it is freed for the
 * per device domain's turn and taken again.
 */
static ssize_t e1000e_bench_write(struct file *file, const char __user *ubuf, size_t count,
				  loff_t *ppos)
{
	struct msi_table_test *t = file->private_data;
	s64 best[2] = { S64_MAX, S64_MAX }, ns, q;
	unsigned int rounds, turn, n;
	int ret;
	s32 rem;

	ret = kstrtouint_from_user(ubuf, count, 0, &rounds);
	if (ret)
		return ret;
	if (!rounds || rounds > 100000)
		return -EINVAL;

	mutex_lock(&t->lock);
	if (!t->table) {
		ret = -ENOENT;
		goto unlock;
	}
	for (n = 0; n < t->hwsize; n++) {
		if (t->vec[n].desc) {
			ret = -EBUSY;
			goto unlock;
		}
	}
	for (turn = 0; turn < 6; turn++) {
		if (turn % 2) {
			msi_table_free(t->table);
			ns = e1000e_bench_legacy(t, rounds);
			ret = msi_table_test_retake_table(t);
			if (ret)
				goto unlock;
		} else {
			ns = e1000e_bench_table(t, rounds);
		}
		if (ns < 0) {
			ret = ns;
			goto unlock;
		}
		best[turn % 2] = min(best[turn % 2], ns);
	}
	n = rounds * (t->hwsize - 1);
	/* The ratio in hundredths, with 64-bit helpers only (32-bit builds) */
	q = div_s64_rem(div64_s64(best[0] * 100, best[1]), 100, &rem);
	pr_info("msi-table-bench: e1000e MSI-X, %u vectors, best of 3: table %lld ns/vector, pci_msix_alloc_irq_at %lld ns/vector, table/per-device %lld.%02d\n",
		n, div_s64(best[0], n), div_s64(best[1], n), q, rem);
	ret = count;
unlock:
	mutex_unlock(&t->lock);
	return ret;
}

static const struct file_operations e1000e_bench_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= e1000e_bench_write,
};

/*
 * "lifecycle": @rounds times, entries 1-4 of the table through each step of
 * a vector's life, one step for all four before the next: allocate,
 * request_irq(), move to another online CPU (if any), free_irq(), free.
 * Printed: the time per vector of each step. Before each step the driver
 * writes 0xa1-0xa5
 * (0xaf at the end) to the cache line size register: a VMM tracing config
 * writes (QEMU's pci_cfg_write) can tell which step its other trace lines,
 * trapped MSI-X writes and hypercalls, belong to (dev/vmmbench.py).
 */
enum { LC_ALLOC, LC_REQUEST, LC_AFFINITY, LC_FREE_IRQ, LC_FREE, LC_STEPS };
static const char * const e1000e_lc_names[LC_STEPS] = {
	"alloc", "request_irq", "affinity", "free_irq", "free",
};

static void e1000e_lc_mark(struct pci_dev *pdev, unsigned int step)
{
	pci_write_config_byte(pdev, PCI_CACHE_LINE_SIZE, 0xa1 + step);
}

/* Another online CPU than the one @irq's interrupt goes to now, if any */
static int e1000e_lc_move(unsigned int irq)
{
	const struct cpumask *eff = irq_data_get_effective_affinity_mask(irq_get_irq_data(irq));
	unsigned int cpu = cpumask_any_but(cpu_online_mask, cpumask_first(eff));

	return cpu < nr_cpu_ids ? irq_set_affinity(irq, cpumask_of(cpu)) : 0;
}

static int e1000e_lifecycle(struct msi_table_test *t, unsigned int rounds, s64 *ns)
{
	struct msi_desc *v[E1000E_LC_VECTORS] = { };
	unsigned int r, l, step;
	int ret = 0, err;
	ktime_t t0;

	for (r = 0; r < rounds && !ret; r++) {
		for (step = 0; step < LC_STEPS; step++) {
			e1000e_lc_mark(t->pdev, step);
			t0 = ktime_get();
			for (l = 0; l < E1000E_LC_VECTORS; l++) {
				switch (step) {
				case LC_ALLOC:
					v[l] = msi_table_alloc_vector(t->table, l + 1, NULL, NULL);
					if (IS_ERR(v[l])) {
						ret = ret ?: PTR_ERR(v[l]);
						v[l] = NULL;
					}
					break;
				case LC_REQUEST:
					err = v[l] ? request_irq(v[l]->irq, e1000e_bench_irq, 0,
								 "msi-table-bench", t) : 0;
					if (err) {
						ret = ret ?: err;
						msi_table_free_vector(t->table, v[l]);
						v[l] = NULL;
					}
					break;
				case LC_AFFINITY:
					if (v[l])
						ret = ret ?: e1000e_lc_move(v[l]->irq);
					break;
				case LC_FREE_IRQ:
					if (v[l])
						free_irq(v[l]->irq, t);
					break;
				case LC_FREE:
					if (v[l])
						msi_table_free_vector(t->table, v[l]);
					v[l] = NULL;
					break;
				}
			}
			ns[step] += ktime_to_ns(ktime_sub(ktime_get(), t0));
		}
	}
	e1000e_lc_mark(t->pdev, 0xaf - 0xa1);
	return ret;
}

static ssize_t e1000e_lifecycle_write(struct file *file, const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	struct msi_table_test *t = file->private_data;
	s64 ns[LC_STEPS] = { };
	unsigned int rounds, n;
	u8 cls;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &rounds);
	if (ret)
		return ret;
	if (!rounds || rounds > 10000)
		return -EINVAL;

	mutex_lock(&t->lock);
	ret = -ENOENT;
	if (!t->table)
		goto unlock;
	ret = -ENOSPC;
	if (t->hwsize < E1000E_LC_VECTORS + 1)
		goto unlock;
	ret = -EBUSY;
	for (n = 0; n < t->hwsize; n++)
		if (t->vec[n].desc)
			goto unlock;

	pci_read_config_byte(t->pdev, PCI_CACHE_LINE_SIZE, &cls);
	ret = e1000e_lifecycle(t, rounds, ns);
	pci_write_config_byte(t->pdev, PCI_CACHE_LINE_SIZE, cls);
	if (ret)
		goto unlock;
	n = rounds * E1000E_LC_VECTORS;
	pr_info("msi-table-bench: e1000e lifecycle, %u vectors: %s %lld, %s %lld, %s %lld, %s %lld, %s %lld ns/vector\n",
		n, e1000e_lc_names[0], div_s64(ns[0], n), e1000e_lc_names[1], div_s64(ns[1], n),
		e1000e_lc_names[2], div_s64(ns[2], n), e1000e_lc_names[3], div_s64(ns[3], n),
		e1000e_lc_names[4], div_s64(ns[4], n));
	ret = count;
unlock:
	mutex_unlock(&t->lock);
	return ret;
}

static const struct file_operations e1000e_lifecycle_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= e1000e_lifecycle_write,
};

/* Nothing of the label's left for its next vector: no pending bit, no cause */
static void e1000e_test_clear_pending(struct msi_table_test *t, unsigned int label)
{
	struct e1000e_test *e = to_e1000e(t);
	unsigned long flags;

	spin_lock_irqsave(&e->icr_lock, flags);
	writel(E1000_ICR_CAUSE(label), e->regs + E1000_ICR);
	e->icr_seen &= ~E1000_ICR_CAUSE(label);
	spin_unlock_irqrestore(&e->icr_lock, flags);
	writel(BIT(label), e->regs + E1000_PBACLR);
}

static const struct msi_table_test_ops e1000e_test_ops = {
	.fire		= e1000e_test_fire,
	.ack		= e1000e_test_ack,
	.pending	= e1000e_test_pending,
	.clear_pending	= e1000e_test_clear_pending,
};

/*
 * The device this driver tests. It binds only through driver_override: the
 * ID is a real product's too, which this test driver must not take.
 */
static const struct pci_device_id e1000e_test_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, 0x10d3) },
	{ }
};

static int e1000e_test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct e1000e_test *e;
	u32 pba;
	int ret;

	if (!pci_match_id(e1000e_test_ids, pdev))
		return -ENODEV;

	e = devm_kzalloc(&pdev->dev, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	spin_lock_init(&e->icr_lock);

	e->regs = msi_table_test_map(pdev);
	if (IS_ERR(e->regs))
		return PTR_ERR(e->regs);
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_PBA, &pba);
	e->pba = pcim_iomap_range(pdev, pba & PCI_MSIX_PBA_BIR, pba & PCI_MSIX_PBA_OFFSET, 8);
	if (IS_ERR(e->pba))
		return PTR_ERR(e->pba);

	/* No cause may interrupt until a test asks for it */
	writel(~0U, e->regs + E1000_IMC);
	writel(~0U, e->regs + E1000_ICR);

	e->t.pdev = pdev;
	e->t.msix = true;
	e->t.ops = &e1000e_test_ops;
	e->t.name = "msi-table-test-e1000e";
	ret = msi_table_test_add(&e->t);
	if (ret)
		return ret;
	/* The benchmarks measure the table */
	if (!e->t.fallback) {
		debugfs_create_file("bench", 0200, e->t.dir, &e->t, &e1000e_bench_fops);
		debugfs_create_file("lifecycle", 0200, e->t.dir, &e->t, &e1000e_lifecycle_fops);
	}
	pci_set_drvdata(pdev, e);
	return 0;
}

static void e1000e_test_remove(struct pci_dev *pdev)
{
	struct e1000e_test *e = pci_get_drvdata(pdev);

	writel(~0U, e->regs + E1000_IMC);
	msi_table_test_remove(&e->t);
}

static struct pci_driver e1000e_test_driver = {
	.name		= "msi-table-test-e1000e",
	.probe		= e1000e_test_probe,
	.remove		= e1000e_test_remove,
};
module_pci_driver(e1000e_test_driver);

MODULE_DESCRIPTION("MSI-X table test driver for QEMU's e1000e");
MODULE_LICENSE("GPL");
