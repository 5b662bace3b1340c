// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of VT-d interrupt remapping with messages issued by the
 * hypervisor (asm/msi_compose.h), on QEMU's q35 with VT-d interrupt
 * remapping, edu, e1000e and nec-usb-xhci: a mock backend records every
 * request and answers with messages of its own, or fails the call chosen
 * by the test.
 *
 * The devices are used without a driver: the tests enable them, take their
 * MSI-X table (e1000e), an IMS table whose leaf stores messages in memory
 * (edu) and an MSI block (xHCI), and request, move and free interrupts.
 * Nothing is fired: the message a vector's entry stores is checked instead.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/msi.h>
#include <linux/msi_table.h>
#include <linux/pci.h>
#include <linux/spinlock.h>

#include <asm/hw_irq.h>
#include <asm/irq_vectors.h>
#include <asm/msi_compose.h>

#include "../irq_remapping.h"

#define MOCK_LOG	64
#define MOCK_ENTRIES	65536

/* The mock host: what it was asked, what it holds, what it fails next */
static struct {
	spinlock_t			lock;	/* serializes the calls */
	struct x86_msi_compose_req	log[MOCK_LOG];
	unsigned int			nr_log;
	unsigned int			calls[X86_MSI_COMPOSE_RELEASE + 1];
	unsigned long			*live;
	int				fail[X86_MSI_COMPOSE_RELEASE + 1];
	u32				generation;
} mock;

/*
 * The mock issues the remappable message of another entry for IMS vectors
 * (stored in memory only, never sent): the leaf must hold what it issued
 */
static void mock_msg(const struct x86_msi_compose_req *req, struct msi_msg *msg)
{
	u32 index = req->irte_index;

	if (req->flags & X86_MSI_COMPOSE_F_IMS)
		index ^= 0x4000 | mock.generation;
	memset(msg, 0, sizeof(*msg));
	msg->arch_addr_lo.dmar_base_address = X86_MSI_BASE_ADDRESS_LOW;
	msg->arch_addr_lo.dmar_subhandle_valid = true;
	msg->arch_addr_lo.dmar_format = true;
	msg->arch_addr_lo.dmar_index_0_14 = index & 0x7fff;
	msg->arch_addr_lo.dmar_index_15 = !!(index & 0x8000);
	msg->address_hi = X86_MSI_BASE_ADDRESS_HIGH;
	msg->arch_data.dmar_subhandle = req->sub_handle;
}

static int mock_compose(const struct x86_msi_compose_req *req, struct msi_msg *msg)
{
	unsigned int entry = req->irte_index + req->sub_handle;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&mock.lock, flags);
	if (mock.nr_log < MOCK_LOG)
		mock.log[mock.nr_log++] = *req;
	if (mock.fail[req->op]) {
		ret = mock.fail[req->op];
		mock.fail[req->op] = 0;
		goto out;
	}
	mock.calls[req->op]++;
	switch (req->op) {
	case X86_MSI_COMPOSE_ACTIVATE:
		__set_bit(entry, mock.live);
		mock_msg(req, msg);
		break;
	case X86_MSI_COMPOSE_UPDATE:
		if (!test_bit(entry, mock.live))
			ret = -EINVAL;
		break;
	case X86_MSI_COMPOSE_RELEASE:
		if (!__test_and_clear_bit(entry, mock.live))
			ret = -EINVAL;
		break;
	}
out:
	spin_unlock_irqrestore(&mock.lock, flags);
	return ret;
}

static const struct x86_msi_compose_ops mock_ops = {
	.name		= "kunit-mock",
	.compose	= mock_compose,
};

static unsigned int mock_live(void)
{
	return bitmap_weight(mock.live, MOCK_ENTRIES);
}

static void mock_reset(void)
{
	spin_lock_irq(&mock.lock);
	mock.nr_log = 0;
	memset(mock.calls, 0, sizeof(mock.calls));
	memset(mock.fail, 0, sizeof(mock.fail));
	spin_unlock_irq(&mock.lock);
}

static void mock_fail_next(int op, int err)
{
	spin_lock_irq(&mock.lock);
	mock.fail[op] = err;
	spin_unlock_irq(&mock.lock);
}

