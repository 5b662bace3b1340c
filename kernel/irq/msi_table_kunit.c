// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of MSI tables, on a fake MSI parent domain and a fake leaf
 * chip which record what the MSI core asks of them.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/kthread.h>
#include <linux/msi.h>
#include <linux/msi_table.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <trace/events/msi_table.h>

/* Brackets for the log scanner of the test harness: a WARN provoked on purpose */
#define EXPECT_WARN_BEGIN()	pr_info("msi-table-test: expect-warn begin\n")
#define EXPECT_WARN_END()	pr_info("msi-table-test: expect-warn end\n")

/* The fake MSI parent: what it was asked and how it is told to fail */
struct fake_parent {
	struct irq_domain	*domain;
	int			allocated;	/* interrupts allocated */
	int			largest_alloc;	/* most interrupts in one call */
	int			freed_active;	/* frees while any is activated */
	int			activated;	/* with a real target */
	int			reserved;	/* reservation-mode activations */
	int			affinity_calls;
	int			fail_alloc;	/* errno for the next allocations */
	int			fail_activate;	/* errno for real activations */
	int			fail_affinity;	/* errno for affinity changes */
	bool			refuse_tables;	/* init_dev_msi_info() fails */
	bool			no_reserve;	/* children cannot use reservation mode */
};

/* The fake leaf chip's record, per table (msi_domain_info::data) */
struct fake_leaf {
	int			writes;
	int			masks;
	int			masks_at_first_write;
	int			unmasks;
	struct msi_msg		last;
};

static struct fake_parent fake;

static void fake_parent_compose(struct irq_data *d, struct msi_msg *msg)
{
	const struct cpumask *eff = irq_data_get_effective_affinity_mask(d);

	msg->address_hi = 0;
	msg->address_lo = 0xfee00000 | (cpumask_first(eff) << 12);
	msg->data = d->hwirq & 0xffff;
}

static int fake_parent_set_affinity(struct irq_data *d, const struct cpumask *mask,
				    bool force)
{
	fake.affinity_calls++;
	if (fake.fail_affinity)
		return fake.fail_affinity;
	irq_data_update_effective_affinity(d, cpumask_of(cpumask_first(mask)));
	return IRQ_SET_MASK_OK;
}

static void fake_parent_noop(struct irq_data *d)
{
}

static struct irq_chip fake_parent_chip = {
	.name			= "FAKE-PARENT",
	.irq_ack		= fake_parent_noop,
	.irq_mask		= fake_parent_noop,
	.irq_unmask		= fake_parent_noop,
	.irq_compose_msi_msg	= fake_parent_compose,
	.irq_set_affinity	= fake_parent_set_affinity,
};

static void fake_parent_free(struct irq_domain *d, unsigned int virq, unsigned int nr_irqs)
{
	struct irq_data *irqd;
	unsigned int i;

	/* Interrupt remapping frees a whole block with its first entry */
	fake.freed_active += fake.activated > 0;
	for (i = 0; i < nr_irqs; i++) {
		irqd = irq_domain_get_irq_data(d, virq + i);
		kfree(irqd->chip_data);
		irq_domain_reset_irq_data(irqd);
	}
	fake.allocated -= nr_irqs;
}

static int fake_parent_alloc(struct irq_domain *d, unsigned int virq,
			     unsigned int nr_irqs, void *arg)
{
	unsigned int i;

	if (fake.fail_alloc)
		return fake.fail_alloc;
	fake.largest_alloc = max_t(int, fake.largest_alloc, nr_irqs);
	for (i = 0; i < nr_irqs; i++) {
		/* Per interrupt data, as interrupt remapping keeps for its IRTE */
		void *data = kzalloc(sizeof(u64), GFP_KERNEL);

		if (!data) {
			fake_parent_free(d, virq, i);
			return -ENOMEM;
		}
		irq_domain_set_hwirq_and_chip(d, virq + i, virq + i, &fake_parent_chip, data);
		/* Like interrupt remapping: affinity changes need no interrupt */
		irq_set_status_flags(virq + i, IRQ_MOVE_PCNTXT);
		irq_data_update_effective_affinity(irq_domain_get_irq_data(d, virq + i),
						   cpumask_of(0));
		fake.allocated++;
	}
	return 0;
}

static int fake_parent_activate(struct irq_domain *d, struct irq_data *irqd, bool reserve)
{
	if (reserve) {
		fake.reserved++;
		return 0;
	}
	if (fake.fail_activate)
		return fake.fail_activate;
	fake.activated++;
	return 0;
}

static void fake_parent_deactivate(struct irq_domain *d, struct irq_data *irqd)
{
	fake.activated--;
}

static const struct irq_domain_ops fake_parent_ops = {
	.alloc		= fake_parent_alloc,
	.free		= fake_parent_free,
	.activate	= fake_parent_activate,
	.deactivate	= fake_parent_deactivate,
};

static bool fake_init_dev_msi_info(struct device *dev, struct irq_domain *domain,
				   struct irq_domain *real_parent,
				   struct msi_domain_info *info)
{
	if (fake.refuse_tables)
		return false;

	/* What x86 does for its MSI children */
	info->flags &= real_parent->msi_parent_ops->supported_flags;
	info->flags |= MSI_FLAG_ACTIVATE_EARLY;
	if (!fake.no_reserve)
		info->flags |= MSI_FLAG_MUST_REACTIVATE;
	info->chip->irq_ack = irq_chip_ack_parent;
	info->chip->flags |= IRQCHIP_SKIP_SET_WAKE;
	info->handler = handle_edge_irq;
	info->handler_name = "edge";
	return true;
}

static const struct msi_parent_ops fake_msi_parent_ops = {
	.supported_flags	= MSI_GENERIC_FLAGS_MASK,
	.prefix			= "FAKE-",
	.init_dev_msi_info	= fake_init_dev_msi_info,
};

static struct fake_leaf *leaf_of(struct irq_data *d)
{
	return msi_table_leaf_data(d);
}

static void fake_leaf_write(struct irq_data *d, struct msi_msg *msg)
{
	struct fake_leaf *leaf = leaf_of(d);

	if (!leaf->writes)
		leaf->masks_at_first_write = leaf->masks;
	leaf->writes++;
	leaf->last = *msg;
}

static void fake_leaf_mask(struct irq_data *d)
{
	leaf_of(d)->masks++;
}

static void fake_leaf_unmask(struct irq_data *d)
{
	leaf_of(d)->unmasks++;
}

