// SPDX-License-Identifier: GPL-2.0
/*
 * Remapped MSI messages issued by the hypervisor.
 *
 * In a guest, a device stores the message the guest's interrupt remapping
 * domain composed, and the VMM must turn what the device then sends into an
 * interrupt of the guest. For the MSI capability and the MSI-X table the
 * VMM can trap the stores and remap what it reads there; a device's own
 * message store (IMS) it cannot see. A remapping domain therefore asks the
 * hypervisor, whenever it activates, updates or releases an entry, for the
 * message the device must store. The backend of the hypervisor the kernel
 * runs on registers here; the remapping domains do not know which one it
 * is.
 */
#define pr_fmt(fmt) "x86/msi-compose: " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <asm/msi_compose.h>

static DEFINE_SPINLOCK(compose_lock);
/* Protected by compose_lock; read locklessly by the holders of a reference */
static const struct x86_msi_compose_ops *compose_ops;
static unsigned int compose_users;

/* Set once, by the remapping domain at boot */
static void (*compose_recompose)(void);

/* What the backends were asked, for debugfs: calls and refusals per op */
static atomic_long_t compose_calls[X86_MSI_COMPOSE_RELEASE + 1];
static atomic_long_t compose_refused[X86_MSI_COMPOSE_RELEASE + 1];
static atomic_long_t compose_recomposed;

/* Run for x86_msi_compose_request_recompose() */
static void recompose_work_fn(struct work_struct *work)
{
	if (!READ_ONCE(compose_recompose))
		return;
	compose_recompose();
	atomic_long_inc(&compose_recomposed);
}

static DECLARE_WORK(recompose_work, recompose_work_fn);

/**
 * x86_msi_compose_register - Register the backend of the hypervisor
 * @ops:	The backend's operations
 *
 * Remapping domains ask @ops for the messages of the entries they allocate
 * from now on; entries allocated earlier keep their trapped messages.
 *
 * Return: 0, -EINVAL without a compose callback, -EBUSY when a backend is
 * registered already.
 */
int x86_msi_compose_register(const struct x86_msi_compose_ops *ops)
{
	int ret = 0;

	if (!ops || !ops->compose)
		return -EINVAL;

	spin_lock(&compose_lock);
	if (compose_ops)
		ret = -EBUSY;
	else
		WRITE_ONCE(compose_ops, ops);
	spin_unlock(&compose_lock);

	if (!ret)
		pr_info("messages of remapped interrupts are issued by %s\n", ops->name);
	return ret;
}
EXPORT_SYMBOL_GPL(x86_msi_compose_register);

/**
 * x86_msi_compose_unregister - Unregister the backend of the hypervisor
 * @ops:	The backend's operations, as registered
 *
 * Return: 0, -ENOENT when @ops is not registered, -EBUSY while remapping
 * entries hold references to it (a module backend cannot be unloaded
 * then).
 */
