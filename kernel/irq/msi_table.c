// SPDX-License-Identifier: GPL-2.0
/*
 * MSI tables: driver-held handles for the physical resources which store
 * MSI messages (the PCI MSI capability, the MSI-X table, a device's IMS
 * array, messages kept in queue memory), each with its own interrupt
 * domain, on the allocation and free paths of the per device MSI domains.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/interrupt.h>
#include <linux/irqdomain.h>
#include <linux/msi.h>
#include <linux/msi_table.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "msi_internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/msi_table.h>

/**
 * struct msi_table - A driver-held table of MSI vectors
 * @dd:		The descriptor store and interrupt domain of the table
 * @mutex:	Serializes allocation and free on the table (@dd.mutex)
 * @dev:	The device the table belongs to
 * @bus_ops:	What the bus code which created the table does when it goes,
 *		or %NULL
 * @node:	Entry in msi_device_data::tables
 * @id:		The table id, unique on @dev
 * @dead:	The table's vectors and domain are gone (or leaked): allocation
 *		refuses it, msi_table_free_vector() ignores it quietly, and
 *		msi_table_free() frees the shell
 * @leaked:	It went with interrupts still requested and is never freed
 * @managed:	A devres frees it (devm_msi_table_manage())
 * @populated:	Every label's vector was allocated up front, by
 *		msi_table_populate(); allocation hands them out (marked
 *		%MSI_TABLE_HANDED_OUT in @dd.store) and free takes them back
 */
struct msi_table {
	struct msi_dev_domain		dd;
	struct mutex			mutex;	/* serializes alloc and free */
	struct device			*dev;
	const struct msi_table_bus_ops	*bus_ops;
	struct list_head		node;
	unsigned int			id;
	bool				dead;
	bool				leaked;
	bool				managed;
	bool				populated;
};

/* A vector of a populated table which the driver holds */
#define MSI_TABLE_HANDED_OUT	XA_MARK_1

static struct msi_table *__msi_allocate_table(struct device *dev,
					      const struct msi_domain_template *template,
					      unsigned int hwsize, void *data,
					      const struct msi_table_bus_ops *bus_ops)
{
	struct msi_device_data *md;
	struct msi_table *table;
	char suffix[16];
	int ret;

	if (!dev || !template || !hwsize || hwsize > MSI_XA_DOMAIN_SIZE)
		return ERR_PTR(-EINVAL);
	/* The core's default chip ops need them (msi_domain_update_chip_ops()) */
	if (!template->chip.irq_mask || !template->chip.irq_unmask)
		return ERR_PTR(-EINVAL);
	/*
	 * The core allocates and frees a table's descriptors, and each table
	 * has a name of its own: the device's firmware node is not unique.
	 */
	if (template->ops.domain_alloc_irqs || template->ops.domain_free_irqs ||
	    (template->info.flags & (MSI_FLAG_ALLOC_SIMPLE_MSI_DESCS | MSI_FLAG_USE_DEV_FWNODE |
				    MSI_FLAG_TABLE)))
		return ERR_PTR(-EINVAL);
	if (!dev->msi.domain || !irq_domain_is_msi_parent(dev->msi.domain))
		return ERR_PTR(-EOPNOTSUPP);

	ret = msi_setup_device_data(dev);
	if (ret)
		return ERR_PTR(ret);
	md = dev->msi.data;

	table = kzalloc(sizeof(*table), GFP_KERNEL);
	if (!table)
		return ERR_PTR(-ENOMEM);

	mutex_init(&table->mutex);
	xa_init_flags(&table->dd.store, XA_FLAGS_ALLOC);
	table->dd.mutex = &table->mutex;
	table->dd.table = true;
	table->dev = dev;
	table->bus_ops = bus_ops;

	ret = ida_alloc(&md->table_ids, GFP_KERNEL);
	if (ret < 0)
		goto free_table;
	table->id = ret;

	snprintf(suffix, sizeof(suffix), "-t%u", table->id);
	mutex_lock(&table->mutex);
	/* The domain's chip data is the table: msi_table_id_of_irq() */
	ret = msi_dd_create_domain(dev, &table->dd, template, hwsize, data, table, suffix);
	mutex_unlock(&table->mutex);
	if (ret)
		goto free_id;

	mutex_lock(&md->mutex);
	list_add_tail(&table->node, &md->tables);
	mutex_unlock(&md->mutex);
	trace_msi_table_create(dev, table->id, hwsize, table->dd.domain->name);
	return table;

free_id:
	ida_free(&md->table_ids, table->id);
free_table:
	mutex_destroy(&table->mutex);
	kfree(table);
	return ERR_PTR(ret);
}

