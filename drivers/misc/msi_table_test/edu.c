// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSI table test driver for QEMU's edu device, used as an IDXD-like device
 * with its own interrupt message store (IMS).
 *
 * edu has one MSI vector and no per vector mask bit: writing to its raise
 * register sets a bit in its interrupt status and sends the MSI, writing
 * the bit to its acknowledge register clears it. The driver holds the
 * function's MSI table, a block of one vector: the control block
 * interrupt. See common.c for the debugfs interface.
 *
 * edu also has a 4 KiB buffer which only its DMA engine reaches, one DMA
 * at a time, each taking about 100 ms. The driver keeps two kinds of IMS
 * table there, each in a debugfs directory of its own below the device's
 * (same commands, see common.c):
 *
 * ims/		IDXD-style: an array of 64 slots in the device buffer, label =
 *		slot. The leaf chip writes a slot's message and mask word by
 *		DMA, from any context (it polls for the DMA's end).
 * ims-mem/	mlx5-style: the entries sit in queue contexts in host memory,
 *		any label, the queue found through the vector's instance cookie.
 *		Writing an entry may sleep (in a real device it is a command to
 *		its firmware; here a sleep stands for it), so the leaf chip
 *		caches and writes back in irq_bus_sync_unlock(), or from a work
 *		item for the paths which do not take the bus lock.
 *
 * edu cannot act on its own, so the device side of IMS, "fire the vector
 * stored at a slot", is done here, in the edu_dev_*() functions, which see
 * the store only as the device does: the device fetches the entry (a DMA of
 * the slot back to host memory, or of the queue context into its buffer),
 * holds the interrupt as pending when the entry is masked, refuses an entry
 * which holds no message, and otherwise DMAs the entry's data word to the
 * entry's address: the message write, which interrupt remapping checks and
 * translates like any other. A masked entry's pending interrupt is sent when
 * the entry is unmasked. A leaf chip which stores nothing fails the tests.
 *
 * Each IMS directory also takes "send <address>": the device sends a
 * message of the caller's choosing (data 0), as a device holding a stale or
 * a foreign message would; interrupt remapping must refuse it.
 *
 * Each IMS directory also has a file "slots": per vector its label, queue,
 * Linux interrupt, the number of message writes and masks of the leaf chip,
 * and the entry as the store holds it. The memory table's directory takes
 * "reserve <n>": allocate (without requesting) n vectors of a memory table,
 * then free them; the table must not exist.
 * "bench": allocate (without requesting) 64 and 16,384 vectors of a memory
 * table, print the cost and slab memory per vector, free them and check
 * that everything went back.
 * "hold <n>": allocate (without requesting) n vectors of a memory table and
 * keep them, for a look at where their memory goes; "hold 0" frees them
 * and the table.
 */
#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/msi.h>
#include <linux/msi_table.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "msi_table_test.h"

#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define EDU_IRQ_TEST		BIT(0)

#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_DMA_RUN		BIT(0)
#define EDU_DMA_TO_RAM		BIT(1)
/* One DMA takes 100 ms of QEMU's virtual clock */
#define EDU_DMA_TIMEOUT_US	(1000 * USEC_PER_MSEC)

#define EDU_BUF			0x40000
#define EDU_BUF_SIZE		0x1000

/* An IMS entry, in the device's array or in a queue context */
struct edu_ims_entry {
	__le32	addr_lo;
	__le32	addr_hi;
	__le32	data;
	__le32	ctrl;
};

#define EDU_IMS_CTRL_MASK	BIT(0)
#define EDU_IMS_DATA		offsetof(struct edu_ims_entry, data)
#define EDU_IMS_CTRL		offsetof(struct edu_ims_entry, ctrl)

/* The device array: 64 slots at the start of the buffer */
#define EDU_IMS_SLOTS		64
#define EDU_IMS_ARRAY		EDU_BUF
/* Where the device fetches a queue context's entry to */
#define EDU_IMS_FETCH		(EDU_IMS_ARRAY + EDU_IMS_SLOTS * sizeof(struct edu_ims_entry))
/* Queue contexts of the memory table */
#define EDU_IMS_QUEUES		16384

static_assert(EDU_IMS_FETCH + sizeof(struct edu_ims_entry) <= EDU_BUF + EDU_BUF_SIZE);

struct edu_test;

/**
 * struct edu_ims - An IMS table of the device
 * @t:		The common test part (table, vectors, debugfs)
 * @edu:	The device
 * @memory:	Entries in queue contexts in host memory, else the device array
 * @size:	Slots or queues (the memory table has all queues, whatever its size)
 * @pending:	The device's pending bits, by slot or queue
 * @writes:	Message writes of the leaf chip, by label
 * @masks:	Masks of the leaf chip, by label
 * @entries:	Memory table: the queue contexts' entries, which the device reads
 * @entries_dma: Their bus address
 * @cache:	Memory table: the leaf chip's copy of the entries, by queue
 * @dirty:	Memory table: queues whose cached entry is not written back
 * @cache_lock:	Protects @cache and @dirty
 * @bus_lock:	Memory table: irq_bus_lock(), serializes the write back
 * @bus_owner:	Memory table: the task holding @bus_lock
 * @flush_work:	Memory table: the write back of paths without the bus lock
 * @queues:	Memory table: the queues in use (the vectors' cookies)
 * @held:	Memory table: the vectors "hold <n>" keeps
 * @nheld:	How many
 */
struct edu_ims {
	struct msi_table_test	t;
	struct edu_test		*edu;
	bool			memory;
	unsigned int		size;
	unsigned long		*pending;
	unsigned int		*writes;
	unsigned int		*masks;
	struct edu_ims_entry	*entries;
	dma_addr_t		entries_dma;
	struct edu_ims_entry	*cache;
	unsigned long		*dirty;
	raw_spinlock_t		cache_lock;
	struct mutex		bus_lock;	/* the write back */
	struct task_struct	*bus_owner;
	struct work_struct	flush_work;
	struct ida		queues;
	struct msi_desc		**held;
	unsigned int		nheld;
};

/**
 * struct edu_test - The device
 * @t:		The MSI table (control block interrupt)
 * @regs:	BAR 0
 * @dma_lock:	One DMA at a time, from any context
 * @stage:	Host memory the DMAs of the device array go through
 * @stage_dma:	Its bus address
 * @ims:	The device array table
 * @mem:	The memory table
 */
struct edu_test {
	struct msi_table_test	t;
	void __iomem		*regs;
	raw_spinlock_t		dma_lock;	/* one DMA at a time */
	struct edu_ims_entry	*stage;
	dma_addr_t		stage_dma;
	struct edu_ims		ims;
	struct edu_ims		mem;
};

static struct edu_test *to_edu(struct msi_table_test *t)
{
	return container_of(t, struct edu_test, t);
}

static struct edu_ims *to_ims(struct msi_table_test *t)
{
	return container_of(t, struct edu_ims, t);
}

static int edu_test_fire(struct msi_table_test *t, unsigned int label)
{
	writel(EDU_IRQ_TEST, to_edu(t)->regs + EDU_IRQ_RAISE);
	return 0;
}

static bool edu_test_ack(struct msi_table_test *t, unsigned int label)
{
	void __iomem *regs = to_edu(t)->regs;

	writel(readl(regs + EDU_IRQ_STATUS), regs + EDU_IRQ_ACK);
	return true;
}

/*
 * One DMA between the device buffer at @buf and host memory at @ram, and
 * wait for its end. QEMU stops the whole VM on a DMA outside the buffer:
 * every transfer is checked here.
 */
static int edu_dma(struct edu_test *e, u32 buf, dma_addr_t ram, u32 len, bool to_ram)
{
	u32 cmd;
	int ret;

	lockdep_assert_held(&e->dma_lock);
	if (!len || buf < EDU_BUF || len > EDU_BUF_SIZE || buf - EDU_BUF > EDU_BUF_SIZE - len)
		return -EINVAL;
	/* The DMA mask is 32 bits: a 32-bit write sets a whole register */
	writel(to_ram ? buf : lower_32_bits(ram), e->regs + EDU_DMA_SRC);
	writel(to_ram ? lower_32_bits(ram) : buf, e->regs + EDU_DMA_DST);
	writel(len, e->regs + EDU_DMA_COUNT);
	writel(EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0), e->regs + EDU_DMA_CMD);
	ret = readl_poll_timeout_atomic(e->regs + EDU_DMA_CMD, cmd, !(cmd & EDU_DMA_RUN), 100,
					EDU_DMA_TIMEOUT_US);
	if (ret)
		dev_err_ratelimited(&e->t.pdev->dev, "DMA of %u bytes at %#x timed out\n", len,
				    buf);
	return ret;
}

