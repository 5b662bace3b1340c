// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multi-MSI table test driver for QEMU's xHCI controller, as the NEC
 * uPD720200 model (nec-usb-xhci; qemu-xhci has no MSI capability).
 *
 * Not a USB driver: it holds a block of the function's MSI vectors as an
 * MSI table and fires them on demand. The controller's MSI capability has
 * 16 vectors, 64-bit addresses and no per vector mask bits. Interrupter n
 * sends MSI vector n (modulo the block size). Each interrupter gets an
 * event ring of its own length, which no event is ever written to: moving
 * the interrupter's dequeue pointer (ERDP) away from the enqueue pointer
 * with the Event Handler Busy bit written as 1 makes the controller raise
 * the interrupter, as if an event were waiting. The handler clears the
 * interrupter's Interrupt Pending bit; the next fire writes ERDP again.
 *
 * The block is made on demand ("create <n>": pci_allocate_msi_table() with
 * a block of n vectors, labels 0 to n - 1), since its size is the test's
 * choice. See common.c for the debugfs interface.
 */
#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/msi_table.h>
#include <linux/pci.h>

#include "msi_table_test.h"

#define XHCI_CAPLENGTH		0x00
#define XHCI_HCSPARAMS1		0x04
#define XHCI_MAX_INTRS		GENMASK(18, 8)
#define XHCI_RTSOFF		0x18

/* Operational registers, at CAPLENGTH */
#define XHCI_USBCMD		0x00
#define XHCI_CMD_RESET		BIT(1)
#define XHCI_CMD_INTE		BIT(2)
#define XHCI_USBSTS		0x04
#define XHCI_STS_CNR		BIT(11)

/* Interrupter n's registers, at RTSOFF + 0x20 + 0x20 * n */
#define XHCI_IR(n)		(0x20 + 0x20 * (n))
#define XHCI_IMAN		0x00
#define XHCI_IMAN_IP		BIT(0)
#define XHCI_IMAN_IE		BIT(1)
#define XHCI_ERSTSZ		0x08
#define XHCI_ERSTBA		0x10
#define XHCI_ERDP		0x18
#define XHCI_ERDP_EHB		BIT(3)

#define XHCI_INTRS		16
#define XHCI_TRB_SIZE		16
/* The smallest event ring segment the controller takes */
#define XHCI_RING_TRBS		16
/* Event ring segment table entries are 64-byte aligned */
#define XHCI_ERST_STRIDE	64
#define XHCI_RING_OFFSET	(XHCI_INTRS * XHCI_ERST_STRIDE)
#define XHCI_DMA_SIZE		(XHCI_RING_OFFSET + XHCI_INTRS * XHCI_RING_TRBS * XHCI_TRB_SIZE)

struct xhci_erst_entry {
	__le64	addr;
	__le32	size;
	__le32	rsvd;
};

struct xhci_test {
	struct msi_table_test	t;
	void __iomem		*op;
	void __iomem		*rt;
	void			*mem;
	dma_addr_t		mem_dma;
	unsigned int		nintrs;
};

static struct xhci_test *to_xhci(struct msi_table_test *t)
{
	return container_of(t, struct xhci_test, t);
}

static dma_addr_t xhci_test_ring(struct xhci_test *x, unsigned int n)
{
	return x->mem_dma + XHCI_RING_OFFSET + n * XHCI_RING_TRBS * XHCI_TRB_SIZE;
}

/* The controller acts on ERDP when its low half is written: high half first */
static void xhci_test_write_erdp(struct xhci_test *x, unsigned int n, u64 val)
{
	void __iomem *erdp = x->rt + XHCI_IR(n) + XHCI_ERDP;

	writel(upper_32_bits(val), erdp + 4);
	writel(lower_32_bits(val), erdp);
}

/* Dequeue pointer one TRB past the enqueue pointer, Event Handler Busy cleared */
static int xhci_test_fire(struct msi_table_test *t, unsigned int label)
{
	struct xhci_test *x = to_xhci(t);

	/* A block is never larger than the capability, nor this */
	if (label >= x->nintrs)
		return -EINVAL;
	xhci_test_write_erdp(x, label, (xhci_test_ring(x, label) + XHCI_TRB_SIZE) | XHCI_ERDP_EHB);
	return 0;
}