/**
 * msi_allocate_table - Create an MSI table with its own interrupt domain
 * @dev:	The device whose message store the table describes; not a PCI
 *		device (see below)
 * @template:	Domain info (bus token %DOMAIN_BUS_DEVICE_MSI), leaf irq_chip
 *		and ops of the table, supplied by the driver; copied, so it
 *		may be on the stack
 * @hwsize:	Number of hardware labels, 1 to %MSI_MAX_INDEX + 1
 * @data:	Optional pointer for the leaf chip, msi_table_leaf_data()
 *
 * The table's interrupt domain is stacked on the device's MSI parent domain
 * (@dev->msi.domain), which shapes it through its
 * msi_parent_ops::init_dev_msi_info() like a per device MSI domain, and
 * refuses a kind of domain it does not serve. The domain is named
 * "$(PREFIX)$(CHIPNAME)-$(DEVNAME)-t$(ID)", where $ID is the table id, unique
 * among the tables of @dev. A device may hold any number of tables. The MSI
 * core allocates and frees the table's descriptors: @template must not
 * provide msi_domain_ops::domain_alloc_irqs() or
 * msi_domain_ops::domain_free_irqs(), nor set
 * %MSI_FLAG_ALLOC_SIMPLE_MSI_DESCS or %MSI_FLAG_USE_DEV_FWNODE.
 *
 * The message stores of a PCI function are the PCI core's: a PCI driver
 * gets its MSI or MSI-X table from pci_allocate_msi_table() and an IMS
 * table, storage of the device's own, from pci_allocate_ims_table(), which
 * only a parent that remaps the messages serves. This function refuses a
 * PCI device, and any bus token but %DOMAIN_BUS_DEVICE_MSI (the PCI
 * core's, in particular), so that storage of a driver's own cannot pass
 * for a PCI-SIG one.
 *
 * Return: The table, or an ERR_PTR(): -%EINVAL on a bad argument, a PCI
 * device or another bus token, -%EOPNOTSUPP if @dev has no MSI parent domain or the
 * parent cannot serve such a table, -%ENOMEM, -%ENOSPC if @dev ran out of
 * table ids.
 */
struct msi_table *msi_allocate_table(struct device *dev,
				     const struct msi_domain_template *template,
				     unsigned int hwsize, void *data)
{
	if (!dev || !template || dev_is_pci(dev) ||
	    template->info.bus_token != DOMAIN_BUS_DEVICE_MSI)
		return ERR_PTR(-EINVAL);
	return __msi_allocate_table(dev, template, hwsize, data, NULL);
}
EXPORT_SYMBOL_GPL(msi_allocate_table);

/**
 * msi_allocate_bus_table - Create an MSI table for bus code
 * @dev:	The device whose message store the table describes
 * @template:	Domain info, leaf irq_chip and ops of the table
 * @hwsize:	Number of hardware labels, 1 to %MSI_MAX_INDEX + 1
 * @data:	Optional pointer for the leaf chip, msi_table_leaf_data()
 * @bus_ops:	What to do when the table goes, or %NULL
 *
 * For the bus code which owns a kind of message store (the PCI core's
 * constructors), not for drivers: like msi_allocate_table() without its
 * refusal of bus devices and tokens. Not exported, like
 * msi_table_populate() and msi_table_walk_vectors(): the bus code which
 * uses them is built in. msi_table_free(), and the device's
 * MSI data going, call @bus_ops.
 *
 * Return: The table or an ERR_PTR(), see msi_allocate_table().
 */
struct msi_table *msi_allocate_bus_table(struct device *dev,
					 const struct msi_domain_template *template,
					 unsigned int hwsize, void *data,
					 const struct msi_table_bus_ops *bus_ops)
{
	return __msi_allocate_table(dev, template, hwsize, data, bus_ops);
}

/*
 * Free the vectors and the domain of @table, which is off the device's list.
 * @explicit: msi_table_free() rather than the device's MSI data going, where
 * vectors the driver's own devres frees later are still allocated.
 *
 * Return: false if @table had interrupts still requested and is leaked, as
 * it is: its vectors, domain and bus state, and the table itself.
 */
