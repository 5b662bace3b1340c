// SPDX-License-Identifier: GPL-2.0-only
/*
 * The example of Documentation/core-api/msi-table.rst, compiled with the
 * test drivers so that the documentation cannot drift from the API: a PCI
 * driver for a made-up device with an IMS array of FOO_SLOTS slots in BAR
 * 0, one per queue, which falls back to the function's MSI-X table, and
 * then to pci_alloc_irq_vectors(), where the platform refuses IMS. It binds
 * to nothing (no ID table): it is never loaded.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/msi.h>
#include <linux/msi_table.h>
#include <linux/pci.h>

#define FOO_SLOTS		64
#define FOO_SLOT_SIZE		16
#define FOO_SLOT_ADDR_LO	0x0
#define FOO_SLOT_ADDR_HI	0x4
#define FOO_SLOT_DATA		0x8
#define FOO_SLOT_CTRL		0xc
#define FOO_SLOT_CTRL_MASK	BIT(0)

struct foo {
	struct pci_dev		*pdev;
	void __iomem		*slots;
	struct msi_table	*table;		/* IMS or MSI-X; NULL: legacy vectors */
	struct msi_desc		*queue0;	/* queue 0's vector, from the table */
};

static void __iomem *foo_slot(struct irq_data *d)
{
	struct foo *foo = msi_table_leaf_data(d);

	return foo->slots + irqd_to_hwirq(d) * FOO_SLOT_SIZE;
}

/* The leaf chip: the hardware label is the slot */
static void foo_write_msg(struct irq_data *d, struct msi_msg *msg)
{
	void __iomem *slot = foo_slot(d);

	writel(msg->address_lo, slot + FOO_SLOT_ADDR_LO);
	writel(msg->address_hi, slot + FOO_SLOT_ADDR_HI);
	writel(msg->data, slot + FOO_SLOT_DATA);
}

static void foo_mask(struct irq_data *d)
{
	writel(FOO_SLOT_CTRL_MASK, foo_slot(d) + FOO_SLOT_CTRL);
}

static void foo_unmask(struct irq_data *d)
{
	writel(0, foo_slot(d) + FOO_SLOT_CTRL);
}

static const struct msi_domain_template foo_ims_template = {
	.chip = {
		.name			= "FOO-IMS",
		.irq_write_msi_msg	= foo_write_msg,
		.irq_mask		= foo_mask,
		.irq_unmask		= foo_unmask,
	},
};

/* IMS, else the MSI-X table, else vectors of pci_alloc_irq_vectors() */
static int foo_setup_interrupts(struct foo *foo)
{
	struct pci_dev *pdev = foo->pdev;
	unsigned int i;
	int nvec;

	/* Every slot masked before the table is created */
	for (i = 0; i < FOO_SLOTS; i++)
		writel(FOO_SLOT_CTRL_MASK, foo->slots + i * FOO_SLOT_SIZE + FOO_SLOT_CTRL);

	foo->table = pcim_allocate_ims_table(pdev, &foo_ims_template, FOO_SLOTS, foo);
	if (!IS_ERR(foo->table))
		return 0;
	if (PTR_ERR(foo->table) != -EOPNOTSUPP)
		return PTR_ERR(foo->table);

	/* No IMS here (no interrupt remapping, or a guest without it) */
	foo->table = pcim_allocate_msix_table(pdev);
	if (!IS_ERR(foo->table))
		return 0;
	if (PTR_ERR(foo->table) != -EOPNOTSUPP)
		return PTR_ERR(foo->table);

	/* No dynamic MSI-X either: all vectors up front, as before tables */
	foo->table = NULL;
	nvec = pci_alloc_irq_vectors(pdev, 1, FOO_SLOTS, PCI_IRQ_MSIX | PCI_IRQ_MSI);
	return nvec < 0 ? nvec : 0;
}

/* A queue starts: its vector, at its slot when the table is IMS */
static int foo_start_queue(struct foo *foo, unsigned int queue, irq_handler_t handler,
			   void *data, struct msi_desc **vector)
{
	int irq, ret;

	*vector = NULL;
	if (!foo->table) {
		irq = pci_irq_vector(foo->pdev, queue);
		return irq < 0 ? irq : request_irq(irq, handler, 0, "foo", data);
	}
	*vector = msi_table_alloc_vector(foo->table, queue, NULL, NULL);
	if (IS_ERR(*vector))
		return PTR_ERR(*vector);
	ret = request_irq((*vector)->irq, handler, 0, "foo", data);
	if (ret) {
		msi_table_free_vector(foo->table, *vector);
		*vector = NULL;
	}
	return ret;
}

static void foo_stop_queue(struct foo *foo, unsigned int queue, void *data,
			   struct msi_desc *vector)
{
	if (!vector) {
		free_irq(pci_irq_vector(foo->pdev, queue), data);
		return;
	}
	free_irq(vector->irq, data);
	msi_table_free_vector(foo->table, vector);
}

static irqreturn_t foo_irq(int irq, void *data)
{
	return IRQ_HANDLED;
}

static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct foo *foo;
	int ret;

	foo = devm_kzalloc(&pdev->dev, sizeof(*foo), GFP_KERNEL);
	if (!foo)
		return -ENOMEM;
	foo->pdev = pdev;
	pci_set_drvdata(pdev, foo);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	/* The device raises its interrupts by DMA writes */
	pci_set_master(pdev);
	foo->slots = pcim_iomap(pdev, 0, FOO_SLOTS * FOO_SLOT_SIZE);
	if (!foo->slots)
		return -ENOMEM;

	ret = foo_setup_interrupts(foo);
	if (ret)
		return ret;
	/* Queue 0 runs while the driver is bound; others start on demand */
	ret = foo_start_queue(foo, 0, foo_irq, foo, &foo->queue0);
	if (ret && !foo->table)
		pci_free_irq_vectors(pdev);
	return ret;
}

static void foo_remove(struct pci_dev *pdev)
{
	struct foo *foo = pci_get_drvdata(pdev);

	foo_stop_queue(foo, 0, foo, foo->queue0);
	/* A managed table goes with the driver, its vectors freed before */
	if (!foo->table)
		pci_free_irq_vectors(pdev);
}

static struct pci_driver foo_driver = {
	.name		= "msi-table-example",
	.probe		= foo_probe,
	.remove		= foo_remove,
};
module_pci_driver(foo_driver);

MODULE_DESCRIPTION("The PCI IMS example of the MSI table documentation");
MODULE_LICENSE("GPL");
