/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Common part of the MSI table test drivers: the vectors of one table, the
 * interrupt handler which counts them and the debugfs files through which
 * tools/testing/selftests/ims drives them.
 */
#ifndef _MSI_TABLE_TEST_H
#define _MSI_TABLE_TEST_H

#include <linux/msi.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/wait.h>

struct msi_table;
struct msi_table_test;

/**
 * struct msi_table_test_ops - What the device does for the common code
 * @fire:	Make the device raise the vector at @label
 * @ack:	In the interrupt handler: acknowledge the vector at @label;
 *		false if the device raised no cause for it (a spurious
 *		message: not counted)
 * @pending:	Optional: whether the device holds an interrupt of the masked
 *		vector at @label
 * @clear_pending: Optional: drop an interrupt the device holds for the entry
 *		at @label, before a new vector there is requested
 * @cmd:	Optional: the device's own commands, "<cmd> <arg>", called
 *		with the lock held for a command the common code does not know
 * @create:	Optional: create the table of @n labels on command ("create
 *		<n>"), or an ERR_PTR() (-%EINVAL for an @n the device cannot
 *		hold); without it the table is the function's PCI table, taken
 *		by msi_table_test_add()
 * @destroy:	With @create: free the table, whose vectors are freed
 * @get_cookie:	Optional: the instance cookie of a new vector (the queue it
 *		serves); 0 or an errno
 * @put_cookie:	With @get_cookie: the vector with @cookie was freed
 */
struct msi_table_test_ops {
	int	(*fire)(struct msi_table_test *t, unsigned int label);
	bool	(*ack)(struct msi_table_test *t, unsigned int label);
	bool	(*pending)(struct msi_table_test *t, unsigned int label);
	void	(*clear_pending)(struct msi_table_test *t, unsigned int label);
	int	(*cmd)(struct msi_table_test *t, const char *cmd, unsigned int arg);
	struct msi_table *(*create)(struct msi_table_test *t, unsigned int n);
	void	(*destroy)(struct msi_table_test *t);
	int	(*get_cookie)(struct msi_table_test *t, union msi_instance_cookie *cookie);
	void	(*put_cookie)(struct msi_table_test *t, union msi_instance_cookie *cookie);
};

struct msi_table_test_vector {
	struct msi_desc		*desc;
	atomic_t		count;
	int			cpu;
};

/**
 * struct msi_table_test - A device's table under test
 * @pdev:	The device
 * @msix:	The function's MSI-X table, not its MSI block (without
 *		@ops->create)
 * @nvec:	The MSI block size asked of pci_allocate_msi_table()
 * @chip_masks:	The table's chip masks every vector (IMS)
 * @leave_table: On removal, free the vectors but leave the PCI table to the
 *		teardown with the device's MSI data, and free its shell later
 * @fallback:	The platform refused the MSI-X table: @vec holds every entry,
 *		from pci_alloc_irq_vectors(), requested; @table is %NULL
 * @dirname:	Name of the debugfs directory; %NULL: the device's name
 * @parent:	Parent of the debugfs directory; %NULL: msi_table_test/
 * @table:	The table
 * @hwsize:	Its number of labels
 * @ops:	The device's part
 * @name:	The interrupt name, also that of the driver
 * @vec:	The vectors by label
 * @lock:	Serializes commands
 * @wait:	Woken by each interrupt
 * @dir:	The debugfs directory
 */
struct msi_table_test {
	struct pci_dev				*pdev;
	bool					msix;
	unsigned int				nvec;
	bool					chip_masks;
	bool					leave_table;
	bool					fallback;
	const char				*dirname;
	struct dentry				*parent;
	struct msi_table			*table;
	unsigned int				hwsize;
	const struct msi_table_test_ops		*ops;
	const char				*name;
	struct msi_table_test_vector		*vec;
	struct mutex				lock;	/* serializes commands */
	wait_queue_head_t			wait;
	struct dentry				*dir;
};

void __iomem *msi_table_test_map(struct pci_dev *pdev);
int msi_table_test_add(struct msi_table_test *t);
void msi_table_test_remove(struct msi_table_test *t);
int msi_table_test_create_table(struct msi_table_test *t, unsigned int n);
int msi_table_test_destroy_table(struct msi_table_test *t);
int msi_table_test_retake_table(struct msi_table_test *t);

#endif /* _MSI_TABLE_TEST_H */