/* An IMS leaf which keeps its messages in memory */
#define IMS_SLOTS	16
static struct msi_msg ims_store[IMS_SLOTS];
static unsigned int ims_masked[IMS_SLOTS];

static void ims_write(struct irq_data *d, struct msi_msg *msg)
{
	ims_store[irqd_to_hwirq(d)] = *msg;
}

static void ims_mask(struct irq_data *d)
{
	ims_masked[irqd_to_hwirq(d)] = 1;
}

static void ims_unmask(struct irq_data *d)
{
	ims_masked[irqd_to_hwirq(d)] = 0;
}

static const struct msi_domain_template ims_template = {
	.chip = {
		.name			= "KUNIT-IMS",
		.irq_write_msi_msg	= ims_write,
		.irq_mask		= ims_mask,
		.irq_unmask		= ims_unmask,
	},
};

struct compose_test {
	struct pci_dev		*pdev;
	struct msi_table	*table;
	unsigned int		irqs[8];	/* requested, freed at exit */
	struct msi_desc		*descs[IMS_SLOTS];	/* allocated, freed at exit */
};

static irqreturn_t compose_test_irq(int irq, void *data)
{
	return IRQ_HANDLED;
}

static int ct_request(struct compose_test *ct, unsigned int irq)
{
	int ret = request_irq(irq, compose_test_irq, 0, "kunit", ct);
	unsigned int i;

	for (i = 0; !ret && i < ARRAY_SIZE(ct->irqs); i++) {
		if (!ct->irqs[i]) {
			ct->irqs[i] = irq;
			break;
		}
	}
	return ret;
}

static void ct_free_irq(struct compose_test *ct, unsigned int irq)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ct->irqs); i++) {
		if (ct->irqs[i] == irq) {
			ct->irqs[i] = 0;
			free_irq(irq, ct);
		}
	}
}

/* A vector of the case's table, freed at exit if the case does not */
static struct msi_desc *ct_alloc(struct kunit *test, struct compose_test *ct, unsigned int label,
				 const struct irq_affinity_desc *affd)
{
	struct msi_desc *desc = msi_table_alloc_vector(ct->table, label, affd, NULL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(desc));
	KUNIT_ASSERT_LT(test, desc->msi_index, IMS_SLOTS);
	ct->descs[desc->msi_index] = desc;
	return desc;
}

static void ct_free_vectors(struct compose_test *ct)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ct->descs); i++) {
		if (ct->descs[i])
			msi_table_free_vector(ct->table, ct->descs[i]);
		ct->descs[i] = NULL;
	}
}

/* The last request of @op the mock saw */
static const struct x86_msi_compose_req *last_req(int op)
{
	unsigned int i;

	for (i = mock.nr_log; i > 0; i--) {
		if (mock.log[i - 1].op == op)
			return &mock.log[i - 1];
	}
	return NULL;
}

static int compose_test_init(struct kunit *test)
{
	struct compose_test *ct;
	int ret;

	ct = kunit_kzalloc(test, sizeof(*ct), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ct);
	test->priv = ct;
	mock.live = bitmap_zalloc(MOCK_ENTRIES, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mock.live);
	spin_lock_init(&mock.lock);
	mock.generation = 0;
	mock_reset();
	ret = x86_msi_compose_register(&mock_ops);
	if (ret) {
		bitmap_free(mock.live);
		KUNIT_FAIL_AND_ABORT(test, "mock backend not registered: %d", ret);
	}
	return 0;
}

static void compose_test_exit(struct kunit *test)
{
	struct compose_test *ct = test->priv;
	unsigned int i;

	/* What a failed case left requested */
	for (i = 0; i < ARRAY_SIZE(ct->irqs); i++) {
		if (ct->irqs[i])
			ct_free_irq(ct, ct->irqs[i]);
	}
	if (ct->table && !IS_ERR(ct->table)) {
		ct_free_vectors(ct);
		msi_table_free(ct->table);
	}
	if (ct->pdev) {
		pci_disable_device(ct->pdev);
		pci_dev_put(ct->pdev);
	}
	/* Every entry's reference is gone with its vector */
	KUNIT_EXPECT_EQ(test, 0, x86_msi_compose_unregister(&mock_ops));
	KUNIT_EXPECT_EQ(test, 0, mock_live());
	bitmap_free(mock.live);
}