int x86_msi_compose_unregister(const struct x86_msi_compose_ops *ops)
{
	int ret = 0;

	spin_lock(&compose_lock);
	if (!ops || compose_ops != ops)
		ret = -ENOENT;
	else if (compose_users)
		ret = -EBUSY;
	else
		WRITE_ONCE(compose_ops, NULL);
	spin_unlock(&compose_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(x86_msi_compose_unregister);

/**
 * x86_msi_compose_available - Whether a hypervisor issues remapped messages
 *
 * Return: true while a backend is registered.
 */
bool x86_msi_compose_available(void)
{
	return READ_ONCE(compose_ops);
}

/**
 * x86_msi_compose_get - Take a reference to the backend for one entry
 *
 * A remapping domain takes one for every entry whose message the backend
 * issues, when it allocates the entry, and drops it when it frees the
 * entry: the backend stays registered in between.
 *
 * Return: 0, or -ENODEV when no backend is registered or its module goes
 * away.
 */
int x86_msi_compose_get(void)
{
	int ret = -ENODEV;

	spin_lock(&compose_lock);
	if (compose_ops && try_module_get(compose_ops->owner)) {
		compose_users++;
		ret = 0;
	}
	spin_unlock(&compose_lock);
	return ret;
}

/**
 * x86_msi_compose_put - Drop a reference taken by x86_msi_compose_get()
 */
void x86_msi_compose_put(void)
{
	spin_lock(&compose_lock);
	if (!WARN_ON_ONCE(!compose_users)) {
		compose_users--;
		module_put(compose_ops->owner);
	}
	spin_unlock(&compose_lock);
}

/**
 * x86_msi_compose - Ask the hypervisor
 * @req:	The request
 * @msg:	Where the message of an activation is stored
 *
 * The caller holds a reference (x86_msi_compose_get()). May be called with
 * interrupts disabled and raw spinlocks held.
 *
 * Return: 0 or the backend's negative errno.
 */
int x86_msi_compose(const struct x86_msi_compose_req *req, struct msi_msg *msg)
{
	const struct x86_msi_compose_ops *ops = READ_ONCE(compose_ops);

	int ret;

	if (WARN_ON_ONCE(!ops))
		return -ENODEV;
	if (WARN_ON_ONCE(req->op < X86_MSI_COMPOSE_ACTIVATE || req->op > X86_MSI_COMPOSE_RELEASE))
		return -EINVAL;
	ret = ops->compose(req, msg);
	atomic_long_inc(ret ? &compose_refused[req->op] : &compose_calls[req->op]);
	return ret;
}

/**
 * x86_msi_compose_set_recompose - Set what re-composes every issued message
 * @recompose:	Called in process context when the hypervisor asks
 *
 * For the remapping domain, which knows the entries: @recompose activates
 * each entry holding an issued message again and rewrites what the device
 * stores.
 */
void x86_msi_compose_set_recompose(void (*recompose)(void))
{
	WRITE_ONCE(compose_recompose, recompose);
}

/**
 * x86_msi_compose_request_recompose - The hypervisor asks to re-compose
 *
 * For backends, when the hypervisor says the messages it issued are no
 * longer valid (the guest moved to a host whose resources differ). May be
 * called in interrupt context; the messages are re-composed in a work item.
 */
void x86_msi_compose_request_recompose(void)
{
	schedule_work(&recompose_work);
}
EXPORT_SYMBOL_GPL(x86_msi_compose_request_recompose);

static int compose_show(struct seq_file *m, void *v)
{
	const struct x86_msi_compose_ops *ops;

	spin_lock(&compose_lock);
	ops = compose_ops;
	seq_printf(m, "backend: %s\n", ops ? ops->name : "none");
	seq_printf(m, "entries: %u\n", compose_users);
	spin_unlock(&compose_lock);

	seq_printf(m, "activate: %ld\nupdate: %ld\nrelease: %ld\n",
		   atomic_long_read(&compose_calls[X86_MSI_COMPOSE_ACTIVATE]),
		   atomic_long_read(&compose_calls[X86_MSI_COMPOSE_UPDATE]),
		   atomic_long_read(&compose_calls[X86_MSI_COMPOSE_RELEASE]));
	seq_printf(m, "refused: %ld %ld %ld\n",
		   atomic_long_read(&compose_refused[X86_MSI_COMPOSE_ACTIVATE]),
		   atomic_long_read(&compose_refused[X86_MSI_COMPOSE_UPDATE]),
		   atomic_long_read(&compose_refused[X86_MSI_COMPOSE_RELEASE]));
	seq_printf(m, "recomposed: %ld\n", atomic_long_read(&compose_recomposed));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(compose);

/* /sys/kernel/debug/x86/msi_compose: the backend and what it was asked */
static int __init msi_compose_debugfs_init(void)
{
	debugfs_create_file("msi_compose", 0444, arch_debugfs_dir, NULL, &compose_fops);
	return 0;
}
late_initcall(msi_compose_debugfs_init);