static bool xhci_test_ack(struct msi_table_test *t, unsigned int label)
{
	writel(XHCI_IMAN_IP | XHCI_IMAN_IE, to_xhci(t)->rt + XHCI_IR(label) + XHCI_IMAN);
	return true;
}

static struct msi_table *xhci_test_create(struct msi_table_test *t, unsigned int n)
{
	/* pci_allocate_msi_table() checks n against the capability */
	return pci_allocate_msi_table(t->pdev, n);
}

static void xhci_test_destroy(struct msi_table_test *t)
{
	msi_table_free(t->table);
}

static const struct msi_table_test_ops xhci_test_ops = {
	.fire		= xhci_test_fire,
	.ack		= xhci_test_ack,
	.create		= xhci_test_create,
	.destroy	= xhci_test_destroy,
};

/* Reset the controller; give each interrupter an empty event ring */
static int xhci_test_setup(struct xhci_test *x)
{
	struct xhci_erst_entry *erst;
	unsigned int n;
	u32 sts;
	int ret;

	writel(XHCI_CMD_RESET, x->op + XHCI_USBCMD);
	ret = readl_poll_timeout(x->op + XHCI_USBSTS, sts,
				 !(sts & XHCI_STS_CNR) &&
				 !(readl(x->op + XHCI_USBCMD) & XHCI_CMD_RESET),
				 1000, 1000000);
	if (ret)
		return ret;

	for (n = 0; n < x->nintrs; n++) {
		void __iomem *ir = x->rt + XHCI_IR(n);

		erst = x->mem + n * XHCI_ERST_STRIDE;
		erst->addr = cpu_to_le64(xhci_test_ring(x, n));
		erst->size = cpu_to_le32(XHCI_RING_TRBS);
		writel(1, ir + XHCI_ERSTSZ);
		/* The controller reads the table when the high half is written */
		lo_hi_writeq(x->mem_dma + n * XHCI_ERST_STRIDE, ir + XHCI_ERSTBA);
		xhci_test_write_erdp(x, n, xhci_test_ring(x, n));
		writel(XHCI_IMAN_IP | XHCI_IMAN_IE, ir + XHCI_IMAN);
	}
	/* Interrupts on, the controller not running: no event is ever written */
	writel(XHCI_CMD_INTE, x->op + XHCI_USBCMD);
	return 0;
}

/*
 * The device this driver tests. It binds only through driver_override: the
 * ID is a real product's too, which this test driver must not take.
 */
static const struct pci_device_id xhci_test_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_NEC, 0x0194) },
	{ }
};

static int xhci_test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct xhci_test *x;
	void __iomem *regs;
	int ret;

	if (!pci_match_id(xhci_test_ids, pdev))
		return -ENODEV;

	x = devm_kzalloc(&pdev->dev, sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	regs = msi_table_test_map(pdev);
	if (IS_ERR(regs))
		return PTR_ERR(regs);
	x->op = regs + readb(regs + XHCI_CAPLENGTH);
	x->rt = regs + (readl(regs + XHCI_RTSOFF) & ~0x1fU);
	x->nintrs = min_t(u32, FIELD_GET(XHCI_MAX_INTRS, readl(regs + XHCI_HCSPARAMS1)),
			  XHCI_INTRS);

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	x->mem = dmam_alloc_coherent(&pdev->dev, XHCI_DMA_SIZE, &x->mem_dma, GFP_KERNEL);
	if (!x->mem)
		return -ENOMEM;
	ret = xhci_test_setup(x);
	if (ret)
		return dev_err_probe(&pdev->dev, ret, "controller reset timed out\n");

	x->t.pdev = pdev;
	x->t.ops = &xhci_test_ops;
	x->t.name = "msi-table-test-xhci";
	ret = msi_table_test_add(&x->t);
	if (ret)
		return ret;
	pci_set_drvdata(pdev, x);
	return 0;
}

static void xhci_test_remove(struct pci_dev *pdev)
{
	struct xhci_test *x = pci_get_drvdata(pdev);

	writel(0, x->op + XHCI_USBCMD);
	msi_table_test_remove(&x->t);
}

static struct pci_driver xhci_test_driver = {
	.name		= "msi-table-test-xhci",
	.probe		= xhci_test_probe,
	.remove		= xhci_test_remove,
};
module_pci_driver(xhci_test_driver);

MODULE_DESCRIPTION("Multi-MSI table test driver for QEMU's xHCI controller");
MODULE_LICENSE("GPL");