/* The QEMU device, enabled; the test skips (and says why) without it */
static struct pci_dev *compose_test_device(struct kunit *test, u16 vendor, u16 device)
{
	struct compose_test *ct = test->priv;
	struct pci_dev *pdev = pci_get_device(vendor, device, NULL);

	if (!pdev)
		kunit_skip(test, "no %04x:%04x device (run under dev/qemu/kunit_q35.py)",
			   vendor, device);
	if (!irq_remapping_enabled)
		kunit_skip(test, "interrupt remapping is off");
	ct->pdev = pdev;
	KUNIT_ASSERT_EQ(test, 0, pci_enable_device(pdev));
	return pdev;
}

static struct irq_data *ir_data_of(unsigned int irq)
{
	struct irq_data *d = irq_get_irq_data(irq);

	/* Leaf, then the remapping domain, then the vector domain */
	return d ? d->parent_data : NULL;
}

/*
 * The request matches the vector's remapping entry and device, and its
 * vector and destination unless an affinity change followed (@now false)
 */
static void check_req(struct kunit *test, const struct x86_msi_compose_req *req, int op,
		      struct pci_dev *pdev, unsigned int irq, bool now)
{
	struct irq_data *ird = ir_data_of(irq);
	struct irq_cfg *cfg = irqd_cfg(ird);

	KUNIT_ASSERT_NOT_NULL(test, req);
	KUNIT_EXPECT_EQ(test, op, req->op);
	KUNIT_EXPECT_EQ(test, pci_domain_nr(pdev->bus), req->segment);
	KUNIT_EXPECT_EQ(test, pci_dev_id(pdev), req->requester_id);
	KUNIT_EXPECT_EQ(test, irqd_to_hwirq(ird) >> 16, req->irte_index);
	KUNIT_EXPECT_EQ(test, irqd_to_hwirq(ird) & 0xffff, req->sub_handle);
	if (op != X86_MSI_COMPOSE_RELEASE && now) {
		KUNIT_EXPECT_EQ(test, cfg->vector, req->vector);
		KUNIT_EXPECT_EQ(test, cfg->dest_apicid, req->dest_id);
	}
}