static u32 edu_ims_slot_addr(unsigned int slot)
{
	return EDU_IMS_ARRAY + slot * sizeof(struct edu_ims_entry);
}

/* A message the device may send: a 32-bit write to the interrupt window */
static bool edu_dev_valid_msg(const struct edu_ims_entry *entry)
{
	return !entry->addr_hi && (le32_to_cpu(entry->addr_lo) & 0xfff00000) == 0xfee00000;
}

/*
 * The device fires the entry at @idx (slot or queue). An entry without a
 * message: refused (-EIO). Masked: the device holds the interrupt pending.
 */
static int edu_dev_fire(struct edu_ims *ims, unsigned int idx)
{
	struct edu_test *e = ims->edu;
	struct edu_ims_entry entry;
	u32 buf;
	int ret;

	lockdep_assert_held(&e->dma_lock);
	if (ims->memory) {
		/* Fetch the queue context's entry */
		buf = EDU_IMS_FETCH;
		ret = edu_dma(e, buf, ims->entries_dma + idx * sizeof(entry), sizeof(entry), false);
		entry = ims->entries[idx];
	} else {
		/* Read the slot back, which is what the device holds */
		buf = edu_ims_slot_addr(idx);
		ret = edu_dma(e, buf, e->stage_dma, sizeof(entry), true);
		entry = *e->stage;
	}
	if (ret)
		return ret;
	/* A cleared entry is not armed, masked or not */
	if (!edu_dev_valid_msg(&entry))
		return -EIO;
	if (le32_to_cpu(entry.ctrl) & EDU_IMS_CTRL_MASK) {
		set_bit(idx, ims->pending);
		return 0;
	}
	return edu_dma(e, buf + EDU_IMS_DATA, le32_to_cpu(entry.addr_lo), sizeof(entry.data), true);
}