static bool msi_table_kill(struct msi_table *table, bool explicit)
{
	struct msi_ctrl ctrl = { .dd = &table->dd, .first = 0 };
	const struct msi_table_bus_ops *bus_ops = table->bus_ops;
	unsigned int left = 0, requested = 0;
	struct msi_desc *desc;
	unsigned long idx;

	mutex_lock(&table->mutex);
	/* Killed already, by a concurrent free or the device's release */
	if (table->dead) {
		mutex_unlock(&table->mutex);
		return !table->leaked;
	}
	xa_for_each(&table->dd.store, idx, desc) {
		left += !table->populated ||
			xa_get_mark(&table->dd.store, idx, MSI_TABLE_HANDED_OUT);
		requested += desc->irq && irq_has_action(desc->irq);
	}
	table->dead = true;
	/*
	 * An interrupt still requested keeps its descriptor, chip, domain and
	 * the bus's state (an MSI-X table mapped and enabled): freeing any of
	 * them would turn its free_irq() into a use after free. Leak it all,
	 * loudly, with a reference on the device for the late free_irq().
	 * The bus's detach still runs, so that the function is not left
	 * pointing at a table nobody owns: for a PCI MSI block that also
	 * disables MSI, and the requested interrupts go silent; an MSI-X
	 * table stays enabled and mapped.
	 */
	table->leaked = WARN(requested,
			     "%s: MSI table %u freed with %u interrupts requested: leaked\n",
			     dev_name(table->dev), table->id, requested);
	mutex_unlock(&table->mutex);
	if (table->leaked) {
		get_device(table->dev);
		if (bus_ops && bus_ops->detach)
			bus_ops->detach(table);
		return false;
	}

	if (bus_ops && bus_ops->detach)
		bus_ops->detach(table);

	mutex_lock(&table->mutex);
	trace_msi_table_free(table->dev, table->id, left);
	if (left && explicit)
		dev_WARN(table->dev, "MSI table %u freed with %u vectors allocated\n",
			 table->id, left);
	ctrl.last = msi_dd_get_hwsize(&table->dd) - 1;
	ctrl.block = table->populated;
	msi_domain_free_locked(table->dev, &ctrl);
	msi_dd_remove_domain(&table->dd);
	ida_free(&table->dev->msi.data->table_ids, table->id);
	mutex_unlock(&table->mutex);

	if (bus_ops && bus_ops->release)
		bus_ops->release(table);
	return true;
}

/*
 * The device's MSI data goes (its driver detached): tables the driver did
 * not free are torn down and leave an empty shell behind, which
 * msi_table_free_vector() and msi_table_free() accept quietly, so that a
 * driver may free them from devres actions which run later.
 */
void msi_device_tables_release(struct device *dev, struct msi_device_data *md)
{
	struct msi_table *table;

	/* One at a time: off the list under the lock is what a free checks */
	for (;;) {
		mutex_lock(&md->mutex);
		table = list_first_entry_or_null(&md->tables, struct msi_table, node);
		if (table)
			list_del_init(&table->node);
		mutex_unlock(&md->mutex);
		if (!table)
			break;
		dev_dbg(dev, "MSI table %u freed with the device's MSI data\n", table->id);
		msi_table_kill(table, false);
	}
	ida_destroy(&md->table_ids);
}

/*
 * Take @table off its device and kill it, unless that happened already.
 * Return: false if the table is leaked and must stay.
 */
static bool msi_table_teardown(struct msi_table *table)
{
	struct msi_device_data *md;
	bool listed = false;

	mutex_lock(&table->mutex);
	md = table->dead ? NULL : table->dev->msi.data;
	mutex_unlock(&table->mutex);
	if (md) {
		mutex_lock(&md->mutex);
		listed = !list_empty(&table->node);
		list_del_init(&table->node);
		mutex_unlock(&md->mutex);
	}
	if (listed)
		return msi_table_kill(table, true);
	return !table->leaked;
}

static void __msi_table_free(struct msi_table *table)
{
	/* A leaked table stays, for the interrupts which still use it */
	if (!msi_table_teardown(table))
		return;
	xa_destroy(&table->dd.store);
	mutex_destroy(&table->mutex);
	kfree(table);
}

/* The devres of a managed table */
struct msi_table_devres {
	struct msi_table	*table;
};

static void msi_table_devres_release(struct device *dev, void *res)
{
	__msi_table_free(((struct msi_table_devres *)res)->table);
}