static const struct msi_domain_template fake_template = {
	.chip = {
		.name			= "KT",
		.irq_mask		= fake_leaf_mask,
		.irq_unmask		= fake_leaf_unmask,
		.irq_write_msi_msg	= fake_leaf_write,
	},
	.info = {
		.flags			= MSI_FLAG_USE_DEF_DOM_OPS | MSI_FLAG_USE_DEF_CHIP_OPS,
		.bus_token		= DOMAIN_BUS_DEVICE_MSI,
	},
};

struct msi_table_test {
	struct device		*dev;
	struct fwnode_handle	*fwnode;
	struct fake_leaf	leaf[2];
};

static int msi_table_test_init(struct kunit *test)
{
	struct msi_table_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	memset(&fake, 0, sizeof(fake));

	t->fwnode = irq_domain_alloc_named_fwnode("msi-table-kunit");
	KUNIT_ASSERT_NOT_NULL(test, t->fwnode);
	fake.domain = irq_domain_create_hierarchy(NULL, IRQ_DOMAIN_FLAG_MSI_PARENT, 0,
						  t->fwnode, &fake_parent_ops, NULL);
	KUNIT_ASSERT_NOT_NULL(test, fake.domain);
	fake.domain->msi_parent_ops = &fake_msi_parent_ops;

	t->dev = kunit_device_register(test, "msi-table-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->dev));
	dev_set_msi_domain(t->dev, fake.domain);
	test->priv = t;
	return 0;
}

static void msi_table_test_exit(struct kunit *test)
{
	struct msi_table_test *t = test->priv;

	/* The device's MSI data, and the tables' domains, go with it */
	kunit_device_unregister(test, t->dev);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	irq_domain_remove(fake.domain);
	irq_domain_free_fwnode(t->fwnode);
}

static bool str_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static struct msi_table *new_table(struct kunit *test, unsigned int hwsize, int n)
{
	struct msi_table_test *t = test->priv;
	struct msi_table *table;

	table = msi_allocate_table(t->dev, &fake_template, hwsize, &t->leaf[n]);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(table), "msi_allocate_table: %ld", PTR_ERR(table));
	return table;
}

static unsigned int table_size(struct msi_table *table)
{
	unsigned long idx;
	unsigned int n = 0;
	struct msi_desc *d;

	/* Only for the tests: peek at the table's domain through its vectors */
	for (idx = 0; idx < nr_irqs; idx++) {
		d = irq_get_msi_desc(idx);
		if (d && irq_get_irq_data(idx)->domain == msi_table_domain(table))
			n++;
	}
	return n;
}

/* A vector at a label: its interrupt, label, cookie, domain and message */
static void msi_table_test_label(struct kunit *test)
{
	struct msi_table_test *t = test->priv;
	union msi_instance_cookie cookie = { .value = 0x1234 };
	struct msi_table *table = new_table(test, 8, 0);
	struct msi_desc *v;

	v = msi_table_alloc_vector(table, 3, NULL, &cookie);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	KUNIT_EXPECT_EQ(test, v->msi_index, 3);
	KUNIT_EXPECT_GT(test, v->irq, 0);
	KUNIT_EXPECT_EQ(test, v->data.icookie.value, 0x1234);
	KUNIT_EXPECT_PTR_EQ(test, irq_get_msi_desc(v->irq), v);
	KUNIT_EXPECT_PTR_EQ(test, irq_get_irq_data(v->irq)->domain, msi_table_domain(table));
	KUNIT_EXPECT_EQ(test, irqd_to_hwirq(irq_get_irq_data(v->irq)), 3);
	KUNIT_EXPECT_EQ(test, fake.allocated, 1);
	/* Reservation mode: the message is written, no real target taken */
	KUNIT_EXPECT_EQ(test, t->leaf[0].writes, 1);
	/* The slot was masked at the leaf before its first message */
	KUNIT_EXPECT_EQ(test, t->leaf[0].masks_at_first_write, 1);
	KUNIT_EXPECT_EQ(test, fake.reserved, 1);
	KUNIT_EXPECT_EQ(test, fake.activated, 0);
	KUNIT_EXPECT_EQ(test, table_size(table), 1);

	msi_table_free_vector(table, v);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	KUNIT_EXPECT_EQ(test, table_size(table), 0);
	msi_table_free(table);
}

/* Any label: first fit, exhaustion, reuse after free */
static void msi_table_test_any(struct kunit *test)
{
	struct msi_table *table = new_table(test, 4, 0);
	struct msi_desc *v[4], *e;
	int i;

	for (i = 0; i < 4; i++) {
		v[i] = msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL, NULL, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(v[i]));
		KUNIT_EXPECT_EQ(test, v[i]->msi_index, i);
	}
	e = msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(e), -ENOSPC);

	msi_table_free_vector(table, v[1]);
	v[1] = msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v[1]));
	KUNIT_EXPECT_EQ(test, v[1]->msi_index, 1);

	for (i = 0; i < 4; i++)
		msi_table_free_vector(table, v[i]);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	msi_table_free(table);
}

/* Special vectors 0..2 at fixed labels, fungible ones in 3..5 */
static void msi_table_test_range(struct kunit *test)
{
	struct msi_table *table = new_table(test, 6, 0);
	struct msi_desc *special[3], *q[3], *e;
	int i;

	for (i = 0; i < 3; i++) {
		special[i] = msi_table_alloc_vector(table, i, NULL, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(special[i]));
	}
	for (i = 0; i < 3; i++) {
		q[i] = msi_table_alloc_vector_range(table, 3, 5, NULL, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(q[i]));
		KUNIT_EXPECT_EQ(test, q[i]->msi_index, 3 + i);
	}
	e = msi_table_alloc_vector_range(table, 3, 5, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(e), -ENOSPC);
	/* A one-label range which is taken is full, not busy */
	e = msi_table_alloc_vector_range(table, 1, 1, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(e), -ENOSPC);

	msi_table_free_vector(table, q[1]);
	q[1] = msi_table_alloc_vector_range(table, 3, 5, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(q[1]));
	KUNIT_EXPECT_EQ(test, q[1]->msi_index, 4);

	for (i = 0; i < 3; i++) {
		msi_table_free_vector(table, special[i]);
		msi_table_free_vector(table, q[i]);
	}
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	msi_table_free(table);
}