/* The device: an entry was unmasked, send what it held */
static void edu_dev_unmasked(struct edu_ims *ims, unsigned int idx)
{
	int ret;

	if (!test_and_clear_bit(idx, ims->pending))
		return;
	ret = edu_dev_fire(ims, idx);
	if (ret)
		dev_err_ratelimited(&ims->t.pdev->dev, "pending interrupt of %u not sent: %d\n",
				    idx, ret);
}

/* The device sends data 0 to @addr, whatever its store holds */
static int edu_dev_send(struct edu_test *e, u32 addr)
{
	struct edu_ims_entry entry = { .addr_lo = cpu_to_le32(addr) };
	unsigned long flags;
	int ret;

	if (!edu_dev_valid_msg(&entry))
		return -EINVAL;
	raw_spin_lock_irqsave(&e->dma_lock, flags);
	*e->stage = entry;
	ret = edu_dma(e, EDU_IMS_FETCH, e->stage_dma, sizeof(entry), false);
	if (!ret)
		ret = edu_dma(e, EDU_IMS_FETCH + EDU_IMS_DATA, addr, sizeof(entry.data), true);
	raw_spin_unlock_irqrestore(&e->dma_lock, flags);
	return ret;
}

static struct edu_ims *edu_ims_of(struct irq_data *d)
{
	return msi_table_leaf_data(d);
}

/*
 * The device array's leaf chip. Any context: the DMAs are polled, under a
 * raw spinlock.
 */
static void edu_ims_array_write(struct edu_ims *ims, unsigned int slot, u32 offs,
				const void *src, u32 len, bool unmasked)
{
	struct edu_test *e = ims->edu;
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&e->dma_lock, flags);
	memcpy(e->stage, src, len);
	ret = edu_dma(e, edu_ims_slot_addr(slot) + offs, e->stage_dma, len, false);
	if (!ret && unmasked)
		edu_dev_unmasked(ims, slot);
	raw_spin_unlock_irqrestore(&e->dma_lock, flags);
	if (ret)
		dev_err_ratelimited(&ims->t.pdev->dev, "IMS slot %u not written: %d\n", slot, ret);
}

static void edu_ims_array_write_msg(struct irq_data *d, struct msi_msg *msg)
{
	struct edu_ims *ims = edu_ims_of(d);
	struct edu_ims_entry entry = {
		.addr_lo	= cpu_to_le32(msg->address_lo),
		.addr_hi	= cpu_to_le32(msg->address_hi),
		.data		= cpu_to_le32(msg->data),
	};

	ims->writes[irqd_to_hwirq(d)]++;
	edu_ims_array_write(ims, irqd_to_hwirq(d), 0, &entry, EDU_IMS_CTRL, false);
}