static int msi_table_devres_match(struct device *dev, void *res, void *data)
{
	return ((struct msi_table_devres *)res)->table == data;
}

/**
 * msi_table_free - Free an MSI table
 * @table:	The table, as returned by any table constructor, or %NULL
 *
 * Frees the vectors the driver left allocated, with a warning, the table's
 * interrupt domain, and what the bus code set up for the table (a PCI MSI
 * or MSI-X table disables MSI or MSI-X). The vectors must not be in use
 * (requested): a table with requested vectors is leaked with a warning.
 * A table whose device lost its MSI data (the driver detached) is an empty
 * shell, freed quietly. A managed table (devm_msi_allocate_table(), the
 * ``pcim_`` constructors) may be freed early here, also from another
 * devres action: its own devres goes with it, or, if the devres release
 * is under way already, frees the table then.
 */
void msi_table_free(struct msi_table *table)
{
	if (IS_ERR_OR_NULL(table))
		return;
	if (table->managed && devres_destroy(table->dev, msi_table_devres_release,
					     msi_table_devres_match, table)) {
		/* Its devres release is pending: it frees the table */
		msi_table_teardown(table);
		return;
	}
	__msi_table_free(table);
}
EXPORT_SYMBOL_GPL(msi_table_free);

/**
 * devm_msi_table_manage - Free a new table when its device's driver detaches
 * @table:	The table, or an ERR_PTR() which is returned as it is
 *
 * For the constructors of managed tables (devm_msi_allocate_table(), the
 * PCI core's pcim_ constructors).
 *
 * Return: @table, or -%ENOMEM, in which case the table is freed.
 */
struct msi_table *devm_msi_table_manage(struct msi_table *table)
{
	struct msi_table_devres *dr;

	if (IS_ERR(table))
		return table;
	dr = devres_alloc(msi_table_devres_release, sizeof(*dr), GFP_KERNEL);
	if (!dr) {
		__msi_table_free(table);
		return ERR_PTR(-ENOMEM);
	}
	dr->table = table;
	table->managed = true;
	devres_add(table->dev, dr);
	return table;
}

/**
 * devm_msi_allocate_table - Device managed msi_allocate_table()
 * @dev:	The device whose message store the table describes
 * @template:	Domain info, leaf irq_chip and ops of the table
 * @hwsize:	Number of hardware labels, 1 to %MSI_MAX_INDEX + 1
 * @data:	Optional pointer for the leaf chip, msi_table_leaf_data()
 *
 * Like msi_allocate_table(); the table is freed when the driver detaches,
 * or earlier by msi_table_free().
 *
 * Return: The table or an ERR_PTR(), see msi_allocate_table().
 */
struct msi_table *devm_msi_allocate_table(struct device *dev,
					  const struct msi_domain_template *template,
					  unsigned int hwsize, void *data)
{
	return devm_msi_table_manage(msi_allocate_table(dev, template, hwsize, data));
}
EXPORT_SYMBOL_GPL(devm_msi_allocate_table);

/*
 * Hand out the vector of a populated table at @label, or, for
 * %MSI_TABLE_ANY_LABEL, the first one in @range the driver does not hold.
 */
static struct msi_desc *msi_table_hand_out(struct msi_table *table, unsigned int label,
					   const struct xa_limit *range)
{
	struct xarray *xa = &table->dd.store;
	unsigned long idx = label;
	struct msi_desc *desc;

	if (label != MSI_TABLE_ANY_LABEL) {
		if (label >= msi_dd_get_hwsize(&table->dd))
			return ERR_PTR(-ERANGE);
		desc = xa_load(xa, idx);
	} else {
		xa_for_each_range(xa, idx, desc, range->min, range->max) {
			if (!xa_get_mark(xa, idx, MSI_TABLE_HANDED_OUT))
				break;
		}
		if (!desc)
			return ERR_PTR(-ENOSPC);
	}
	if (WARN_ON_ONCE(!desc))
		return ERR_PTR(-ENOENT);
	if (xa_get_mark(xa, idx, MSI_TABLE_HANDED_OUT))
		return ERR_PTR(-EBUSY);
	xa_set_mark(xa, idx, MSI_TABLE_HANDED_OUT);
	trace_msi_table_vector_alloc(table->dev, table->id, desc->msi_index, desc->irq);
	return desc;
}