struct alloc_error_case {
	const char	*name;
	unsigned int	label;		/* or UINT_MAX - 1 for a range */
	unsigned int	lo, hi;
	int		err;
};

static const struct alloc_error_case alloc_error_cases[] = {
	{ "label beyond the table",	8,		0, 0,		-ERANGE },
	{ "label far beyond",		65535,		0, 0,		-ERANGE },
	{ "label in use",		2,		0, 0,		-EBUSY },
	{ "inverted range",		UINT_MAX - 1,	5, 4,		-EINVAL },
	{ "range beyond the table",	UINT_MAX - 1,	4, 8,		-ERANGE },
	{ "range to UINT_MAX",		UINT_MAX - 1,	0, UINT_MAX,	-ERANGE },
	{ "range in use",		UINT_MAX - 1,	2, 2,		-ENOSPC },
};

static void alloc_error_desc(const struct alloc_error_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(alloc_error, alloc_error_cases, alloc_error_desc);

/* Every bad allocation fails with its errno and changes nothing */
static void msi_table_test_alloc_errors(struct kunit *test)
{
	const struct alloc_error_case *c = test->param_value;
	struct msi_table_test *t = test->priv;
	struct msi_table *table = new_table(test, 8, 0);
	struct msi_desc *busy, *v;
	int writes;

	busy = msi_table_alloc_vector(table, 2, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(busy));
	writes = t->leaf[0].writes;

	if (c->label == UINT_MAX - 1)
		v = msi_table_alloc_vector_range(table, c->lo, c->hi, NULL, NULL);
	else
		v = msi_table_alloc_vector(table, c->label, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(v), c->err);

	KUNIT_EXPECT_EQ(test, fake.allocated, 1);
	KUNIT_EXPECT_EQ(test, t->leaf[0].writes, writes);
	KUNIT_EXPECT_EQ(test, table_size(table), 1);
	msi_table_free_vector(table, busy);
	msi_table_free(table);
}

static void msi_table_test_bad_tables(struct kunit *test)
{
	struct msi_table_test *t = test->priv;
	struct msi_domain_template tmpl = fake_template;
	struct msi_table *table;
	struct device *nomsi;

	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_table_alloc_vector(NULL, 0, NULL, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_table_alloc_vector_range(NULL, 0, 1, NULL, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(NULL, &fake_template, 8, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(t->dev, NULL, 8, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(t->dev, &fake_template, 0, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(t->dev, &fake_template,
							 MSI_MAX_INDEX + 2, NULL)), -EINVAL);
	tmpl.info.flags |= MSI_FLAG_ALLOC_SIMPLE_MSI_DESCS;
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(t->dev, &tmpl, 8, NULL)), -EINVAL);
	/* The core's chip ops mask and unmask through the leaf */
	tmpl = fake_template;
	tmpl.chip.irq_unmask = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(t->dev, &tmpl, 8, NULL)), -EINVAL);
	/* Several tables of a device cannot all be its firmware node */
	tmpl = fake_template;
	tmpl.info.flags |= MSI_FLAG_USE_DEV_FWNODE;
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(t->dev, &tmpl, 8, NULL)), -EINVAL);

	/* Device MSI only: the PCI core's kinds of store are its constructors' */
	tmpl = fake_template;
	tmpl.info.bus_token = DOMAIN_BUS_PCI_DEVICE_MSIX;
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(t->dev, &tmpl, 8, NULL)), -EINVAL);
	tmpl.info.bus_token = DOMAIN_BUS_PCI_DEVICE_MSI;
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(t->dev, &tmpl, 8, NULL)), -EINVAL);
	tmpl.info.bus_token = DOMAIN_BUS_WIRED_TO_MSI;
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(t->dev, &tmpl, 8, NULL)), -EINVAL);

	/* A device without an MSI parent domain, and a parent that refuses */
	nomsi = kunit_device_register(test, "msi-table-kunit-nomsi");
	KUNIT_ASSERT_FALSE(test, IS_ERR(nomsi));
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(nomsi, &fake_template, 8, NULL)),
			-EOPNOTSUPP);
	fake.refuse_tables = true;
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_allocate_table(t->dev, &fake_template, 8, NULL)),
			-EOPNOTSUPP);
	fake.refuse_tables = false;

	/* The failed attempts left no table id taken */
	table = new_table(test, 8, 0);
	KUNIT_EXPECT_EQ(test, msi_table_id(table), 0);
	msi_table_free(table);
}

/* Several tables on one device: own domains, names and labels */
static void msi_table_test_two_tables(struct kunit *test)
{
	struct msi_table_test *t = test->priv;
	struct msi_table *a = new_table(test, 4, 0), *b = new_table(test, 4, 1);
	struct msi_desc *va, *vb;

	KUNIT_EXPECT_NE(test, msi_table_id(a), msi_table_id(b));
	KUNIT_EXPECT_PTR_NE(test, msi_table_domain(a), msi_table_domain(b));
	KUNIT_EXPECT_STRNEQ(test, msi_table_domain(a)->name, msi_table_domain(b)->name);

	va = msi_table_alloc_vector(a, 1, NULL, NULL);
	vb = msi_table_alloc_vector(b, 1, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(va));
	KUNIT_ASSERT_FALSE(test, IS_ERR(vb));
	/* The chip names say which table, however long the device name is */
	KUNIT_EXPECT_TRUE(test, str_has_suffix(irq_get_chip(va->irq)->name, "-t0"));
	KUNIT_EXPECT_TRUE(test, str_has_suffix(irq_get_chip(vb->irq)->name, "-t1"));
	KUNIT_EXPECT_EQ(test, strncmp(irq_get_chip(va->irq)->name, "FAKE-KT-", 8), 0);
	KUNIT_EXPECT_NE(test, va->irq, vb->irq);
	KUNIT_EXPECT_EQ(test, t->leaf[0].writes, 1);
	KUNIT_EXPECT_EQ(test, t->leaf[1].writes, 1);

	/* A vector of the other table, at a label in use here too: no change */
	EXPECT_WARN_BEGIN();
	msi_table_free_vector(a, vb);
	EXPECT_WARN_END();
	KUNIT_EXPECT_PTR_EQ(test, irq_get_msi_desc(vb->irq), vb);
	KUNIT_EXPECT_PTR_EQ(test, irq_get_msi_desc(va->irq), va);
	KUNIT_EXPECT_EQ(test, fake.allocated, 2);
	msi_table_free_vector(b, vb);
	KUNIT_EXPECT_EQ(test, fake.allocated, 1);

	msi_table_free_vector(a, va);
	msi_table_free(b);
	msi_table_free(a);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
}