static void edu_ims_array_mask(struct irq_data *d)
{
	struct edu_ims *ims = edu_ims_of(d);
	__le32 ctrl = cpu_to_le32(EDU_IMS_CTRL_MASK);

	ims->masks[irqd_to_hwirq(d)]++;
	edu_ims_array_write(ims, irqd_to_hwirq(d), EDU_IMS_CTRL, &ctrl, sizeof(ctrl), false);
}

static void edu_ims_array_unmask(struct irq_data *d)
{
	__le32 ctrl = 0;

	edu_ims_array_write(edu_ims_of(d), irqd_to_hwirq(d), EDU_IMS_CTRL, &ctrl, sizeof(ctrl),
			    true);
}

static const struct msi_domain_template edu_ims_array_template = {
	.chip = {
		.name			= "EDU-IMS",
		.irq_write_msi_msg	= edu_ims_array_write_msg,
		.irq_mask		= edu_ims_array_mask,
		.irq_unmask		= edu_ims_array_unmask,
	},
};

/*
 * The memory table's leaf chip. The callbacks run in atomic context, and
 * writing an entry may sleep: they update the cache. irq_bus_sync_unlock()
 * writes it back for request_irq(), free_irq(), enable_irq(),
 * disable_irq() and affinity changes; the work item does for the paths
 * which do not take the bus lock: the activation when a vector is
 * allocated, the deactivation when it is freed, and CPU hotplug.
 */
static unsigned int edu_mem_queue(struct irq_data *d)
{
	return irq_data_get_msi_desc(d)->data.icookie.value;
}

static void edu_mem_update(struct irq_data *d, const struct msi_msg *msg, int mask)
{
	struct edu_ims *ims = edu_ims_of(d);
	unsigned int q = edu_mem_queue(d);
	struct edu_ims_entry *c = &ims->cache[q];
	unsigned long flags;

	raw_spin_lock_irqsave(&ims->cache_lock, flags);
	if (msg) {
		c->addr_lo = cpu_to_le32(msg->address_lo);
		c->addr_hi = cpu_to_le32(msg->address_hi);
		c->data = cpu_to_le32(msg->data);
		ims->writes[irqd_to_hwirq(d)]++;
	} else {
		c->ctrl = cpu_to_le32(mask ? EDU_IMS_CTRL_MASK : 0);
		if (mask)
			ims->masks[irqd_to_hwirq(d)]++;
	}
	__set_bit(q, ims->dirty);
	raw_spin_unlock_irqrestore(&ims->cache_lock, flags);
	/* Not under the bus lock, whose unlock writes back: later, then */
	if (READ_ONCE(ims->bus_owner) != current)
		queue_work(system_unbound_wq, &ims->flush_work);
}

static void edu_mem_write_msg(struct irq_data *d, struct msi_msg *msg)
{
	edu_mem_update(d, msg, 0);
}

static void edu_mem_mask(struct irq_data *d)
{
	edu_mem_update(d, NULL, 1);
}

static void edu_mem_unmask(struct irq_data *d)
{
	edu_mem_update(d, NULL, 0);
}

/* Write the dirty entries back: may sleep */
static void edu_mem_flush(struct edu_ims *ims)
{
	struct edu_test *e = ims->edu;
	struct edu_ims_entry entry;
	unsigned long flags;
	unsigned int q;
	bool written = false;

	lockdep_assert_held(&ims->bus_lock);
	might_sleep();
	for_each_set_bit(q, ims->dirty, ims->size) {
		raw_spin_lock_irqsave(&ims->cache_lock, flags);
		entry = ims->cache[q];
		__clear_bit(q, ims->dirty);
		raw_spin_unlock_irqrestore(&ims->cache_lock, flags);

		raw_spin_lock_irqsave(&e->dma_lock, flags);
		ims->entries[q] = entry;
		if (!(le32_to_cpu(entry.ctrl) & EDU_IMS_CTRL_MASK))
			edu_dev_unmasked(ims, q);
		raw_spin_unlock_irqrestore(&e->dma_lock, flags);
		written = true;
	}
	/* The firmware command which a real device needs for the update */
	if (written)
		usleep_range(50, 100);
}

static void edu_mem_flush_work(struct work_struct *work)
{
	struct edu_ims *ims = container_of(work, struct edu_ims, flush_work);

	mutex_lock(&ims->bus_lock);
	edu_mem_flush(ims);
	mutex_unlock(&ims->bus_lock);
}