/*
 * Allocate the vector at @label, or, for %MSI_TABLE_ANY_LABEL, at the first
 * free label in [@lowest, @highest], where %UINT_MAX stands for the last
 * label of the table.
 */
static struct msi_desc *msi_table_alloc_locked(struct msi_table *table, unsigned int label,
					       unsigned int lowest, unsigned int highest,
					       const struct irq_affinity_desc *affdesc,
					       const union msi_instance_cookie *icookie)
{
	struct xa_limit range = XA_LIMIT(lowest, highest);
	bool any = label == MSI_TABLE_ANY_LABEL;
	struct msi_desc *desc;
	unsigned int hwsize;
	int ret;

	lockdep_assert_held(&table->mutex);
	if (table->dead)
		return ERR_PTR(-EINVAL);

	hwsize = msi_dd_get_hwsize(&table->dd);
	if (any && highest == UINT_MAX)
		range.max = hwsize - 1;
	if (any && range.max >= hwsize)
		return ERR_PTR(-ERANGE);

	if (table->populated) {
		/* The affinity and cookie of its vectors are the bus code's */
		if (affdesc || icookie)
			return ERR_PTR(-EINVAL);
		return msi_table_hand_out(table, label, &range);
	}

	desc = msi_dd_new_desc(table->dev, &table->dd, label, any ? &range : NULL,
			       affdesc, icookie);
	if (IS_ERR(desc)) {
		/* xa_alloc() reports a full range with -EBUSY */
		if (any && PTR_ERR(desc) == -EBUSY)
			desc = ERR_PTR(-ENOSPC);
		return desc;
	}

	/* On failure this frees the descriptor (MSI_FLAG_FREE_MSI_DESCS) */
	ret = msi_dd_alloc_desc_irq(table->dev, &table->dd, desc);
	if (ret)
		return ERR_PTR(ret);
	trace_msi_table_vector_alloc(table->dev, table->id, desc->msi_index, desc->irq);
	return desc;
}

static struct msi_desc *msi_table_alloc(struct msi_table *table, unsigned int label,
					unsigned int lowest, unsigned int highest,
					const struct irq_affinity_desc *affdesc,
					const union msi_instance_cookie *icookie)
{
	struct msi_desc *desc;

	mutex_lock(&table->mutex);
	desc = msi_table_alloc_locked(table, label, lowest, highest, affdesc, icookie);
	mutex_unlock(&table->mutex);
	return desc;
}

/**
 * msi_table_populate - Allocate every vector of an MSI table up front
 * @table:	The table, with no vector allocated yet
 *
 * For bus code whose message store cannot gain and lose vectors one by one,
 * like the PCI MSI capability, whose block is fixed while MSI is enabled:
 * the bus code allocates the whole block when it sets the table up, and
 * msi_table_alloc_vector() and msi_table_free_vector() then hand the
 * vectors out to the driver and take them back. msi_table_free() frees them.
 *
 * The block is one allocation from the table's domain: label n gets Linux
 * interrupt irq + n, where irq is label 0's, and the parent allocates it
 * as a block (under interrupt remapping, consecutive remapping entries in
 * an aligned block), which PCI multi-MSI needs. The block is freed as one
 * too, after every vector of it is deactivated.
 *
 * Return: 0, -%EINVAL for a table which has vectors or is dead, or the
 * allocation error, with no vector left allocated.
 */
int msi_table_populate(struct msi_table *table)
{
	struct msi_ctrl ctrl = { .dd = &table->dd, .first = 0, .block = true };
	struct msi_desc *desc;
	unsigned int label;
	int ret = 0;

	mutex_lock(&table->mutex);
	if (table->dead || table->populated || !xa_empty(&table->dd.store)) {
		ret = -EINVAL;
		goto unlock;
	}
	ctrl.last = msi_dd_get_hwsize(&table->dd) - 1;
	ctrl.nirqs = ctrl.last + 1;
	for (label = 0; label <= ctrl.last; label++) {
		desc = msi_dd_new_desc(table->dev, &table->dd, label, NULL, NULL, NULL);
		if (IS_ERR(desc)) {
			/* Frees the descriptors inserted so far */
			msi_domain_free_locked(table->dev, &ctrl);
			ret = PTR_ERR(desc);
			goto unlock;
		}
	}
	/* On failure this frees what it allocated and the descriptors */
	ret = msi_domain_alloc_locked(table->dev, &ctrl);
	if (!ret)
		table->populated = true;
unlock:
	mutex_unlock(&table->mutex);
	return ret;
}