/* The parent's errors reach the caller as they are; nothing is left */
static void msi_table_test_parent_alloc_fails(struct kunit *test)
{
	struct msi_table *table = new_table(test, 4, 0);
	struct msi_desc *v;

	fake.fail_alloc = -EIO;
	v = msi_table_alloc_vector(table, 1, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(v), -EIO);
	v = msi_table_alloc_vector_range(table, 0, 3, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(v), -EIO);
	fake.fail_alloc = 0;
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	KUNIT_EXPECT_EQ(test, table_size(table), 0);

	/* Label 1 is free again */
	v = msi_table_alloc_vector(table, 1, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	msi_table_free_vector(table, v);
	msi_table_free(table);
}

static irqreturn_t test_handler(int irq, void *data)
{
	return IRQ_HANDLED;
}

/* Activation happens at request_irq(); its failure reaches the caller */
static void msi_table_test_activation(struct kunit *test)
{
	struct msi_table_test *t = test->priv;
	struct msi_table *table = new_table(test, 4, 0);
	struct msi_desc *v;
	int masks, unmasks;

	v = msi_table_alloc_vector(table, 0, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));

	fake.fail_activate = -ENOSPC;
	KUNIT_EXPECT_EQ(test, request_irq(v->irq, test_handler, 0, "msi-table-kunit", NULL),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, fake.activated, 0);

	fake.fail_activate = 0;
	unmasks = t->leaf[0].unmasks;
	KUNIT_ASSERT_EQ(test, request_irq(v->irq, test_handler, 0, "msi-table-kunit", NULL), 0);
	KUNIT_EXPECT_EQ(test, fake.activated, 1);
	/* A requested vector is not freed under its handler */
	EXPECT_WARN_BEGIN();
	msi_table_free_vector(table, v);
	EXPECT_WARN_END();
	KUNIT_EXPECT_EQ(test, fake.allocated, 1);
	KUNIT_EXPECT_PTR_EQ(test, irq_get_msi_desc(v->irq), v);
	/* Startup unmasks the vector at the leaf, shutdown masks it again */
	KUNIT_EXPECT_GT(test, t->leaf[0].unmasks, unmasks);
	masks = t->leaf[0].masks;
	free_irq(v->irq, NULL);
	KUNIT_EXPECT_GT(test, t->leaf[0].masks, masks);
	KUNIT_EXPECT_EQ(test, fake.activated, 0);

	msi_table_free_vector(table, v);
	msi_table_free(table);
}