/* MSI-X: one activate per request_irq(), one update per move, one release per free_irq() */
static void compose_test_msix(struct kunit *test)
{
	struct compose_test *ct = test->priv;
	struct pci_dev *pdev = compose_test_device(test, 0x8086, 0x10d3);
	unsigned int irq[3], cpu, i;
	struct msi_desc *desc;

	ct->table = pci_allocate_msix_table(pdev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ct->table));

	for (i = 0; i < 3; i++) {
		desc = ct_alloc(test, ct, i, NULL);
		irq[i] = desc->irq;
	}
	/* Allocated, not requested: reservation mode, nothing asked */
	KUNIT_EXPECT_EQ(test, 0, mock.nr_log);

	for (i = 0; i < 3; i++) {
		unsigned int updates = mock.calls[X86_MSI_COMPOSE_UPDATE];
		const struct x86_msi_compose_req *req;

		KUNIT_ASSERT_EQ(test, 0, ct_request(ct, irq[i]));
		/* One activation; the startup's affinity setting may move it */
		KUNIT_ASSERT_EQ(test, i + 1, mock.calls[X86_MSI_COMPOSE_ACTIVATE]);
		KUNIT_EXPECT_LE(test, mock.calls[X86_MSI_COMPOSE_UPDATE], updates + 1);
		req = last_req(X86_MSI_COMPOSE_ACTIVATE);
		check_req(test, req, X86_MSI_COMPOSE_ACTIVATE, pdev, irq[i],
			  mock.calls[X86_MSI_COMPOSE_UPDATE] == updates);
		KUNIT_EXPECT_EQ(test, 0, req->flags & X86_MSI_COMPOSE_F_IMS);
		/* Table and label name IMS entries only */
		KUNIT_EXPECT_EQ(test, 0, req->table_id);
		KUNIT_EXPECT_EQ(test, 0, req->hw_label);
		KUNIT_EXPECT_EQ(test, 1, req->nr_handles);
	}
	KUNIT_EXPECT_EQ(test, 3, mock_live());

	if (num_online_cpus() > 1) {
		unsigned int updates = mock.calls[X86_MSI_COMPOSE_UPDATE];

		cpu = cpumask_first(irq_get_effective_affinity_mask(irq[0]));
		cpu = cpumask_any_but(cpu_online_mask, cpu);
		KUNIT_ASSERT_EQ(test, 0, irq_set_affinity(irq[0], cpumask_of(cpu)));
		KUNIT_ASSERT_EQ(test, updates + 1, mock.calls[X86_MSI_COMPOSE_UPDATE]);
		check_req(test, last_req(X86_MSI_COMPOSE_UPDATE), X86_MSI_COMPOSE_UPDATE, pdev,
			  irq[0], true);
		KUNIT_EXPECT_EQ(test, cpu, cpumask_first(irq_get_effective_affinity_mask(irq[0])));
		/* The same affinity again: nothing to tell the host */
		KUNIT_ASSERT_EQ(test, 0, irq_set_affinity(irq[0], cpumask_of(cpu)));
		KUNIT_EXPECT_EQ(test, updates + 1, mock.calls[X86_MSI_COMPOSE_UPDATE]);
	} else {
		kunit_info(test, "one CPU online: no affinity change tested");
	}

	mock_reset();
	for (i = 0; i < 3; i++) {
		ct_free_irq(ct, irq[i]);
		KUNIT_ASSERT_EQ(test, i + 1, mock.nr_log);
		check_req(test, &mock.log[i], X86_MSI_COMPOSE_RELEASE, pdev, irq[i], true);
	}
	KUNIT_EXPECT_EQ(test, 0, mock_live());
	ct_free_vectors(ct);
	/* Freeing vectors which are not requested asks nothing */
	KUNIT_EXPECT_EQ(test, 3, mock.nr_log);
}

/* IMS: the request names the table and label, the leaf stores the issued message */
static void compose_test_ims(struct kunit *test)
{
	struct compose_test *ct = test->priv;
	struct pci_dev *pdev = compose_test_device(test, 0x1234, 0x11e8);
	static const unsigned int labels[] = { 3, 7, 12 };
	struct msi_desc *desc[ARRAY_SIZE(labels)];
	struct msi_msg msg;
	unsigned int i;

	ct->table = pci_allocate_ims_table(pdev, &ims_template, IMS_SLOTS, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ct->table));

	for (i = 0; i < ARRAY_SIZE(labels); i++) {
		desc[i] = ct_alloc(test, ct, labels[i], NULL);
		/* Masked, before any message holds a vector */
		KUNIT_EXPECT_EQ(test, 1, ims_masked[labels[i]]);
	}
	KUNIT_EXPECT_EQ(test, 0, mock.nr_log);

	for (i = 0; i < ARRAY_SIZE(labels); i++) {
		unsigned int updates = mock.calls[X86_MSI_COMPOSE_UPDATE];
		const struct x86_msi_compose_req *req;

		KUNIT_ASSERT_EQ(test, 0, ct_request(ct, desc[i]->irq));
		KUNIT_ASSERT_EQ(test, i + 1, mock.calls[X86_MSI_COMPOSE_ACTIVATE]);
		req = last_req(X86_MSI_COMPOSE_ACTIVATE);
		check_req(test, req, X86_MSI_COMPOSE_ACTIVATE, pdev, desc[i]->irq,
			  mock.calls[X86_MSI_COMPOSE_UPDATE] == updates);
		KUNIT_EXPECT_TRUE(test, req->flags & X86_MSI_COMPOSE_F_IMS);
		KUNIT_EXPECT_EQ(test, msi_table_id(ct->table), req->table_id);
		KUNIT_EXPECT_EQ(test, labels[i], req->hw_label);
		/* The leaf holds what the mock issued, not what VT-d composes */
		mock_msg(req, &msg);
		KUNIT_EXPECT_EQ(test, msg.address_lo, ims_store[labels[i]].address_lo);
		KUNIT_EXPECT_EQ(test, msg.address_hi, ims_store[labels[i]].address_hi);
		KUNIT_EXPECT_EQ(test, msg.data, ims_store[labels[i]].data);
		KUNIT_EXPECT_EQ(test, 0, ims_masked[labels[i]]);
	}

	for (i = 0; i < ARRAY_SIZE(labels); i++) {
		ct_free_irq(ct, desc[i]->irq);
		/* Deactivated: no message in the store */
		KUNIT_EXPECT_EQ(test, 0, ims_store[labels[i]].address_lo);
	}
	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(labels), mock.calls[X86_MSI_COMPOSE_RELEASE]);
	KUNIT_EXPECT_EQ(test, 0, mock_live());
}

