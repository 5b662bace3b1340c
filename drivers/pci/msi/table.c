// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI-SIG message stores of a function as MSI tables: the driver holds
 * the MSI-X table, or the MSI capability's block, and allocates and frees
 * its vectors by label through the leaf chips of the per device PCI/MSI
 * domains.
 */
#include <linux/err.h>
#include <linux/export.h>
#include <linux/msi_table.h>
#include <linux/pci.h>

#include "msi.h"

/*
 * The table goes: it stops being the function's (under the device's MSI
 * mutex, which the restore after a reset holds while it walks the table; a
 * table whose setup failed never was), MSI is disabled before the block is
 * freed, MSI-X after the vectors are.
 */
static void pci_msi_table_detach(struct msi_table *table)
{
	struct pci_dev *pdev = to_pci_dev(msi_table_device(table));

	msi_lock_descs(&pdev->dev);
	if (pdev->msi_table == table)
		pdev->msi_table = NULL;
	msi_unlock_descs(&pdev->dev);
	if (pdev->msi_enabled)
		pci_msi_table_disable(pdev, table);
}

static void pci_msix_table_release(struct msi_table *table)
{
	pci_msix_table_disable(to_pci_dev(msi_table_device(table)));
}

static const struct msi_table_bus_ops pci_msix_table_ops = {
	.detach		= pci_msi_table_detach,
	.release	= pci_msix_table_release,
};

static const struct msi_table_bus_ops pci_msi_table_ops = {
	.detach		= pci_msi_table_detach,
};

static struct msi_table *pci_msix_table_create(struct pci_dev *pdev, unsigned int unused)
{
	struct msi_table *table;
	int hwsize;

	if (!pdev->msix_cap ||
	    !pci_msi_domain_supports(pdev, MSI_FLAG_PCI_MSIX | MSI_FLAG_PCI_MSIX_ALLOC_DYN,
				     DENY_LEGACY))
		return ERR_PTR(-EOPNOTSUPP);

	hwsize = pci_msix_table_enable(pdev);
	if (hwsize < 0)
		return ERR_PTR(hwsize);

	table = msi_allocate_bus_table(&pdev->dev, pci_msix_table_template(), hwsize, NULL,
				       &pci_msix_table_ops);
	if (IS_ERR(table))
		pci_msix_table_disable(pdev);
	return table;
}

static struct msi_table *pci_msi_table_create(struct pci_dev *pdev, unsigned int nvec)
{
	struct msi_domain_template tmpl;
	struct msi_table *table;
	int ret;

	if (!nvec || !is_power_of_2(nvec) || nvec > 32)
		return ERR_PTR(-EINVAL);
	if (!pdev->msi_cap || !pci_msi_domain_supports(pdev, 0, DENY_LEGACY))
		return ERR_PTR(-EOPNOTSUPP);
	/* More than Multiple Message Capable */
	if ((int)nvec > pci_msi_vec_count(pdev))
		return ERR_PTR(-EINVAL);
	/*
	 * The device sends vector n as the block's message data + n: the
	 * parent must allocate an aligned block (x86: interrupt remapping; the
	 * vector domain cannot).
	 */
	if (nvec > 1 && !pci_msi_domain_supports(pdev, MSI_FLAG_MULTI_PCI_MSI, DENY_LEGACY))
		return ERR_PTR(-EOPNOTSUPP);

	pci_msi_table_template(pdev, &tmpl);
	table = msi_allocate_bus_table(&pdev->dev, &tmpl, nvec, NULL, &pci_msi_table_ops);
	if (IS_ERR(table))
		return table;

	ret = pci_msi_table_enable(pdev, table);
	if (ret) {
		msi_table_free(table);
		return ERR_PTR(ret);
	}
	return table;
}

/* Serializes the check that a function has no table with its creation */
static DEFINE_MUTEX(pci_msi_table_lock);

static struct msi_table *pci_create_table(struct pci_dev *pdev, unsigned int nvec,
					  struct msi_table *(*create)(struct pci_dev *pdev,
								      unsigned int nvec))
{
	struct msi_table *table;
	int ret;

	if (!pdev || pdev->current_state != PCI_D0)
		return ERR_PTR(-EINVAL);
	/* MSI off, or a bridge on the way up which does not forward it */
	if (!pci_msi_supported(pdev, 1))
		return ERR_PTR(-EOPNOTSUPP);

	guard(mutex)(&pci_msi_table_lock);
	if (pdev->msi_table || pdev->msi_enabled || pdev->msix_enabled)
		return ERR_PTR(-EBUSY);
	/* The device's MSI data, and for a managed function its release */
	ret = pci_setup_msi_context(pdev);
	if (ret)
		return ERR_PTR(ret);

	table = create(pdev, nvec);
	if (IS_ERR(table))
		return table;

	msi_lock_descs(&pdev->dev);
	pdev->msi_table = table;
	msi_unlock_descs(&pdev->dev);
	return table;
}