/* An affinity change reaches the parent; a refused one keeps the old one */
static void msi_table_test_affinity(struct kunit *test)
{
	struct msi_table_test *t = test->priv;
	struct msi_table *table = new_table(test, 4, 0);
	struct irq_data *d;
	struct msi_desc *v;
	int calls, writes;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");

	v = msi_table_alloc_vector(table, 0, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	KUNIT_ASSERT_EQ(test, request_irq(v->irq, test_handler, 0, "msi-table-kunit", NULL), 0);
	d = irq_get_irq_data(v->irq);

	calls = fake.affinity_calls;
	writes = t->leaf[0].writes;
	KUNIT_EXPECT_EQ(test, irq_set_affinity(v->irq, cpumask_of(1)), 0);
	KUNIT_EXPECT_GT(test, fake.affinity_calls, calls);
	KUNIT_EXPECT_EQ(test, cpumask_first(irq_data_get_effective_affinity_mask(d)), 1);
	/* The new target reached the leaf in a rewritten message */
	KUNIT_EXPECT_GT(test, t->leaf[0].writes, writes);
	KUNIT_EXPECT_EQ(test, t->leaf[0].last.address_lo, 0xfee00000 | (1 << 12));

	fake.fail_affinity = -EINVAL;
	writes = t->leaf[0].writes;
	KUNIT_EXPECT_EQ(test, irq_set_affinity(v->irq, cpumask_of(0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, cpumask_first(irq_data_get_effective_affinity_mask(d)), 1);
	KUNIT_EXPECT_TRUE(test, cpumask_equal(irq_data_get_affinity_mask(d), cpumask_of(1)));
	KUNIT_EXPECT_EQ(test, t->leaf[0].writes, writes);
	fake.fail_affinity = 0;

	free_irq(v->irq, NULL);
	msi_table_free_vector(table, v);
	msi_table_free(table);
}

/* Managed affinity: the descriptor's mask and flag reach the interrupt */
static void msi_table_test_managed(struct kunit *test)
{
	struct irq_affinity_desc aff = { .is_managed = 1 };
	struct msi_table *table = new_table(test, 4, 0);
	struct irq_data *d;
	struct msi_desc *v;

	if (num_possible_cpus() < 2)
		kunit_skip(test, "needs two possible CPUs");

	cpumask_copy(&aff.mask, cpumask_of(1));
	v = msi_table_alloc_vector(table, 2, &aff, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	d = irq_get_irq_data(v->irq);
	KUNIT_EXPECT_TRUE(test, irqd_affinity_is_managed(d));
	KUNIT_EXPECT_TRUE(test, cpumask_equal(irq_data_get_affinity_mask(d), cpumask_of(1)));
	KUNIT_EXPECT_TRUE(test, cpumask_equal(&v->affinity->mask, cpumask_of(1)));
	msi_table_free_vector(table, v);

	/* Without a descriptor the interrupt is not managed */
	v = msi_table_alloc_vector(table, 2, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	KUNIT_EXPECT_FALSE(test, irqd_affinity_is_managed(irq_get_irq_data(v->irq)));
	msi_table_free_vector(table, v);
	msi_table_free(table);
}

struct churn {
	struct msi_table	*table;
	struct completion	done;
	atomic_t		*errors;
	unsigned int		lo, hi;
};

/* Allocate up to eight vectors of a range, free them, over and over */
static int churn_thread(void *arg)
{
	struct churn *c = arg;
	struct msi_desc *v[8];
	int round, i, n;

	for (round = 0; round < 100; round++) {
		for (n = 0; n < 8; n++) {
			v[n] = msi_table_alloc_vector_range(c->table, c->lo, c->hi, NULL, NULL);
			if (IS_ERR(v[n]) || v[n]->msi_index < c->lo || v[n]->msi_index > c->hi) {
				atomic_inc(c->errors);
				break;
			}
		}
		for (i = 0; i < n; i++)
			msi_table_free_vector(c->table, v[i]);
		cond_resched();
	}
	complete(&c->done);
	return 0;
}

/* Concurrent allocation and free on one table, and on two tables */
static void msi_table_test_concurrent(struct kunit *test)
{
	struct msi_table *tables[2] = { new_table(test, 64, 0), new_table(test, 64, 1) };
	atomic_t errors = ATOMIC_INIT(0);
	struct task_struct *task;
	struct churn c[6];
	int i;

	for (i = 0; i < 6; i++) {
		/* Four threads share table 0 (two per range), two share table 1 */
		c[i].table = tables[i < 4 ? 0 : 1];
		c[i].lo = (i % 2) * 32;
		c[i].hi = c[i].lo + 31;
		c[i].errors = &errors;
		init_completion(&c[i].done);
		task = kthread_run(churn_thread, &c[i], "msi-table-churn/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < 6; i++)
		wait_for_completion(&c[i].done);

	KUNIT_EXPECT_EQ(test, atomic_read(&errors), 0);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	KUNIT_EXPECT_EQ(test, table_size(tables[0]), 0);
	KUNIT_EXPECT_EQ(test, table_size(tables[1]), 0);
	msi_table_free(tables[0]);
	msi_table_free(tables[1]);
}

struct trace_vector {
	int			count;
	unsigned int		label, irq;
};

struct trace_record {
	int			creates, frees;
	unsigned int		id, hwsize, leaked;
	struct trace_vector	alloc, free;
};

static void probe_create(void *data, struct device *dev, unsigned int id,
			 unsigned int hwsize, const char *domain)
{
	struct trace_record *r = data;

	r->creates++;
	r->id = id;
	r->hwsize = hwsize;
}

static void probe_free(void *data, struct device *dev, unsigned int id, unsigned int leaked)
{
	struct trace_record *r = data;

	r->frees++;
	r->leaked = leaked;
}

/* Both vector events, each with its own record */
static void probe_vector(void *data, struct device *dev, unsigned int id,
			 unsigned int label, unsigned int irq)
{
	struct trace_vector *r = data;

	r->count++;
	r->label = label;
	r->irq = irq;
}

/* The tracepoints report table and vector lifecycles, and only successes */
static void msi_table_test_tracepoints(struct kunit *test)
{
	struct trace_record *r;
	struct msi_table *table;
	struct msi_desc *v;

	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "needs CONFIG_TRACEPOINTS");

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, register_trace_msi_table_create(probe_create, r), 0);
	KUNIT_ASSERT_EQ(test, register_trace_msi_table_free(probe_free, r), 0);
	KUNIT_ASSERT_EQ(test, register_trace_msi_table_vector_alloc(probe_vector, &r->alloc), 0);
	KUNIT_ASSERT_EQ(test, register_trace_msi_table_vector_free(probe_vector, &r->free), 0);

	table = new_table(test, 16, 0);
	KUNIT_EXPECT_EQ(test, r->creates, 1);
	KUNIT_EXPECT_EQ(test, r->id, msi_table_id(table));
	KUNIT_EXPECT_EQ(test, r->hwsize, 16);

	v = msi_table_alloc_vector(table, 5, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	KUNIT_EXPECT_EQ(test, r->alloc.count, 1);
	KUNIT_EXPECT_EQ(test, r->alloc.label, 5);
	KUNIT_EXPECT_EQ(test, r->alloc.irq, v->irq);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_table_alloc_vector(table, 5, NULL, NULL)), -EBUSY);
	KUNIT_EXPECT_EQ(test, r->alloc.count, 1);

	msi_table_free_vector(table, v);
	KUNIT_EXPECT_EQ(test, r->free.count, 1);
	KUNIT_EXPECT_EQ(test, r->free.label, 5);
	KUNIT_EXPECT_EQ(test, r->free.irq, r->alloc.irq);
	msi_table_free(table);
	KUNIT_EXPECT_EQ(test, r->frees, 1);
	KUNIT_EXPECT_EQ(test, r->leaked, 0);

	unregister_trace_msi_table_create(probe_create, r);
	unregister_trace_msi_table_free(probe_free, r);
	unregister_trace_msi_table_vector_alloc(probe_vector, &r->alloc);
	unregister_trace_msi_table_vector_free(probe_vector, &r->free);
	tracepoint_synchronize_unregister();
}

/* A table freed with vectors left: they go, with a warning */
static void msi_table_test_leak(struct kunit *test)
{
	struct msi_table *table = new_table(test, 4, 0);
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_FALSE(test, IS_ERR(msi_table_alloc_vector(table, i, NULL, NULL)));
	KUNIT_EXPECT_EQ(test, fake.allocated, 3);
	EXPECT_WARN_BEGIN();
	msi_table_free(table);
	EXPECT_WARN_END();
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
}

/* A table the driver did not free dies with the device's MSI data */
static void msi_table_test_device_gone(struct kunit *test)
{
	struct msi_table_test *t = test->priv;
	struct msi_table *table;
	struct device *dev;
	struct msi_desc *v;

	dev = kunit_device_register(test, "msi-table-kunit-gone");
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	dev_set_msi_domain(dev, fake.domain);
	table = msi_allocate_table(dev, &fake_template, 4, &t->leaf[0]);
	KUNIT_ASSERT_FALSE(test, IS_ERR(table));

	v = msi_table_alloc_vector(table, 0, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	/*
	 * Quietly: a driver's devres action registered before the device's
	 * MSI data may free the vector and the table after the data went.
	 */
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	KUNIT_EXPECT_NULL(test, msi_table_domain(table));
	/* Not dereferenced: the table is dead */
	msi_table_free_vector(table, v);

	v = msi_table_alloc_vector(table, 1, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(v), -EINVAL);
	msi_table_free(table);
}

/*
 * A managed table freed early by msi_table_free(): its devres action goes
 * with it, so the device's release (the test's exit) frees nothing twice;
 * a second free would be a use after free, which KASAN reports (make debug).
 */
static void msi_table_test_devm_early_free(struct kunit *test)
{
	struct msi_table_test *t = test->priv;
	struct msi_table *table;
	struct msi_desc *v;

	table = devm_msi_allocate_table(t->dev, &fake_template, 4, &t->leaf[0]);
	KUNIT_ASSERT_FALSE(test, IS_ERR(table));
	v = msi_table_alloc_vector(table, 2, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	msi_table_free_vector(table, v);
	msi_table_free(table);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);

	/* And one left to devres: freed at the device's release */
	table = devm_msi_allocate_table(t->dev, &fake_template, 4, &t->leaf[1]);
	KUNIT_ASSERT_FALSE(test, IS_ERR(table));
}

/* A populated table: every vector allocated up front, then handed out */
static void msi_table_test_populated(struct kunit *test)
{
	struct irq_affinity_desc affd = { .mask = CPU_MASK_CPU0 };
	union msi_instance_cookie cookie = { .value = 1 };
	struct msi_table *table = new_table(test, 4, 0);
	struct msi_desc *v[4], *e;
	int i;

	KUNIT_ASSERT_EQ(test, msi_table_populate(table), 0);
	KUNIT_EXPECT_EQ(test, fake.allocated, 4);
	/* One block from the parent, as PCI multi-MSI needs */
	KUNIT_EXPECT_EQ(test, fake.largest_alloc, 4);
	KUNIT_EXPECT_EQ(test, table_size(table), 4);
	KUNIT_EXPECT_EQ(test, msi_table_populate(table), -EINVAL);

	v[2] = msi_table_alloc_vector(table, 2, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v[2]));
	KUNIT_EXPECT_EQ(test, v[2]->msi_index, 2);
	KUNIT_EXPECT_GT(test, v[2]->irq, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_table_alloc_vector(table, 2, NULL, NULL)), -EBUSY);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_table_alloc_vector(table, 4, NULL, NULL)), -ERANGE);
	/* The vectors' affinity and cookie were fixed at population */
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_table_alloc_vector(table, 0, NULL, &cookie)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_table_alloc_vector_range(table, 0, 1, &affd, NULL)),
			-EINVAL);
	v[0] = msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v[0]));
	KUNIT_EXPECT_EQ(test, v[0]->msi_index, 0);
	v[3] = msi_table_alloc_vector_range(table, 2, 3, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v[3]));
	KUNIT_EXPECT_EQ(test, v[3]->msi_index, 3);
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_table_alloc_vector_range(table, 2, 3, NULL, NULL)),
			-ENOSPC);
	v[1] = msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v[1]));
	e = msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(e), -ENOSPC);
	/* A vector per label; label n's interrupt is label 0's + n */
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, v[i]->msi_index, i);
		KUNIT_EXPECT_EQ(test, v[i]->nvec_used, 1);
		KUNIT_EXPECT_EQ(test, v[i]->irq, v[0]->irq + i);
		KUNIT_EXPECT_PTR_EQ(test, irq_get_msi_desc(v[i]->irq), v[i]);
	}

	/* Given back, not freed: the same vector comes out again */
	msi_table_free_vector(table, v[2]);
	KUNIT_EXPECT_EQ(test, fake.allocated, 4);
	e = msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL, NULL, NULL);
	KUNIT_EXPECT_PTR_EQ(test, e, v[2]);

	for (i = 0; i < 4; i++)
		msi_table_free_vector(table, v[i]);
	EXPECT_WARN_BEGIN();
	msi_table_free_vector(table, v[1]);
	EXPECT_WARN_END();
	/* Nothing held: freeing the table frees the block without a warning */
	msi_table_free(table);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
}