/* Many allocated vectors, none requested: the host is never asked */
static void compose_test_reservation(struct kunit *test)
{
	struct compose_test *ct = test->priv;
	struct pci_dev *pdev = compose_test_device(test, 0x1234, 0x11e8);
	struct msi_desc *desc;
	unsigned int i;

	ct->table = pci_allocate_ims_table(pdev, &ims_template, IMS_SLOTS, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ct->table));
	for (i = 0; i < IMS_SLOTS; i++) {
		desc = ct_alloc(test, ct, i, NULL);
		KUNIT_EXPECT_FALSE(test, irqd_is_activated(irq_get_irq_data(desc->irq)));
	}
	ct_free_vectors(ct);
	msi_table_free(ct->table);
	ct->table = NULL;
	KUNIT_EXPECT_EQ(test, 0, mock.nr_log);
	KUNIT_EXPECT_EQ(test, 0, mock_live());
}

/* A refused activation fails request_irq() with its errno and leaves nothing */
static void compose_test_activate_fails(struct kunit *test)
{
	struct compose_test *ct = test->priv;
	struct pci_dev *pdev = compose_test_device(test, 0x1234, 0x11e8);
	struct msi_desc *desc;
	unsigned int irq;

	ct->table = pci_allocate_ims_table(pdev, &ims_template, IMS_SLOTS, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ct->table));
	desc = ct_alloc(test, ct, 5, NULL);
	irq = desc->irq;

	mock_fail_next(X86_MSI_COMPOSE_ACTIVATE, -ENOSPC);
	KUNIT_EXPECT_EQ(test, -ENOSPC, ct_request(ct, irq));
	KUNIT_EXPECT_FALSE(test, irqd_is_activated(irq_get_irq_data(irq)));
	KUNIT_EXPECT_EQ(test, 0, mock_live());
	/* No CPU vector is held: the vector domain took it back */
	KUNIT_EXPECT_EQ(test, MANAGED_IRQ_SHUTDOWN_VECTOR, irqd_cfg(ir_data_of(irq))->vector);

	/* The next request gets its message */
	KUNIT_ASSERT_EQ(test, 0, ct_request(ct, irq));
	KUNIT_EXPECT_EQ(test, 1, mock_live());
	ct_free_irq(ct, irq);
	KUNIT_EXPECT_EQ(test, 0, mock_live());
}

/*
 * A refused release: free_irq() cannot fail, the guest's side is clean
 * (deactivated, its own message back in the entry) and the entry works
 * again; the host is told at the next activation, which issues anew
 */
static void compose_test_release_fails(struct kunit *test)
{
	struct compose_test *ct = test->priv;
	struct pci_dev *pdev = compose_test_device(test, 0x1234, 0x11e8);
	struct msi_desc *desc;
	unsigned int irq;

	ct->table = pci_allocate_ims_table(pdev, &ims_template, IMS_SLOTS, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ct->table));
	desc = ct_alloc(test, ct, 9, NULL);
	irq = desc->irq;
	KUNIT_ASSERT_EQ(test, 0, ct_request(ct, irq));

	mock_fail_next(X86_MSI_COMPOSE_RELEASE, -EIO);
	ct_free_irq(ct, irq);
	KUNIT_EXPECT_FALSE(test, irqd_is_activated(irq_get_irq_data(irq)));
	/* The device holds no message, the host still the refused one */
	KUNIT_EXPECT_EQ(test, 0, ims_store[9].address_lo);
	KUNIT_EXPECT_EQ(test, 1, mock_live());

	KUNIT_ASSERT_EQ(test, 0, ct_request(ct, irq));
	KUNIT_EXPECT_EQ(test, 2, mock.calls[X86_MSI_COMPOSE_ACTIVATE]);
	ct_free_irq(ct, irq);
	KUNIT_EXPECT_EQ(test, 0, mock_live());
}