/* Also taken while a vector is allocated, before it has a descriptor */
static void edu_mem_bus_lock(struct irq_data *d)
{
	struct edu_ims *ims = edu_ims_of(d);

	mutex_lock(&ims->bus_lock);
	WRITE_ONCE(ims->bus_owner, current);
}

static void edu_mem_bus_sync_unlock(struct irq_data *d)
{
	struct edu_ims *ims = edu_ims_of(d);

	edu_mem_flush(ims);
	WRITE_ONCE(ims->bus_owner, NULL);
	mutex_unlock(&ims->bus_lock);
}

static const struct msi_domain_template edu_ims_mem_template = {
	.chip = {
		.name			= "EDU-IMS-MEM",
		.irq_write_msi_msg	= edu_mem_write_msg,
		.irq_mask		= edu_mem_mask,
		.irq_unmask		= edu_mem_unmask,
		.irq_bus_lock		= edu_mem_bus_lock,
		.irq_bus_sync_unlock	= edu_mem_bus_sync_unlock,
	},
};

/* The entry index of the vector at @label: its slot, or its queue */
static unsigned int edu_ims_index(struct edu_ims *ims, unsigned int label)
{
	return ims->memory ? ims->t.vec[label].desc->data.icookie.value : label;
}

static int edu_ims_fire(struct msi_table_test *t, unsigned int label)
{
	struct edu_ims *ims = to_ims(t);
	struct edu_test *e = ims->edu;
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&e->dma_lock, flags);
	ret = edu_dev_fire(ims, edu_ims_index(ims, label));
	raw_spin_unlock_irqrestore(&e->dma_lock, flags);
	return ret;
}

/* IMS vectors are edge triggered messages: nothing to acknowledge */
static bool edu_ims_ack(struct msi_table_test *t, unsigned int label)
{
	return true;
}

static bool edu_ims_pending(struct msi_table_test *t, unsigned int label)
{
	struct edu_ims *ims = to_ims(t);

	return test_bit(edu_ims_index(ims, label), ims->pending);
}

static void edu_ims_clear_pending(struct msi_table_test *t, unsigned int label)
{
	struct edu_ims *ims = to_ims(t);

	clear_bit(edu_ims_index(ims, label), ims->pending);
}

static int edu_ims_get_cookie(struct msi_table_test *t, union msi_instance_cookie *cookie)
{
	struct edu_ims *ims = to_ims(t);
	int q = ida_alloc_max(&ims->queues, ims->size - 1, GFP_KERNEL);

	if (q < 0)
		return q;
	cookie->value = q;
	return 0;
}

static void edu_ims_put_cookie(struct msi_table_test *t, union msi_instance_cookie *cookie)
{
	ida_free(&to_ims(t)->queues, cookie->value);
}

static void edu_ims_free_state(struct edu_ims *ims)
{
	if (ims->entries)
		dma_free_coherent(&ims->t.pdev->dev, ims->size * sizeof(*ims->entries),
				  ims->entries, ims->entries_dma);
	ims->entries = NULL;
	kvfree(ims->cache);
	ims->cache = NULL;
	bitmap_free(ims->dirty);
	ims->dirty = NULL;
	bitmap_free(ims->pending);
	ims->pending = NULL;
	kvfree(ims->writes);
	ims->writes = NULL;
	kvfree(ims->masks);
	ims->masks = NULL;
}

static struct msi_table *edu_ims_create(struct msi_table_test *t, unsigned int n)
{
	struct edu_ims *ims = to_ims(t);
	struct device *dev = &t->pdev->dev;
	struct msi_table *table;

	if (n > (ims->memory ? EDU_IMS_QUEUES : EDU_IMS_SLOTS))
		return ERR_PTR(-EINVAL);
	/* Queues and labels are independent: the cookie links them */
	ims->size = ims->memory ? EDU_IMS_QUEUES : n;
	ims->pending = bitmap_zalloc(ims->size, GFP_KERNEL);
	ims->writes = kvcalloc(n, sizeof(*ims->writes), GFP_KERNEL);
	ims->masks = kvcalloc(n, sizeof(*ims->masks), GFP_KERNEL);
	if (!ims->pending || !ims->writes || !ims->masks)
		goto nomem;
	if (ims->memory) {
		ims->dirty = bitmap_zalloc(ims->size, GFP_KERNEL);
		ims->cache = kvcalloc(ims->size, sizeof(*ims->cache), GFP_KERNEL);
		ims->entries = dma_alloc_coherent(dev, ims->size * sizeof(*ims->entries),
						  &ims->entries_dma, GFP_KERNEL);
		if (!ims->dirty || !ims->cache || !ims->entries)
			goto nomem;
	}