/*
 * A block goes back to the parent only after every vector of it is
 * deactivated: interrupt remapping releases the whole block with its first
 * entry, and a vector deactivated after that would clear entries which may
 * be someone else's by then.
 */
static void msi_table_test_block_free(struct kunit *test)
{
	struct msi_table *table = new_table(test, 4, 0);
	struct msi_desc *v[4];
	int i;

	KUNIT_ASSERT_EQ(test, msi_table_populate(table), 0);
	for (i = 0; i < 4; i++) {
		v[i] = msi_table_alloc_vector(table, i, NULL, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(v[i]));
		KUNIT_ASSERT_EQ(test, request_irq(v[i]->irq, test_handler, 0, "msi-table-kunit",
						  NULL), 0);
	}
	KUNIT_EXPECT_EQ(test, fake.activated, 4);
	for (i = 0; i < 4; i++) {
		free_irq(v[i]->irq, NULL);
		msi_table_free_vector(table, v[i]);
	}
	msi_table_free(table);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	KUNIT_EXPECT_EQ(test, fake.freed_active, 0);

	/*
	 * Without reservation mode (no mask bits, like QEMU's xHCI) every
	 * vector is activated at population, and stays so when the table goes
	 * without them being requested: all are deactivated before the block
	 * is freed, as one.
	 */
	fake.no_reserve = true;
	table = new_table(test, 4, 0);
	KUNIT_ASSERT_EQ(test, msi_table_populate(table), 0);
	KUNIT_EXPECT_EQ(test, fake.activated, 4);
	msi_table_free(table);
	KUNIT_EXPECT_EQ(test, fake.activated, 0);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	KUNIT_EXPECT_EQ(test, fake.freed_active, 0);

	/* The same when the population fails after the block was allocated */
	fake.fail_activate = -ENOSPC;
	table = new_table(test, 4, 0);
	KUNIT_EXPECT_EQ(test, msi_table_populate(table), -ENOSPC);
	fake.fail_activate = 0;
	KUNIT_EXPECT_EQ(test, fake.activated, 0);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	KUNIT_EXPECT_EQ(test, fake.freed_active, 0);
	msi_table_free(table);
}