/* A refused update fails irq_set_affinity() and keeps the old vector and target */
static void compose_test_update_fails(struct kunit *test)
{
	struct compose_test *ct = test->priv;
	struct pci_dev *pdev = compose_test_device(test, 0x8086, 0x10d3);
	unsigned int irq, cpu, vector, dest;
	struct msi_desc *desc;
	struct irq_cfg *cfg;
	cpumask_var_t old;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	ct->table = pci_allocate_msix_table(pdev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ct->table));
	desc = ct_alloc(test, ct, 1, NULL);
	irq = desc->irq;
	KUNIT_ASSERT_EQ(test, 0, ct_request(ct, irq));
	KUNIT_ASSERT_TRUE(test, zalloc_cpumask_var(&old, GFP_KERNEL));
	cpumask_copy(old, irq_get_affinity_mask(irq));

	cfg = irqd_cfg(ir_data_of(irq));
	vector = cfg->vector;
	dest = cfg->dest_apicid;
	cpu = cpumask_first(irq_get_effective_affinity_mask(irq));
	mock_fail_next(X86_MSI_COMPOSE_UPDATE, -EIO);
	KUNIT_EXPECT_EQ(test, -EIO,
			irq_set_affinity(irq, cpumask_of(cpumask_any_but(cpu_online_mask, cpu))));
	KUNIT_EXPECT_EQ(test, vector, cfg->vector);
	KUNIT_EXPECT_EQ(test, dest, cfg->dest_apicid);
	KUNIT_EXPECT_EQ(test, cpu, cpumask_first(irq_get_effective_affinity_mask(irq)));
	KUNIT_EXPECT_TRUE(test, cpumask_equal(old, irq_get_affinity_mask(irq)));
	/*
	 * Nothing is left half moved: once the refused vector is cleaned up
	 * (a timer tick), the next move works
	 */
	msleep(50);
	KUNIT_EXPECT_EQ(test, 0,
			irq_set_affinity(irq, cpumask_of(cpumask_any_but(cpu_online_mask, cpu))));
	KUNIT_EXPECT_NE(test, cpu, cpumask_first(irq_get_effective_affinity_mask(irq)));
	free_cpumask_var(old);
	ct_free_irq(ct, irq);
}

/* Managed interrupts: a refused activation fails request_irq() too */
static void compose_test_managed(struct kunit *test)
{
	struct irq_affinity_desc affd = { .is_managed = 1 };
	struct compose_test *ct = test->priv;
	struct pci_dev *pdev = compose_test_device(test, 0x8086, 0x10d3);
	struct msi_desc *desc;

	cpumask_copy(&affd.mask, cpu_online_mask);
	ct->table = pci_allocate_msix_table(pdev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ct->table));
	desc = ct_alloc(test, ct, 2, &affd);
	KUNIT_ASSERT_TRUE(test, irqd_affinity_is_managed(irq_get_irq_data(desc->irq)));

	mock_fail_next(X86_MSI_COMPOSE_ACTIVATE, -ENOSPC);
	KUNIT_EXPECT_EQ(test, -ENOSPC, ct_request(ct, desc->irq));
	KUNIT_EXPECT_EQ(test, 0, mock_live());
	KUNIT_ASSERT_EQ(test, 0, ct_request(ct, desc->irq));
	KUNIT_EXPECT_EQ(test, 1, mock_live());
	ct_free_irq(ct, desc->irq);
}

