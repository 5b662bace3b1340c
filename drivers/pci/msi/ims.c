// SPDX-License-Identifier: GPL-2.0
/*
 * PCI IMS (Interrupt Message Store) tables: message storage of a PCI
 * function's own, an array in the device or queue contexts in memory,
 * with the driver's leaf chip, on an MSI parent which remaps the messages.
 */
#include <linux/err.h>
#include <linux/export.h>
#include <linux/msi.h>
#include <linux/msi_table.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "msi.h"

/**
 * pci_allocate_ims_table - Create an IMS table of a PCI function
 * @pdev:	The PCI function
 * @template:	The leaf: irq_chip with irq_write_msi_msg(), irq_mask() and
 *		irq_unmask(), which store the messages and mask the vectors
 *		wherever the device keeps them, and the chip name
 * @hwsize:	Number of labels (IMS slots, or any-label storage)
 * @data:	For the leaf chip: msi_table_leaf_data()
 *
 * IMS (Interrupt Message Store) is message storage of the device's own: an
 * array in the device, or queue contexts in memory. The MSI parent composes
 * the messages and the leaf chip stores them. Only a parent which remaps
 * the messages, and so checks the function's requester ID, serves IMS
 * tables (%MSI_FLAG_PCI_IMS): VT-d interrupt remapping on the host, with
 * requester ID verification on, and in a guest whose hypervisor issues the
 * messages of remapped interrupts (asm/msi_compose.h).
 *
 * The MSI core masks a slot at the leaf (irq_mask()) before it writes the
 * slot's first message, at allocation, and the slot stays masked until
 * request_irq() starts the vector. Free the table with
 * msi_table_free().
 *
 * The leaf's callbacks can run in atomic context: irq_write_msi_msg() at
 * activation (allocation, request_irq()) and deactivation (free_irq(),
 * freeing the vector, which writes a zeroed message), irq_mask() and
 * irq_unmask() from the flow handler in hard interrupt context and at CPU
 * hotplug. Storage that needs to sleep caches there and writes back in
 * irq_bus_sync_unlock(), which runs after request_irq(), free_irq(),
 * enable_irq(), disable_irq() and affinity changes from process context.
 * Three paths do not take the bus lock, and the leaf must schedule the
 * write back itself for them (a work item): the activation that vector
 * allocation does, the deactivation when the vector is freed, and CPU
 * hotplug (a managed vector whose CPUs go away is shut down, masked and
 * its message cleared, and started again when one comes back).
 *
 * Return: The table, or an ERR_PTR(): -%EINVAL for a bad argument,
 * -%EOPNOTSUPP if the function's MSI parent does not remap messages stored
 * by the device (no interrupt remapping, AMD interrupt remapping, source
 * ID verification off, or a virtual IOMMU whose hypervisor issues no
 * messages), or an error of msi_allocate_bus_table().
 */
struct msi_table *pci_allocate_ims_table(struct pci_dev *pdev,
					 const struct msi_domain_template *template,
					 unsigned int hwsize, void *data)
{
	struct msi_domain_template *tmpl;
	struct msi_table *table;

	if (!pdev || !template || !template->chip.irq_write_msi_msg ||
	    !template->chip.irq_mask || !template->chip.irq_unmask)
		return ERR_PTR(-EINVAL);
	if (!pci_msi_supported(pdev, 1))
		return ERR_PTR(-EOPNOTSUPP);
	/*
	 * Asked before any domain is set up, so that a parent which does not
	 * know IMS (a GICv3 ITS, the plain x86 vector domain) is not handed a
	 * bus token it does not expect.
	 */
	if (!pci_msi_domain_supports(pdev, MSI_FLAG_PCI_IMS, DENY_LEGACY))
		return ERR_PTR(-EOPNOTSUPP);

	tmpl = kmemdup(template, sizeof(*tmpl), GFP_KERNEL);
	if (!tmpl)
		return ERR_PTR(-ENOMEM);
	tmpl->info.bus_token = DOMAIN_BUS_PCI_DEVICE_IMS;
	/*
	 * Written at allocation, real at request_irq(), cleared at free. The
	 * flags are the IMS table's, not the driver's: PCI MSI/MSI-X features
	 * mean nothing for storage of the device's own.
	 */
	tmpl->info.flags = MSI_FLAG_PCI_IMS | MSI_FLAG_USE_DEF_DOM_OPS |
			   MSI_FLAG_USE_DEF_CHIP_OPS | MSI_FLAG_ACTIVATE_EARLY |
			   MSI_FLAG_MUST_REACTIVATE;

	table = msi_allocate_bus_table(&pdev->dev, tmpl, hwsize, data, NULL);
	kfree(tmpl);
	return table;
}
EXPORT_SYMBOL_GPL(pci_allocate_ims_table);

/**
 * pcim_allocate_ims_table - Managed pci_allocate_ims_table()
 * @pdev:	The PCI function
 * @template:	The leaf, see pci_allocate_ims_table()
 * @hwsize:	Number of labels
 * @data:	For the leaf chip: msi_table_leaf_data()
 *
 * Like pci_allocate_ims_table(); the table is freed when the driver
 * detaches, or earlier by msi_table_free().
 *
 * Return: See pci_allocate_ims_table().
 */
struct msi_table *pcim_allocate_ims_table(struct pci_dev *pdev,
					  const struct msi_domain_template *template,
					  unsigned int hwsize, void *data)
{
	return devm_msi_table_manage(pci_allocate_ims_table(pdev, template, hwsize, data));
}
EXPORT_SYMBOL_GPL(pcim_allocate_ims_table);
