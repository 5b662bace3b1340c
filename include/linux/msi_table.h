/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MSI tables: a handle, held by a driver, for one physical resource that
 * stores MSI address/data pairs: the PCI MSI capability, the MSI-X table,
 * an IMS (Interrupt Message Store) array in the device, or messages kept in
 * queue memory. Each table has its own hierarchical interrupt domain on
 * the device's MSI parent domain, and its vectors are allocated and freed
 * one by one, at any time, by hardware label.
 */
#ifndef _LINUX_MSI_TABLE_H
#define _LINUX_MSI_TABLE_H

#include <linux/msi.h>

struct device;
struct irq_affinity_desc;
struct irq_data;
struct irq_domain;
struct msi_table;

/* Let msi_table_alloc_vector() choose any free label */
#define MSI_TABLE_ANY_LABEL	MSI_ANY_INDEX

/**
 * struct msi_table_bus_ops - What the bus code which created a table does
 *			      when the table goes
 * @detach:	Called before the table's vectors are freed, to stop using
 *		the table (quiesce the store, drop the bus's reference)
 * @release:	Called after the vectors and the domain are gone
 *
 * msi_table_free() calls them, and the teardown of a table which the
 * driver left when the device's MSI data goes. Both may sleep.
 */
struct msi_table_bus_ops {
	void	(*detach)(struct msi_table *table);
	void	(*release)(struct msi_table *table);
};

#ifdef CONFIG_GENERIC_MSI_IRQ
struct msi_table *msi_allocate_table(struct device *dev,
				     const struct msi_domain_template *template,
				     unsigned int hwsize, void *data);
struct msi_table *devm_msi_allocate_table(struct device *dev,
					  const struct msi_domain_template *template,
					  unsigned int hwsize, void *data);
void msi_table_free(struct msi_table *table);

struct msi_desc *msi_table_alloc_vector(struct msi_table *table, unsigned int hw_label,
					const struct irq_affinity_desc *affdesc,
					const union msi_instance_cookie *icookie);
struct msi_desc *msi_table_alloc_vector_range(struct msi_table *table,
					      unsigned int lowest, unsigned int highest,
					      const struct irq_affinity_desc *affdesc,
					      const union msi_instance_cookie *icookie);
void msi_table_free_vector(struct msi_table *table, struct msi_desc *vector);

unsigned int msi_table_id(const struct msi_table *table);
struct irq_domain *msi_table_domain(const struct msi_table *table);
struct device *msi_table_device(const struct msi_table *table);
void *msi_table_leaf_data(struct irq_data *data);
bool msi_table_id_of_irq(unsigned int virq, unsigned int *table_id);

/* For bus code, which is built in: not exported */
struct msi_table *msi_allocate_bus_table(struct device *dev,
					 const struct msi_domain_template *template,
					 unsigned int hwsize, void *data,
					 const struct msi_table_bus_ops *bus_ops);
int msi_table_populate(struct msi_table *table);
struct msi_table *devm_msi_table_manage(struct msi_table *table);
void msi_table_walk_vectors(struct msi_table *table, void (*fn)(struct msi_desc *, void *),
			    void *arg);
#else
static inline void msi_table_free(struct msi_table *table) { }
#endif /* CONFIG_GENERIC_MSI_IRQ */

#endif /* _LINUX_MSI_TABLE_H */