/* The host asks for every message again: the leaves get the new ones */
static void compose_test_recompose(struct kunit *test)
{
	struct compose_test *ct = test->priv;
	struct pci_dev *pdev = compose_test_device(test, 0x1234, 0x11e8);
	struct msi_desc *desc[2];
	unsigned int i, tries;
	struct msi_msg msg;

	ct->table = pci_allocate_ims_table(pdev, &ims_template, IMS_SLOTS, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ct->table));
	for (i = 0; i < 2; i++)
		desc[i] = ct_alloc(test, ct, i, NULL);
	/* Requested: label 0; allocated only: label 1 */
	KUNIT_ASSERT_EQ(test, 0, ct_request(ct, desc[0]->irq));

	mock_reset();
	mock.generation = 0x2000;
	x86_msi_compose_request_recompose();
	for (tries = 0; tries < 200 && !mock.nr_log; tries++)
		msleep(20);
	/* One request: the entry which holds a message, nothing for label 1 */
	msleep(50);
	KUNIT_ASSERT_EQ(test, 1, mock.nr_log);
	check_req(test, &mock.log[0], X86_MSI_COMPOSE_ACTIVATE, pdev, desc[0]->irq, true);
	mock_msg(&mock.log[0], &msg);
	KUNIT_EXPECT_EQ(test, msg.address_lo, ims_store[0].address_lo);
	/* Unmasked again, as before */
	KUNIT_EXPECT_EQ(test, 0, ims_masked[0]);
	KUNIT_EXPECT_EQ(test, 1, ims_masked[1]);
	ct_free_irq(ct, desc[0]->irq);
	KUNIT_EXPECT_EQ(test, 0, mock_live());
}

/*
 * Multi-MSI: each sub-handle asks with the block's geometry; the capability
 * holds the block's message, whatever label starts first
 */
static void compose_test_multi_msi(struct kunit *test)
{
	struct compose_test *ct = test->priv;
	struct pci_dev *pdev = compose_test_device(test, 0x1033, 0x0194);
	struct msi_desc *desc[4];
	struct msi_msg msg;
	u16 flags, data;
	unsigned int i;

	ct->table = pci_allocate_msi_table(pdev, 4);
	if (IS_ERR(ct->table))
		KUNIT_FAIL_AND_ABORT(test, "no MSI table of 4: %ld", PTR_ERR(ct->table));
	for (i = 0; i < 4; i++)
		desc[i] = ct_alloc(test, ct, i, NULL);
	/* No mask bits: every label is live from its allocation on */
	KUNIT_ASSERT_EQ(test, 4, mock.nr_log);
	for (i = 0; i < 4; i++) {
		check_req(test, &mock.log[i], X86_MSI_COMPOSE_ACTIVATE, pdev, desc[i]->irq, true);
		KUNIT_EXPECT_EQ(test, 4, mock.log[i].nr_handles);
		KUNIT_EXPECT_EQ(test, 0, mock.log[i].irte_index % 4);
	}
	/* The capability: label 0's message, the block's */
	mock_msg(&mock.log[0], &msg);
	pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS, &flags);
	pci_read_config_word(pdev, pdev->msi_cap + (flags & PCI_MSI_FLAGS_64BIT ?
						    PCI_MSI_DATA_64 : PCI_MSI_DATA_32), &data);
	KUNIT_EXPECT_EQ(test, msg.data, data);
	KUNIT_EXPECT_EQ(test, 4, mock_live());
	ct_free_vectors(ct);
	msi_table_free(ct->table);
	ct->table = NULL;
	KUNIT_EXPECT_EQ(test, 4, mock.calls[X86_MSI_COMPOSE_RELEASE]);
}

static struct kunit_case compose_test_cases[] = {
	KUNIT_CASE(compose_test_msix),
	KUNIT_CASE(compose_test_ims),
	KUNIT_CASE(compose_test_reservation),
	KUNIT_CASE(compose_test_activate_fails),
	KUNIT_CASE(compose_test_update_fails),
	KUNIT_CASE(compose_test_release_fails),
	KUNIT_CASE(compose_test_managed),
	KUNIT_CASE(compose_test_recompose),
	KUNIT_CASE(compose_test_multi_msi),
	{ }
};

static struct kunit_suite compose_test_suite = {
	.name		= "msi_table_compose",
	.init		= compose_test_init,
	.exit		= compose_test_exit,
	.test_cases	= compose_test_cases,
};

kunit_test_suite(compose_test_suite);

MODULE_DESCRIPTION("KUnit tests of VT-d remapping with messages issued by the hypervisor");
MODULE_LICENSE("GPL");
