// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSI table test driver for QEMU's edu device.
 *
 * edu has one MSI vector and no per vector mask bit: writing to its raise
 * register sets a bit in its interrupt status and sends the MSI, writing
 * the bit to its acknowledge register clears it. The driver holds the
 * function's MSI table, a block of one vector. See common.c for the
 * debugfs interface.
 */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "msi_table_test.h"

#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define EDU_IRQ_TEST		BIT(0)

struct edu_test {
	struct msi_table_test	t;
	void __iomem		*regs;
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

static const struct msi_table_test_ops edu_test_ops = {
	.fire		= edu_test_fire,
	.ack		= edu_test_ack,
};

static int edu_test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_test *e;
	int ret;

	e = devm_kzalloc(&pdev->dev, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	e->regs = pcim_iomap(pdev, 0, 0);
	if (!e->regs)
		return -ENOMEM;
	/* MSI messages are memory writes of the device */
	pci_set_master(pdev);
	writel(readl(e->regs + EDU_IRQ_STATUS), e->regs + EDU_IRQ_ACK);

	e->t.pdev = pdev;
	e->t.type = PCI_MSI_TABLE_MSI;
	e->t.nvec = 1;
	e->t.ops = &edu_test_ops;
	e->t.name = "msi-table-test-edu";
	ret = msi_table_test_add(&e->t);
	if (ret)
		return ret;
	pci_set_drvdata(pdev, e);
	return 0;
}

static void edu_test_remove(struct pci_dev *pdev)
{
	struct edu_test *e = pci_get_drvdata(pdev);

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
