/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the MSI core (msi.c) shares with MSI tables (msi_table.c): the per
 * device MSI data and the steps of creating a domain and of allocating and
 * freeing interrupts on a descriptor store, which per device domains and
 * tables have in common.
 */
#ifndef _KERNEL_IRQ_MSI_INTERNAL_H
#define _KERNEL_IRQ_MSI_INTERNAL_H

#include <linux/idr.h>
#include <linux/list.h>
#include <linux/msi.h>
#include <linux/mutex.h>

/**
 * struct msi_device_data - MSI per device data
 * @properties:		MSI properties which are interesting to drivers
 * @mutex:		Mutex protecting the MSI descriptor store
 * @__domains:		Internal data for per device MSI domains
 * @__iter_idx:		Index to search the next entry for iterators
 * @tables:		The MSI tables of the device, protected by @mutex
 * @table_ids:		Allocator of the device-unique MSI table ids
 */
struct msi_device_data {
	unsigned long			properties;
	struct mutex			mutex;	/* protects the per device stores */
	struct msi_dev_domain		__domains[MSI_MAX_DEVICE_IRQDOMAINS];
	unsigned long			__iter_idx;
	struct list_head		tables;
	struct ida			table_ids;
};

/**
 * struct msi_ctrl - MSI internal management control structure
 * @dd:		The descriptor store and domain on which management operations
 *		should be done
 * @first:	First (hardware) slot index to operate on
 * @last:	Last (hardware) slot index to operate on
 * @nirqs:	The number of Linux interrupts to allocate. Can be larger
 *		than the range due to PCI/multi-MSI.
 * @block:	The descriptors of the range have one interrupt each, which
 *		are allocated, and freed, as one block
 */
struct msi_ctrl {
	struct msi_dev_domain		*dd;
	unsigned int			first;
	unsigned int			last;
	unsigned int			nirqs;
	bool				block;
};

/* Invalid Xarray index which is outside of any searchable range */
#define MSI_XA_MAX_INDEX	(ULONG_MAX - 1)
/* The maximal domain size */
#define MSI_XA_DOMAIN_SIZE	(MSI_MAX_INDEX + 1)

unsigned int msi_dd_get_hwsize(struct msi_dev_domain *dd);
int msi_dd_create_domain(struct device *dev, struct msi_dev_domain *dd,
			 const struct msi_domain_template *template,
			 unsigned int hwsize, void *domain_data, void *chip_data,
			 const char *suffix);
void msi_dd_remove_domain(struct msi_dev_domain *dd);
struct msi_desc *msi_dd_new_desc(struct device *dev, struct msi_dev_domain *dd,
				 unsigned int index, const struct xa_limit *range,
				 const struct irq_affinity_desc *affdesc,
				 const union msi_instance_cookie *icookie);
int msi_dd_alloc_desc_irq(struct device *dev, struct msi_dev_domain *dd,
			  struct msi_desc *desc);
int msi_domain_alloc_locked(struct device *dev, struct msi_ctrl *ctrl);
void msi_domain_free_locked(struct device *dev, struct msi_ctrl *ctrl);

void msi_device_tables_release(struct device *dev, struct msi_device_data *md);

#endif /* _KERNEL_IRQ_MSI_INTERNAL_H */