/**
 * msi_table_alloc_vector - Allocate the vector at a hardware label
 * @table:	The table
 * @hw_label:	The MSI vector number, MSI-X table entry or IMS slot, or
 *		%MSI_TABLE_ANY_LABEL for any free one
 * @affdesc:	Optional interrupt affinity descriptor (managed affinity)
 * @icookie:	Optional per vector cookie for the leaf chip (a queue handle,
 *		a PASID), stored in msi_desc::data::icookie
 *
 * May be called at any time, while other vectors of the table are in use.
 * The vector's Linux interrupt is msi_desc::irq and its label
 * msi_desc::msi_index. The vectors of a PCI MSI table exist as long as the
 * table, with the affinity and cookie the PCI core gave them: this hands
 * one out, and @affdesc and @icookie must be %NULL.
 *
 * Return: The vector's descriptor, or an ERR_PTR(): -%EINVAL for a %NULL or
 * dead table, or an affinity or cookie for a PCI MSI table, -%ERANGE if
 * @hw_label is beyond the table, -%EBUSY if it is in use, -%ENOSPC if the
 * table is full (%MSI_TABLE_ANY_LABEL), -%ENOMEM, or the parent domain's
 * error as it is.
 */
struct msi_desc *msi_table_alloc_vector(struct msi_table *table, unsigned int hw_label,
					const struct irq_affinity_desc *affdesc,
					const union msi_instance_cookie *icookie)
{
	if (IS_ERR_OR_NULL(table))
		return ERR_PTR(-EINVAL);
	return msi_table_alloc(table, hw_label, 0, UINT_MAX, affdesc, icookie);
}
EXPORT_SYMBOL_GPL(msi_table_alloc_vector);

/**
 * msi_table_alloc_vector_range - Allocate a vector at any free label in a range
 * @table:	The table
 * @lowest:	The lowest label to consider
 * @highest:	The highest label to consider (inclusive)
 * @affdesc:	Optional interrupt affinity descriptor (managed affinity)
 * @icookie:	Optional per vector cookie for the leaf chip
 *
 * For the pattern of a few special vectors at fixed labels followed by
 * fungible queue vectors: the first free label in [@lowest, @highest].
 *
 * Return: The vector's descriptor, or an ERR_PTR(): -%EINVAL for a %NULL or
 * dead table, @lowest > @highest, or an affinity or cookie for a PCI MSI
 * table, -%ERANGE if @highest is beyond the table, -%ENOSPC if the range is
 * full, -%ENOMEM, or the parent domain's error as it is.
 */
struct msi_desc *msi_table_alloc_vector_range(struct msi_table *table,
					      unsigned int lowest, unsigned int highest,
					      const struct irq_affinity_desc *affdesc,
					      const union msi_instance_cookie *icookie)
{
	if (IS_ERR_OR_NULL(table) || lowest > highest)
		return ERR_PTR(-EINVAL);
	/* UINT_MAX is beyond any table, not "the last label" here */
	if (highest == UINT_MAX)
		return ERR_PTR(-ERANGE);
	return msi_table_alloc(table, MSI_TABLE_ANY_LABEL, lowest, highest, affdesc, icookie);
}
EXPORT_SYMBOL_GPL(msi_table_alloc_vector_range);

/**
 * msi_table_free_vector - Free a vector of an MSI table
 * @table:	The table
 * @vector:	The vector, as returned by an allocation from @table
 *
 * The vector must have been allocated from @table and not be freed yet, and
 * its interrupt must be free (free_irq()). A vector of another table, or
 * one whose interrupt is still requested, is refused with a warning and
 * nothing changes. A vector freed already is a use after free which this
 * cannot always tell: its descriptor may be another vector's by now.
 */