/**
 * pci_allocate_msix_table - Create the MSI-X table of a PCI function
 * @pdev:	The PCI function
 *
 * Enables MSI-X with every entry masked. A vector's hardware label is its
 * MSI-X table entry; msi_table_alloc_vector() and
 * msi_table_alloc_vector_range() allocate it, at any time, and
 * msi_table_free_vector() frees it.
 *
 * The table is stacked on the function's MSI parent domain (interrupt
 * remapping where it is on), which must allocate MSI-X vectors one by one
 * (%MSI_FLAG_PCI_MSIX_ALLOC_DYN): where it cannot (Xen, Hyper-V vPCI, VMD,
 * architectures with their own MSI setup), use pci_alloc_irq_vectors(). A
 * function has one MSI or MSI-X table at most, and not beside vectors of
 * pci_alloc_irq_vectors(). Free the table with msi_table_free(), which
 * disables MSI-X again, or use pcim_allocate_msix_table() and do not. A
 * table its driver leaves is torn down when the driver detaches, MSI-X
 * disabled, and stays a shell that msi_table_free() frees quietly.
 *
 * Return: The table, or an ERR_PTR(): -%EINVAL for a %NULL function or one
 * not in D0, -%EOPNOTSUPP if MSI is off for the function, it has no MSI-X
 * capability or its MSI parent cannot allocate MSI-X vectors one by one,
 * -%EBUSY if the function has a table or MSI/MSI-X vectors already,
 * -%ENOMEM.
 */
struct msi_table *pci_allocate_msix_table(struct pci_dev *pdev)
{
	return pci_create_table(pdev, 0, pci_msix_table_create);
}
EXPORT_SYMBOL_GPL(pci_allocate_msix_table);

/**
 * pci_allocate_msi_table - Create the MSI table of a PCI function
 * @pdev:	The PCI function
 * @nvec:	The block size: a power of two up to the capability's Multiple
 *		Message Capable
 *
 * The MSI capability's block cannot change while MSI is enabled, so the
 * whole block is allocated here and MSI enabled; a vector's label is its
 * number in the block, msi_table_alloc_vector() hands it out and
 * msi_table_free_vector() takes it back. Label n's Linux interrupt is label
 * 0's + n. A block of more than one vector needs an MSI parent which
 * allocates aligned blocks (on x86, interrupt remapping); the per vector
 * mask bits, where the capability has them, mask each vector of the block.
 * A driver which wants one MSI vector and no labels is better served by
 * pci_alloc_irq_vectors().
 *
 * Ownership and freeing as for pci_allocate_msix_table(); msi_table_free()
 * disables MSI.
 *
 * Return: The table, or an ERR_PTR(): -%EINVAL for a %NULL function or one
 * not in D0, or a block size the capability cannot hold, -%EOPNOTSUPP if
 * MSI is off for the function, it has no MSI capability or its MSI parent
 * cannot serve the block (several vectors without interrupt remapping),
 * -%EBUSY if the function has a table or MSI/MSI-X vectors already,
 * -%ENOMEM, -%EIO if the block's message needs 64 bits the function lacks,
 * or the error of the block's allocation.
 */
struct msi_table *pci_allocate_msi_table(struct pci_dev *pdev, unsigned int nvec)
{
	return pci_create_table(pdev, nvec, pci_msi_table_create);
}
EXPORT_SYMBOL_GPL(pci_allocate_msi_table);

/**
 * pcim_allocate_msix_table - Managed pci_allocate_msix_table()
 * @pdev:	The PCI function
 *
 * Like pci_allocate_msix_table(); the table is freed when the driver
 * detaches, or earlier by msi_table_free().
 *
 * Return: See pci_allocate_msix_table().
 */
struct msi_table *pcim_allocate_msix_table(struct pci_dev *pdev)
{
	return devm_msi_table_manage(pci_allocate_msix_table(pdev));
}
EXPORT_SYMBOL_GPL(pcim_allocate_msix_table);

/**
 * pcim_allocate_msi_table - Managed pci_allocate_msi_table()
 * @pdev:	The PCI function
 * @nvec:	The block size
 *
 * Like pci_allocate_msi_table(); the table is freed when the driver
 * detaches, or earlier by msi_table_free().
 *
 * Return: See pci_allocate_msi_table().
 */
struct msi_table *pcim_allocate_msi_table(struct pci_dev *pdev, unsigned int nvec)
{
	return devm_msi_table_manage(pci_allocate_msi_table(pdev, nvec));
}
EXPORT_SYMBOL_GPL(pcim_allocate_msi_table);
