// SPDX-License-Identifier: GPL-2.0
/*
 * PCI MSI-X as an MSI table: the function's MSI-X table is an msi_table
 * whose vectors the driver allocates and frees one by one, at any time,
 * by table entry, through the per device PCI/MSI-X leaf chip.
 */
#include <linux/err.h>
#include <linux/export.h>
#include <linux/msi_table.h>
#include <linux/pci.h>

#include "msi.h"

/**
 * pci_allocate_msi_table - Create the MSI-X table of a PCI function
 * @pdev:	The PCI function
 * @type:	%PCI_MSI_TABLE_MSIX
 *
 * Enables MSI-X with every entry masked and returns the function's MSI-X
 * table, stacked on its MSI parent domain (interrupt remapping where it is
 * on). A vector's hardware label is its MSI-X table entry: allocate with
 * msi_table_alloc_vector() or msi_table_alloc_vector_range(), free with
 * msi_table_free_vector(). A function has one MSI or MSI-X table at most,
 * and not beside vectors of pci_alloc_irq_vectors(). Free the table with
 * pci_free_msi_table(), which disables MSI-X again.
 *
 * Return: The table, or an ERR_PTR(): -%EINVAL for a bad argument or a
 * function not in D0, -%EOPNOTSUPP if the function has no MSI-X or its MSI
 * parent cannot allocate MSI-X vectors one by one, -%EBUSY if the function
 * has a table or MSI/MSI-X vectors already, -%ENOMEM.
 */
struct msi_table *pci_allocate_msi_table(struct pci_dev *pdev, enum pci_msi_table_type type)
{
	struct msi_table *table;
	int hwsize;

	if (!pdev || type != PCI_MSI_TABLE_MSIX || pdev->current_state != PCI_D0)
		return ERR_PTR(-EINVAL);
	if (!pci_msi_enabled() || pdev->no_msi || !pdev->msix_cap ||
	    !pci_msi_domain_supports(pdev, MSI_FLAG_PCI_MSIX | MSI_FLAG_PCI_MSIX_ALLOC_DYN,
				     DENY_LEGACY))
		return ERR_PTR(-EOPNOTSUPP);
	if (pdev->msi_table || pdev->msi_enabled || pdev->msix_enabled)
		return ERR_PTR(-EBUSY);

	hwsize = pci_msix_table_enable(pdev);
	if (hwsize < 0)
		return ERR_PTR(hwsize);

	table = msi_allocate_table(&pdev->dev, pci_msix_table_template(), hwsize, NULL);
	if (IS_ERR(table)) {
		pci_msix_table_disable(pdev);
		return table;
	}
	pdev->msi_table = table;
	return table;
}
EXPORT_SYMBOL_GPL(pci_allocate_msi_table);

/**
 * pci_free_msi_table - Free the MSI or MSI-X table of a PCI function
 * @table:	The table, as returned by pci_allocate_msi_table(), or %NULL
 *
 * Frees the vectors left, with a warning (see msi_table_free()), and
 * disables MSI-X. The vectors must not be in use (requested).
 */
void pci_free_msi_table(struct msi_table *table)
{
	struct pci_dev *pdev;

	if (IS_ERR_OR_NULL(table))
		return;

	pdev = to_pci_dev(msi_table_device(table));
	if (WARN_ON_ONCE(pdev->msi_table != table))
		return;

	msi_table_free(table);
	pdev->msi_table = NULL;
	pci_msix_table_disable(pdev);
}
EXPORT_SYMBOL_GPL(pci_free_msi_table);
