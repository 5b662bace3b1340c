// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSI-X table test driver for QEMU's e1000e (Intel 82574L).
 *
 * Not a network driver: it holds the function's MSI-X table and fires
 * vectors on demand. A cause bit written to ICS raises the MSI-X vector
 * which IVAR maps the cause to; the handler clears the cause in ICR, after
 * which the device raises it again when told (QEMU ignores a cause raised
 * again while it is still pending). A vector masked in the MSI-X table
 * keeps the interrupt in the pending bit array until it is unmasked.
 * See common.c for the debugfs interface.
 */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "msi_table_test.h"

#define E1000_ICR		0x000c0	/* Interrupt cause, write 1 to clear */
#define E1000_ICS		0x000c8	/* Interrupt cause set */
#define E1000_IMS		0x000d0	/* Interrupt mask set */
#define E1000_IMC		0x000d8	/* Interrupt mask clear */
#define E1000_IVAR		0x000e4	/* Cause to MSI-X vector map */
#define E1000_ICR_RXQ0		BIT(20)
#define E1000_IVAR_VALID	BIT(3)

struct e1000e_test {
	struct msi_table_test	t;
	void __iomem		*regs;
	void __iomem		*pba;
};

static struct e1000e_test *to_e1000e(struct msi_table_test *t)
{
	return container_of(t, struct e1000e_test, t);
}

/* Raise RXQ0, mapped to @label */
static int e1000e_test_fire(struct msi_table_test *t, unsigned int label)
{
	void __iomem *regs = to_e1000e(t)->regs;

	/* No cause left over may interrupt on the newly mapped vector */
	writel(~0U, regs + E1000_IMC);
	writel(~0U, regs + E1000_ICR);
	writel(E1000_IVAR_VALID | label, regs + E1000_IVAR);
	writel(E1000_ICR_RXQ0, regs + E1000_IMS);
	writel(E1000_ICR_RXQ0, regs + E1000_ICS);
	return 0;
}

static void e1000e_test_ack(struct msi_table_test *t, unsigned int label)
{
	writel(E1000_ICR_RXQ0, to_e1000e(t)->regs + E1000_ICR);
}

static bool e1000e_test_pending(struct msi_table_test *t, unsigned int label)
{
	return readl(to_e1000e(t)->pba + label / 32 * 4) & BIT(label % 32);
}

static const struct msi_table_test_ops e1000e_test_ops = {
	.fire		= e1000e_test_fire,
	.ack		= e1000e_test_ack,
	.pending	= e1000e_test_pending,
};

static int e1000e_test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct e1000e_test *e;
	u32 pba;
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
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_PBA, &pba);
	e->pba = pcim_iomap_range(pdev, pba & PCI_MSIX_PBA_BIR, pba & PCI_MSIX_PBA_OFFSET, 8);
	if (IS_ERR(e->pba))
		return PTR_ERR(e->pba);
	/* MSI-X messages are memory writes of the device */
	pci_set_master(pdev);

	/* No cause may interrupt until a test asks for it */
	writel(~0U, e->regs + E1000_IMC);
	writel(~0U, e->regs + E1000_ICR);

	e->t.pdev = pdev;
	e->t.type = PCI_MSI_TABLE_MSIX;
	e->t.ops = &e1000e_test_ops;
	e->t.name = "msi-table-test-e1000e";
	ret = msi_table_test_add(&e->t);
	if (ret)
		return ret;
	pci_set_drvdata(pdev, e);
	return 0;
}

static void e1000e_test_remove(struct pci_dev *pdev)
{
	struct e1000e_test *e = pci_get_drvdata(pdev);

	writel(~0U, e->regs + E1000_IMC);
	msi_table_test_remove(&e->t);
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
module_pci_driver(e1000e_test_driver);

MODULE_DESCRIPTION("MSI-X table test driver for QEMU's e1000e");
MODULE_LICENSE("GPL");