	table = pci_allocate_ims_table(t->pdev, ims->memory ? &edu_ims_mem_template :
				     &edu_ims_array_template, n, ims);
	if (IS_ERR(table))
		edu_ims_free_state(ims);
	return table;

nomem:
	edu_ims_free_state(ims);
	return ERR_PTR(-ENOMEM);
}

static void edu_ims_destroy(struct msi_table_test *t)
{
	struct edu_ims *ims = to_ims(t);
	struct msi_desc **held = ims->held;

	/* The vectors "hold" keeps, which the common code does not track */
	if (held) {
		ims->held = NULL;
		while (ims->nheld--)
			msi_table_free_vector(t->table, held[ims->nheld]);
		kvfree(held);
	}
	msi_table_free(t->table);
	/* The write back of the last deactivations */
	if (ims->memory)
		flush_work(&ims->flush_work);
	edu_ims_free_state(ims);
}

/* Slab memory in use, in bytes */
static long edu_slab_bytes(void)
{
	return (global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
		global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B)) * PAGE_SIZE;
}

/* Free the first @n vectors of @v and the table */
static void edu_ims_empty(struct edu_ims *ims, struct msi_desc **v, unsigned int n)
{
	while (n--) {
		msi_table_free_vector(ims->t.table, v[n]);
		cond_resched();
	}
	/* A vector left would be a warning of msi_table_free(), a failure */
	msi_table_test_destroy_table(&ims->t);
}

/*
 * Create a memory table of @n labels and allocate every one, not requested:
 * ns and slab bytes per vector. Nothing is left on failure.
 */
static int edu_ims_fill(struct edu_ims *ims, unsigned int n, struct msi_desc **v,
			s64 *ns, long *bytes)
{
	struct msi_table_test *t = &ims->t;
	union msi_instance_cookie cookie;
	unsigned int i;
	long slab0;
	ktime_t t0;
	int ret;

	ret = msi_table_test_create_table(t, n);
	if (ret)
		return ret;
	slab0 = edu_slab_bytes();
	t0 = ktime_get();
	for (i = 0; i < n; i++) {
		cookie.value = i;
		v[i] = msi_table_alloc_vector(t->table, MSI_TABLE_ANY_LABEL, NULL, &cookie);
		if (IS_ERR(v[i])) {
			edu_ims_empty(ims, v, i);
			return PTR_ERR(v[i]);
		}
		cond_resched();
	}
	*ns = div_s64(ktime_to_ns(ktime_sub(ktime_get(), t0)), n);
	*bytes = (edu_slab_bytes() - slab0) / (long)n;
	return 0;
}

/*
 * Allocate @n vectors of a memory table, not requested, then free them:
 * ns and slab bytes per vector, and that the table is empty again.
 */
static int edu_ims_bench_one(struct edu_ims *ims, unsigned int n, struct msi_desc **v,
			     s64 *ns, long *bytes)
{
	int ret = edu_ims_fill(ims, n, v, ns, bytes);

	if (!ret)
		edu_ims_empty(ims, v, n);
	return ret;
}

