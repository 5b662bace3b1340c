/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_MSI_COMPOSE_H
#define _ASM_X86_MSI_COMPOSE_H

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>

struct module;
struct msi_msg;

/**
 * enum x86_msi_compose_op - What an interrupt remapping domain asks
 * @X86_MSI_COMPOSE_ACTIVATE:	The remapping entry gets a real vector and
 *				destination: issue the message the device
 *				must store, and route it there
 * @X86_MSI_COMPOSE_UPDATE:	The vector or destination of an activated
 *				entry changed; the message stays
 * @X86_MSI_COMPOSE_RELEASE:	The entry is deactivated: the message is
 *				released and must not be delivered any more
 */
enum x86_msi_compose_op {
	X86_MSI_COMPOSE_ACTIVATE	= 1,
	X86_MSI_COMPOSE_UPDATE		= 2,
	X86_MSI_COMPOSE_RELEASE		= 3,
};

/* x86_msi_compose_req::flags */
#define X86_MSI_COMPOSE_F_IMS		BIT(0)	/* The entry is in an IMS table */
#define X86_MSI_COMPOSE_F_PASID		BIT(1)	/* @pasid is valid */
#define X86_MSI_COMPOSE_F_DEST_LOGICAL	BIT(2)	/* @dest_id is a logical APIC ID */

/**
 * struct x86_msi_compose_req - A request of a remapping domain to its hypervisor
 * @op:		The operation, &enum x86_msi_compose_op
 * @flags:	X86_MSI_COMPOSE_F_*
 * @segment:	PCI segment of the device
 * @requester_id: Requester ID the IOMMU sees in the device's interrupt
 *		requests (after DMA aliases), as in the remapping entry
 * @pasid:	PASID of the requests, if %X86_MSI_COMPOSE_F_PASID
 * @irte_index:	Index of the guest's remapping entry, the first of a block
 * @sub_handle:	Entry of the block, 0 for a single entry
 * @nr_handles:	Entries in the block (a power of two), 1 for a single entry
 * @vector:	CPU vector of the entry
 * @dest_id:	Destination APIC ID of the entry
 * @table_id:	For IMS: the id of the table, unique among the device's tables
 * @hw_label:	For IMS: the entry's index in its table
 */
struct x86_msi_compose_req {
	u32	op;
	u32	flags;
	u16	segment;
	u16	requester_id;
	u32	pasid;
	u32	irte_index;
	u16	sub_handle;
	u16	nr_handles;
	u32	vector;
	u32	dest_id;
	u32	table_id;
	u32	hw_label;
};

/**
 * struct x86_msi_compose_ops - A hypervisor's answer to remapping domains
 * @name:	Name of the backend, for the log
 * @owner:	Module of the backend
 * @compose:	Carry out @req. For %X86_MSI_COMPOSE_ACTIVATE, store the
 *		message the device must hold in @msg; other operations leave
 *		@msg alone. Called with interrupts disabled and raw spinlocks
 *		held; must not sleep. Return: 0 or a negative errno, which the
 *		remapping domain passes on.
 */
struct x86_msi_compose_ops {
	const char	*name;
	struct module	*owner;
	int		(*compose)(const struct x86_msi_compose_req *req, struct msi_msg *msg);
};

#ifdef CONFIG_IRQ_REMAP
int x86_msi_compose_register(const struct x86_msi_compose_ops *ops);
int x86_msi_compose_unregister(const struct x86_msi_compose_ops *ops);
bool x86_msi_compose_available(void);
int x86_msi_compose_get(void);
void x86_msi_compose_put(void);
int x86_msi_compose(const struct x86_msi_compose_req *req, struct msi_msg *msg);
void x86_msi_compose_set_recompose(void (*recompose)(void));
void x86_msi_compose_request_recompose(void);
#else
static inline int x86_msi_compose_register(const struct x86_msi_compose_ops *ops)
{
	return -EOPNOTSUPP;
}

static inline int x86_msi_compose_unregister(const struct x86_msi_compose_ops *ops)
{
	return -ENOENT;
}

static inline bool x86_msi_compose_available(void)
{
	return false;
}

static inline void x86_msi_compose_request_recompose(void) { }
#endif

#endif /* _ASM_X86_MSI_COMPOSE_H */