/* Only a fresh table can be populated */
static void msi_table_test_populate_busy(struct kunit *test)
{
	struct msi_table *table = new_table(test, 4, 0);
	struct msi_desc *v;

	v = msi_table_alloc_vector(table, 1, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	KUNIT_EXPECT_EQ(test, msi_table_populate(table), -EINVAL);
	KUNIT_EXPECT_EQ(test, fake.allocated, 1);
	msi_table_free_vector(table, v);

	/* A failing parent leaves nothing allocated */
	fake.fail_alloc = -ENOSPC;
	KUNIT_EXPECT_EQ(test, msi_table_populate(table), -ENOSPC);
	fake.fail_alloc = 0;
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	KUNIT_EXPECT_EQ(test, table_size(table), 0);
	KUNIT_EXPECT_EQ(test, msi_table_populate(table), 0);
	msi_table_free(table);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
}

/* A large table: every label once, then all free again */
static void msi_table_test_10000(struct kunit *test)
{
	struct msi_table *table = new_table(test, 10000, 0);
	struct msi_desc **v;
	int i;

	v = kunit_kcalloc(test, 10000, sizeof(*v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	for (i = 0; i < 10000; i++) {
		v[i] = msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL, NULL, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(v[i]));
		KUNIT_ASSERT_EQ(test, v[i]->msi_index, i);
		cond_resched();
	}
	KUNIT_EXPECT_EQ(test, PTR_ERR(msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL,
							     NULL, NULL)), -ENOSPC);
	KUNIT_EXPECT_EQ(test, fake.allocated, 10000);
	for (i = 0; i < 10000; i++) {
		msi_table_free_vector(table, v[i]);
		cond_resched();
	}
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	msi_table_free(table);
}

#ifdef CONFIG_FAILSLAB
/*
 * Fault injection: fail the n-th failslab fault point (fail_nth) met by
 * msi_allocate_table() or msi_table_alloc_vector(), for n = 1, 2, ... until
 * the call gets through without meeting the n-th one. Every failure must
 * return -ENOMEM and leave no trace: the irq descriptors, the table's
 * vectors, the parent's allocations, the table ids and the interrupt
 * domains are back where they were.
 *
 * failslab spares sleeping allocations unless the kernel was booted with
 * failslab.ignore_gfp_wait=N (or its debugfs knob is off); the cases skip
 * otherwise, saying so.
 */
static bool fault_reaches_gfp_kernel(void)
{
	void *p;

	current->fail_nth = 1;
	p = kmalloc(8, GFP_KERNEL);
	current->fail_nth = 0;
	kfree(p);
	return !p;
}

static void fault_require(struct kunit *test)
{
	if (!fault_reaches_gfp_kernel())
		kunit_skip(test, "failslab spares GFP_KERNEL: boot with %s",
			   "failslab.ignore_gfp_wait=N");
}

static unsigned int count_irq_descs(void)
{
	unsigned int irq, n = 0;

	for (irq = 0; irq < nr_irqs; irq++)
		n += !!irq_to_desc(irq);
	return n;
}

/* What a failed call must leave unchanged */
struct fault_state {
	unsigned int	descs;
	unsigned int	vectors;
	int		parent;
};

static void fault_snapshot(struct fault_state *s, struct msi_table *table)
{
	s->descs = count_irq_descs();
	s->vectors = table ? table_size(table) : 0;
	s->parent = fake.allocated;
}

/* Fail the @n-th fault point this task meets from now on */
static void fault_arm(unsigned int n)
{
	current->fail_nth = n;
}

/* Disarm; a nonzero result means the armed fault point was not reached */
static unsigned int fault_disarm(void)
{
	unsigned int left = current->fail_nth;

	current->fail_nth = 0;
	return left;
}

static void fault_expect_clean(struct kunit *test, unsigned int n, long err,
			       const struct fault_state *before, struct msi_table *table)
{
	struct fault_state after;

	fault_snapshot(&after, table);
	KUNIT_EXPECT_EQ_MSG(test, err, -ENOMEM, "fault point %u", n);
	KUNIT_EXPECT_EQ_MSG(test, after.descs, before->descs, "fault point %u: irq descriptors", n);
	KUNIT_EXPECT_EQ_MSG(test, after.vectors, before->vectors, "fault point %u: vectors", n);
	KUNIT_EXPECT_EQ_MSG(test, after.parent, before->parent, "fault point %u: parent", n);
}

/* Fault points beyond this many mean the loop does not end */
#define FAULT_MAX_POINTS	500

static void fault_alloc_vector(struct kunit *test, unsigned int label)
{
	struct irq_affinity_desc aff = { .is_managed = 1 };
	union msi_instance_cookie cookie = { .value = 7 };
	unsigned int n, left, failed = 0;
	struct fault_state before;
	struct msi_desc *keep, *v;
	struct msi_table *table;

	fault_require(test);
	table = new_table(test, 8, 0);
	cpumask_copy(&aff.mask, cpumask_of(0));
	/* A live vector beside the one that fails */
	keep = msi_table_alloc_vector(table, 0, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(keep));

	for (n = 1; n <= FAULT_MAX_POINTS; n++) {
		fault_snapshot(&before, table);
		fault_arm(n);
		v = label == MSI_TABLE_ANY_LABEL ?
			msi_table_alloc_vector_range(table, 4, 7, &aff, &cookie) :
			msi_table_alloc_vector(table, label, &aff, &cookie);
		left = fault_disarm();
		if (IS_ERR(v)) {
			fault_expect_clean(test, n, PTR_ERR(v), &before, table);
			failed++;
			continue;
		}
		/* A fault which the path tolerates (a debugfs file) */
		msi_table_free_vector(table, v);
		KUNIT_EXPECT_EQ(test, table_size(table), before.vectors);
		if (left)
			break;
	}
	KUNIT_EXPECT_LE_MSG(test, n, FAULT_MAX_POINTS, "the fault loop did not end");
	KUNIT_EXPECT_GT(test, failed, 0);
	kunit_info(test, "%u fault points, %u failed the allocation cleanly\n", n - 1, failed);

	/* The label is free and the vector as asked */
	v = label == MSI_TABLE_ANY_LABEL ?
		msi_table_alloc_vector_range(table, 4, 7, &aff, &cookie) :
		msi_table_alloc_vector(table, label, &aff, &cookie);
	KUNIT_ASSERT_FALSE(test, IS_ERR(v));
	KUNIT_EXPECT_EQ(test, v->msi_index, label == MSI_TABLE_ANY_LABEL ? 4 : label);
	KUNIT_EXPECT_EQ(test, v->data.icookie.value, 7);
	msi_table_free_vector(table, v);
	msi_table_free_vector(table, keep);
	msi_table_free(table);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
}

static void msi_table_fault_alloc_label(struct kunit *test)
{
	fault_alloc_vector(test, 5);
}

static void msi_table_fault_alloc_range(struct kunit *test)
{
	fault_alloc_vector(test, MSI_TABLE_ANY_LABEL);
}

/* Whether the domain debugfs has an entry @name (GENERIC_IRQ_DEBUGFS) */
static bool irq_domain_debugfs_has(const char *name)
{
	struct dentry *irq, *domains, *d = NULL;

	irq = debugfs_lookup("irq", NULL);
	domains = debugfs_lookup("domains", irq);
	if (domains)
		d = debugfs_lookup(name, domains);
	dput(d);
	dput(domains);
	dput(irq);
	return d;
}

/*
 * msi_allocate_table() on a device with no MSI data yet (@fresh) or with a
 * table already: the failures leave no table id behind (the device's MSI
 * data may stay: it is the device's, freed with it, as for the per device
 * domains), and no interrupt domain: a leaked one would carry the name of the table
 * which finally gets through (the same id), and outlive it in debugfs,
 * with or without the bus token suffix irq_domain_update_bus_token() adds.
 */
static void fault_allocate_table(struct kunit *test, bool fresh)
{
	struct msi_table_test *t = test->priv;
	unsigned int n, left, failed = 0, id = fresh ? 0 : 1;
	struct msi_table *first = NULL, *table;
	struct fault_state before;
	char name[64], base[64];
	char *suffix;

	fault_require(test);
	KUNIT_ASSERT_TRUE(test, IS_ENABLED(CONFIG_GENERIC_IRQ_DEBUGFS));
	if (!fresh)
		first = new_table(test, 4, 1);

	for (n = 1; n <= FAULT_MAX_POINTS; n++) {
		fault_snapshot(&before, NULL);
		fault_arm(n);
		table = msi_allocate_table(t->dev, &fake_template, 8, &t->leaf[0]);
		left = fault_disarm();
		if (IS_ERR(table)) {
			fault_expect_clean(test, n, PTR_ERR(table), &before, NULL);
			failed++;
			continue;
		}
		/* Every id was given back */
		KUNIT_EXPECT_EQ_MSG(test, msi_table_id(table), id, "fault point %u", n);
		msi_table_free(table);
		if (left)
			break;
	}
	KUNIT_EXPECT_LE_MSG(test, n, FAULT_MAX_POINTS, "the fault loop did not end");
	KUNIT_EXPECT_GT(test, failed, 0);
	kunit_info(test, "%u fault points, %u failed the creation cleanly\n", n - 1, failed);

	/* Without faults: the same id, its domain in debugfs, then gone */
	table = new_table(test, 8, 0);
	KUNIT_EXPECT_EQ(test, msi_table_id(table), id);
	strscpy(name, msi_table_domain(table)->name, sizeof(name));
	strscpy(base, name, sizeof(base));
	suffix = strrchr(base, '-');
	KUNIT_ASSERT_NOT_NULL(test, suffix);
	*suffix = '\0';
	KUNIT_EXPECT_TRUE(test, irq_domain_debugfs_has(name));
	msi_table_free(table);
	KUNIT_EXPECT_FALSE_MSG(test, irq_domain_debugfs_has(name), "leaked domain %s", name);
	KUNIT_EXPECT_FALSE_MSG(test, irq_domain_debugfs_has(base), "leaked domain %s", base);
	msi_table_free(first);
}

static void msi_table_fault_allocate_first(struct kunit *test)
{
	fault_allocate_table(test, true);
}

static void msi_table_fault_allocate_second(struct kunit *test)
{
	fault_allocate_table(test, false);
}

/*
 * A block (msi_table_populate()) fails at any of its allocations with
 * nothing left: no descriptor, interrupt or parent allocation, and the
 * table can be populated afterwards.
 */
static void msi_table_fault_populate(struct kunit *test)
{
	unsigned int n, left, failed = 0;
	struct fault_state before;
	struct msi_table *table;
	int ret;

	fault_require(test);
	table = new_table(test, 8, 0);
	for (n = 1; n <= FAULT_MAX_POINTS; n++) {
		fault_snapshot(&before, table);
		fault_arm(n);
		ret = msi_table_populate(table);
		left = fault_disarm();
		if (ret) {
			fault_expect_clean(test, n, ret, &before, table);
			failed++;
			continue;
		}
		KUNIT_EXPECT_EQ(test, table_size(table), 8);
		KUNIT_EXPECT_EQ(test, fake.largest_alloc, 8);
		msi_table_free(table);
		KUNIT_EXPECT_EQ(test, fake.allocated, 0);
		if (left)
			break;
		/* A fault which the path tolerates: again on a fresh table */
		table = new_table(test, 8, 0);
	}
	KUNIT_EXPECT_LE_MSG(test, n, FAULT_MAX_POINTS, "the fault loop did not end");
	KUNIT_EXPECT_GT(test, failed, 0);
	kunit_info(test, "%u fault points, %u failed the block cleanly\n", n - 1, failed);
}
#endif /* CONFIG_FAILSLAB */

static struct kunit_case msi_table_test_cases[] = {
	KUNIT_CASE(msi_table_test_label),
	KUNIT_CASE(msi_table_test_any),
	KUNIT_CASE(msi_table_test_range),
	KUNIT_CASE_PARAM(msi_table_test_alloc_errors, alloc_error_gen_params),
	KUNIT_CASE(msi_table_test_bad_tables),
	KUNIT_CASE(msi_table_test_two_tables),
	KUNIT_CASE(msi_table_test_parent_alloc_fails),
	KUNIT_CASE(msi_table_test_activation),
	KUNIT_CASE(msi_table_test_affinity),
	KUNIT_CASE(msi_table_test_managed),
	KUNIT_CASE(msi_table_test_concurrent),
	KUNIT_CASE(msi_table_test_tracepoints),
	KUNIT_CASE(msi_table_test_leak),
	KUNIT_CASE(msi_table_test_device_gone),
	KUNIT_CASE(msi_table_test_devm_early_free),
	KUNIT_CASE(msi_table_test_populated),
	KUNIT_CASE(msi_table_test_populate_busy),
	KUNIT_CASE(msi_table_test_block_free),
	KUNIT_CASE_SLOW(msi_table_test_10000),
#ifdef CONFIG_FAILSLAB
	KUNIT_CASE_SLOW(msi_table_fault_alloc_label),
	KUNIT_CASE_SLOW(msi_table_fault_alloc_range),
	KUNIT_CASE_SLOW(msi_table_fault_allocate_first),
	KUNIT_CASE_SLOW(msi_table_fault_allocate_second),
	KUNIT_CASE_SLOW(msi_table_fault_populate),
#endif
	{}
};

static struct kunit_suite msi_table_test_suite = {
	.name		= "msi_table",
	.init		= msi_table_test_init,
	.exit		= msi_table_test_exit,
	.test_cases	= msi_table_test_cases,
};

kunit_test_suite(msi_table_test_suite);

MODULE_DESCRIPTION("KUnit tests of MSI tables");
MODULE_LICENSE("GPL");