/* "hold <n>": keep @n vectors of a memory table; 0 frees them */
static int edu_ims_hold(struct edu_ims *ims, unsigned int n)
{
	struct msi_desc **v;
	long bytes;
	s64 ns;
	int ret;

	/* The table's destruction frees them (also on "destroy" and removal) */
	if (!n)
		return ims->held ? msi_table_test_destroy_table(&ims->t) : -ENOENT;
	if (ims->t.table)
		return -EBUSY;
	if (n > EDU_IMS_QUEUES)
		return -EINVAL;
	v = kvcalloc(n, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	ret = edu_ims_fill(ims, n, v, &ns, &bytes);
	if (ret) {
		kvfree(v);
		return ret;
	}
	ims->held = v;
	ims->nheld = n;
	return 0;
}

/*
 * "bench": the memory table at 64 and 16,384 vectors under the real
 * parent (VT-d interrupt remapping: an IRTE each). What the whole system
 * has back afterwards (interrupt descriptors, IRTEs) is counted by the
 * caller, dev/guest/bench.
 */
static int edu_ims_bench(struct edu_ims *ims)
{
	static const unsigned int sizes[] = { 64, EDU_IMS_QUEUES };
	long slab0 = edu_slab_bytes(), bytes[2];
	struct msi_desc **v;
	s64 ns[2], q;
	int i, ret = 0;
	s32 rem;

	if (ims->t.table)
		return -EBUSY;
	v = kvcalloc(EDU_IMS_QUEUES, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < 2 && !ret; i++)
		ret = edu_ims_bench_one(ims, sizes[i], v, &ns[i], &bytes[i]);
	kvfree(v);
	if (ret)
		return ret;
	/* Interrupt descriptors are freed after an RCU grace period */
	rcu_barrier();
	/* The ratio in hundredths, with 64-bit helpers only (32-bit builds) */
	q = div_s64_rem(div64_s64(ns[1] * 100, ns[0]), 100, &rem);
	pr_info("msi-table-bench: memory IMS table under %s, alloc per vector: N=64 %lld ns, N=16384 %lld ns, 16384/64 %lld.%02d\n",
		dev_get_msi_domain(&ims->t.pdev->dev)->name, ns[0], ns[1], q, rem);
	pr_info("msi-table-bench: memory IMS table slab per vector: N=64 %ld bytes, N=16384 %ld bytes; slab after freeing all: %+ld KiB\n",
		bytes[0], bytes[1], (edu_slab_bytes() - slab0) / 1024);
	return 0;
}

/*
 * "reserve <n>": allocate n vectors of a memory table without requesting
 * them, then free them (under a hypervisor which issues messages, none of
 * this may reach it)
 */
static int edu_ims_reserve(struct edu_ims *ims, unsigned int n)
{
	struct msi_desc **v;
	long bytes;
	int ret;
	s64 ns;

	if (ims->t.table)
		return -EBUSY;
	if (!n || n > EDU_IMS_QUEUES)
		return -EINVAL;
	v = kvcalloc(n, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	ret = edu_ims_bench_one(ims, n, v, &ns, &bytes);
	kvfree(v);
	return ret;
}

static int edu_ims_cmd(struct msi_table_test *t, const char *cmd, unsigned int arg)
{
	struct edu_ims *ims = to_ims(t);

	if (ims->memory && !strcmp(cmd, "bench"))
		return edu_ims_bench(ims);
	if (ims->memory && !strcmp(cmd, "reserve"))
		return edu_ims_reserve(ims, arg);
	if (ims->memory && !strcmp(cmd, "hold"))
		return edu_ims_hold(ims, arg);
	if (!strcmp(cmd, "send"))
		return edu_dev_send(ims->edu, arg);
	return -EINVAL;
}

/* "slots": per vector, what the leaf chip did and what the store holds */
static int edu_ims_slots_show(struct seq_file *m, void *unused)
{
	struct edu_ims *ims = m->private;
	struct msi_table_test *t = &ims->t;
	struct edu_test *e = ims->edu;
	struct edu_ims_entry *array;
	unsigned long flags;
	unsigned int l;
	int ret = 0;

	array = kcalloc(EDU_IMS_SLOTS, sizeof(*array), GFP_KERNEL);
	if (!array)
		return -ENOMEM;
	mutex_lock(&t->lock);
	if (t->table && !ims->memory) {
		raw_spin_lock_irqsave(&e->dma_lock, flags);
		ret = edu_dma(e, EDU_IMS_ARRAY, e->stage_dma, t->hwsize * sizeof(*array), true);
		memcpy(array, e->stage, t->hwsize * sizeof(*array));
		raw_spin_unlock_irqrestore(&e->dma_lock, flags);
	}
	for (l = 0; !ret && t->table && l < t->hwsize; l++) {
		struct edu_ims_entry entry;
		unsigned int idx;

		if (!t->vec[l].desc)
			continue;
		idx = edu_ims_index(ims, l);
		if (ims->memory) {
			raw_spin_lock_irqsave(&e->dma_lock, flags);
			entry = ims->entries[idx];
			raw_spin_unlock_irqrestore(&e->dma_lock, flags);
		} else {
			entry = array[idx];
		}
		seq_printf(m, "slot %u queue %u irq %u writes %u masks %u addr %#x%08x data %#x ctrl %#x\n",
			   l, idx, t->vec[l].desc->irq, ims->writes[l], ims->masks[l],
			   le32_to_cpu(entry.addr_hi), le32_to_cpu(entry.addr_lo),
			   le32_to_cpu(entry.data), le32_to_cpu(entry.ctrl));
	}
	mutex_unlock(&t->lock);
	kfree(array);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(edu_ims_slots);

static const struct msi_table_test_ops edu_test_ops = {
	.fire		= edu_test_fire,
	.ack		= edu_test_ack,
};

static const struct msi_table_test_ops edu_ims_ops = {
	.fire		= edu_ims_fire,
	.ack		= edu_ims_ack,
	.pending	= edu_ims_pending,
	.clear_pending	= edu_ims_clear_pending,
	.cmd		= edu_ims_cmd,
	.create		= edu_ims_create,
	.destroy	= edu_ims_destroy,
};

static const struct msi_table_test_ops edu_ims_mem_ops = {
	.fire		= edu_ims_fire,
	.ack		= edu_ims_ack,
	.pending	= edu_ims_pending,
	.clear_pending	= edu_ims_clear_pending,
	.cmd		= edu_ims_cmd,
	.create		= edu_ims_create,
	.destroy	= edu_ims_destroy,
	.get_cookie	= edu_ims_get_cookie,
	.put_cookie	= edu_ims_put_cookie,
};

static int edu_ims_add(struct edu_test *e, struct edu_ims *ims, bool memory)
{
	int ret;

	ims->edu = e;
	ims->memory = memory;
	raw_spin_lock_init(&ims->cache_lock);
	mutex_init(&ims->bus_lock);
	INIT_WORK(&ims->flush_work, edu_mem_flush_work);
	ida_init(&ims->queues);
	ims->t.pdev = e->t.pdev;
	ims->t.chip_masks = true;
	ims->t.ops = memory ? &edu_ims_mem_ops : &edu_ims_ops;
	ims->t.name = memory ? "msi-table-test-edu-ims-mem" : "msi-table-test-edu-ims";
	ims->t.dirname = memory ? "ims-mem" : "ims";
	ims->t.parent = e->t.dir;
	ret = msi_table_test_add(&ims->t);
	if (ret)
		return ret;
	debugfs_create_file("slots", 0400, ims->t.dir, ims, &edu_ims_slots_fops);
	return 0;
}

/*
 * The device this driver tests. It binds only through driver_override, like
 * the other MSI table test drivers.
 */
static const struct pci_device_id edu_test_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

static int edu_test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_test *e;
	int ret;

	if (!pci_match_id(edu_test_ids, pdev))
		return -ENODEV;

	e = devm_kzalloc(&pdev->dev, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	raw_spin_lock_init(&e->dma_lock);

	e->regs = msi_table_test_map(pdev);
	if (IS_ERR(e->regs))
		return PTR_ERR(e->regs);
	writel(readl(e->regs + EDU_IRQ_STATUS), e->regs + EDU_IRQ_ACK);
	/* QEMU: -device edu,dma_mask=0xffffffff, else messages land in RAM */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	e->stage = dmam_alloc_coherent(&pdev->dev, EDU_IMS_SLOTS * sizeof(*e->stage),
				       &e->stage_dma, GFP_KERNEL);
	if (!e->stage)
		return -ENOMEM;

	e->t.pdev = pdev;
	e->t.nvec = 1;
	e->t.ops = &edu_test_ops;
	e->t.name = "msi-table-test-edu";
	ret = msi_table_test_add(&e->t);
	if (ret)
		return ret;
	ret = edu_ims_add(e, &e->ims, false);
	if (ret)
		goto remove_msi;
	ret = edu_ims_add(e, &e->mem, true);
	if (ret)
		goto remove_ims;
	pci_set_drvdata(pdev, e);
	return 0;

remove_ims:
	msi_table_test_remove(&e->ims.t);
remove_msi:
	msi_table_test_remove(&e->t);
	return ret;
}

static void edu_test_remove(struct pci_dev *pdev)
{
	struct edu_test *e = pci_get_drvdata(pdev);

	/* The IMS directories first: they are in the MSI table's */
	msi_table_test_remove(&e->mem.t);
	msi_table_test_remove(&e->ims.t);
	ida_destroy(&e->mem.queues);
	msi_table_test_remove(&e->t);
}

static struct pci_driver edu_test_driver = {
	.name		= "msi-table-test-edu",
	.probe		= edu_test_probe,
	.remove		= edu_test_remove,
};
module_pci_driver(edu_test_driver);

MODULE_DESCRIPTION("MSI table test driver for QEMU's edu");
MODULE_LICENSE("GPL");