void msi_table_free_vector(struct msi_table *table, struct msi_desc *vector)
{
	struct msi_ctrl ctrl = { };

	if (WARN_ON_ONCE(IS_ERR_OR_NULL(table) || IS_ERR_OR_NULL(vector)))
		return;

	mutex_lock(&table->mutex);
	/* Freed with the device's MSI data already: nothing left to free */
	if (table->dead)
		goto unlock;
	if (WARN(xa_load(&table->dd.store, vector->msi_index) != vector,
		 "%s: %p is not a vector of MSI table %u\n", __func__, vector, table->id))
		goto unlock;
	if (WARN(irq_has_action(vector->irq), "%s: interrupt %u of MSI table %u is requested\n",
		 __func__, vector->irq, table->id))
		goto unlock;

	if (table->populated) {
		/* The vector stays allocated; the driver only gives it back */
		if (WARN(!xa_get_mark(&table->dd.store, vector->msi_index, MSI_TABLE_HANDED_OUT),
			 "%s: vector %u of MSI table %u is not held\n", __func__,
			 vector->msi_index, table->id))
			goto unlock;
		xa_clear_mark(&table->dd.store, vector->msi_index, MSI_TABLE_HANDED_OUT);
		trace_msi_table_vector_free(table->dev, table->id, vector->msi_index,
					    vector->irq);
		goto unlock;
	}

	trace_msi_table_vector_free(table->dev, table->id, vector->msi_index, vector->irq);
	ctrl.dd = &table->dd;
	ctrl.first = vector->msi_index;
	ctrl.last = vector->msi_index;
	msi_domain_free_locked(table->dev, &ctrl);
unlock:
	mutex_unlock(&table->mutex);
}
EXPORT_SYMBOL_GPL(msi_table_free_vector);

/**
 * msi_table_walk_vectors - Call a function on every vector of an MSI table
 * @table:	The table
 * @fn:		The function, called with the table's mutex held
 * @arg:	Its second argument
 *
 * For the bus code which owns the table's message store, to restore or
 * quiesce the store (after a reset, at shutdown). @fn must not allocate or
 * free vectors of @table.
 */
void msi_table_walk_vectors(struct msi_table *table, void (*fn)(struct msi_desc *, void *),
			    void *arg)
{
	struct msi_desc *desc;
	unsigned long idx;

	mutex_lock(&table->mutex);
	xa_for_each(&table->dd.store, idx, desc)
		fn(desc, arg);
	mutex_unlock(&table->mutex);
}

/**
 * msi_table_device - The device an MSI table belongs to
 * @table:	The table
 *
 * Return: The device the table was created for.
 */
struct device *msi_table_device(const struct msi_table *table)
{
	return table->dev;
}
EXPORT_SYMBOL_GPL(msi_table_device);

/**
 * msi_table_id - The id of an MSI table, unique among the tables of its device
 * @table:	The table
 *
 * Return: The id, which is also the "-t$(ID)" suffix of the domain name.
 */
unsigned int msi_table_id(const struct msi_table *table)
{
	return table->id;
}
EXPORT_SYMBOL_GPL(msi_table_id);

/**
 * msi_table_id_of_irq - The id of the MSI table an interrupt belongs to
 * @virq:	The Linux interrupt number
 * @table_id:	Where the table id is stored
 *
 * For parent domains which describe a vector to someone else, a hypervisor
 * for instance. Callable from the parent's allocation of @virq on (the
 * leaf's domain is known then, its descriptor not yet), until its free.
 *
 * Return: true if @virq is a vector of an MSI table, false otherwise.
 */
bool msi_table_id_of_irq(unsigned int virq, unsigned int *table_id)
{
	struct irq_data *leaf = irq_get_irq_data(virq);
	struct msi_domain_info *info;
	struct msi_table *table;

	if (!leaf || !leaf->domain || !irq_domain_is_msi(leaf->domain))
		return false;
	info = msi_get_domain_info(leaf->domain);
	if (!(info->flags & MSI_FLAG_TABLE))
		return false;
	table = info->chip_data;
	*table_id = table->id;
	return true;
}

/**
 * msi_table_domain - The interrupt domain of an MSI table
 * @table:	The table
 *
 * For diagnostics and tests: the domain's name says which table an
 * interrupt belongs to.
 *
 * Return: The domain, %NULL once the table is dead.
 */
struct irq_domain *msi_table_domain(const struct msi_table *table)
{
	return table->dd.domain;
}
EXPORT_SYMBOL_GPL(msi_table_domain);

/**
 * msi_table_leaf_data - The data pointer of the table a vector belongs to
 * @data:	The leaf irq_data of a vector (the leaf chip's argument)
 *
 * For leaf irq_chip callbacks.
 *
 * Return: The @data argument of the table's constructor.
 */
void *msi_table_leaf_data(struct irq_data *data)
{
	return msi_get_domain_info(data->domain)->data;
}
EXPORT_SYMBOL_GPL(msi_table_leaf_data);
