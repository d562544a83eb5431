// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: the /dev/mailbox misc device, its file operations and
 * ioctl dispatch, module parameters, load and unload.
 */
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kmailbox.h"

/* The uapi is the same for 32-bit and 64-bit callers: no compat structs. */
static_assert(sizeof(struct mailbox_create) == 120);
static_assert(sizeof(struct mailbox_open) == 88);
static_assert(sizeof(struct mailbox_unlink) == 88);
static_assert(sizeof(struct mailbox_send) == 56);
static_assert(sizeof(struct mailbox_recv) == 72);
static_assert(sizeof(struct mailbox_info) == 184);
static_assert(offsetof(struct mailbox_info, dropped) == 176);
static_assert(offsetof(struct mailbox_version, msg_header) == 24);
static_assert(sizeof(struct mailbox_direct) == 48);
static_assert(sizeof(struct mailbox_policy) == 32);
static_assert(sizeof(struct mailbox_recv_prio) == 16);
static_assert(sizeof(struct mailbox_version) == 40);
static_assert(sizeof(struct mailbox_batch) == 40);
static_assert(sizeof(struct mailbox_list) == 128);
static_assert(sizeof(struct mailbox_vec) == 56);
static_assert(sizeof(struct mailbox_vec_entry) == 16);
static_assert(sizeof(struct mailbox_vec_meta) == 16);
static_assert(sizeof(struct mailbox_map) == 48);
static_assert(sizeof(struct mailbox_map_wait) == 32);
static_assert(sizeof(struct mailbox_create2) == 72);
static_assert(sizeof(struct mailbox_open2) == 40);
static_assert(sizeof(struct mailbox_unlink2) == 32);
static_assert(offsetof(struct mailbox_info, prio_max) == 172);
static_assert(sizeof(struct mailbox_notify) == 40);

/* Kbuild passes the numbers of the top-level VERSION file. */
#define KMAILBOX_VERSION __stringify(KMAILBOX_MAJOR) "." \
	__stringify(KMAILBOX_MINOR) "." __stringify(KMAILBOX_PATCH)

/* Bit _IOC_NR(cmd) of every ioctl kmb_fop_ioctl() implements. */
#define KMB_IOCTLS (BIT_ULL(_IOC_NR(MAILBOX_IOC_CREATE)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_OPEN)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_UNLINK)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_SEND)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_RECV)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_STAT)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_SEND_TO)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_OPEN_DIRECT)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_SET_POLICY)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_SET_RECV_PRIO)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_VERSION)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_SEND_BATCH)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_RECV_BATCH)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_LIST)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_SENDV)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_RECVV)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_MAP)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_MAP_WAIT)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_CREATE2)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_OPEN2)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_UNLINK2)) | \
		     BIT_ULL(_IOC_NR(MAILBOX_IOC_NOTIFY)))

unsigned int kmb_max_mailboxes = 4096;
module_param_named(max_mailboxes, kmb_max_mailboxes, uint, 0644);
MODULE_PARM_DESC(max_mailboxes, "Mailboxes in one IPC namespace at most (-ENOSPC)");

unsigned int kmb_max_mailboxes_total = 65536;
module_param_named(max_mailboxes_total, kmb_max_mailboxes_total, uint, 0644);
MODULE_PARM_DESC(max_mailboxes_total, "Mailboxes in all IPC namespaces at most (-ENOSPC)");

unsigned int kmb_user_mailboxes_max = 1024;
module_param_named(user_mailboxes_max, kmb_user_mailboxes_max, uint, 0644);
MODULE_PARM_DESC(user_mailboxes_max, "Mailboxes one user may create (-ENOSPC)");

unsigned int kmb_msg_size_limit = 1 << 20;
module_param_named(msg_size_limit, kmb_msg_size_limit, uint, 0644);
MODULE_PARM_DESC(msg_size_limit, "Largest msg_size_max of a mailbox (-EINVAL)");

unsigned int kmb_capacity_limit = 65536;
module_param_named(capacity_limit, kmb_capacity_limit, uint, 0644);
MODULE_PARM_DESC(capacity_limit, "Largest capacity of a mailbox (-EINVAL)");

unsigned long kmb_user_bytes_max = 64UL << 20;
module_param_named(user_bytes_max, kmb_user_bytes_max, ulong, 0644);
MODULE_PARM_DESC(user_bytes_max, "Message bytes one user may have in flight (-ENOBUFS)");

static int kmb_fop_open(struct inode *inode, struct file *file)
{
	struct kmb_file *mf;

	mf = kzalloc(sizeof(*mf), GFP_KERNEL_ACCOUNT);
	if (!mf)
		return -ENOMEM;
	/* The opener, most likely the one to send: see kmb_user_current(). */
	mf->user = kmb_user_get(file->f_cred->euid);
	if (!mf->user) {
		kfree(mf);
		return -ENOMEM;
	}
	spin_lock_init(&mf->user_lock);
	mutex_init(&mf->sub.recv_lock);
	file->private_data = mf;
	return nonseekable_open(inode, file);
}

static int kmb_fop_release(struct inode *inode, struct file *file)
{
	struct kmb_file *mf = file->private_data;

	kmb_file_release(mf);
	mutex_destroy(&mf->sub.recv_lock);
	kfree(mf);
	return 0;
}

static int kmb_fop_flush(struct file *file, fl_owner_t id)
{
	kmb_notify_flush(file->private_data);
	kmb_direct_flush(file->private_data);
	return 0;
}

/* The arguments of the ioctls that only read theirs. */
union kmb_ioc_in {
	struct mailbox_create create;
	struct mailbox_open open;
	struct mailbox_unlink unlink;
	struct mailbox_direct direct;
	struct mailbox_policy policy;
	struct mailbox_recv_prio recv_prio;
	struct mailbox_create2 create2;
	struct mailbox_open2 open2;
	struct mailbox_unlink2 unlink2;
	struct mailbox_notify notify;
};

static long kmb_set_recv_prio(struct kmb_file *mf,
			      const struct mailbox_recv_prio *args)
{
	if (args->priority > MAILBOX_PRIO_MAX || args->flags || args->reserved)
		return -EINVAL;
	WRITE_ONCE(mf->recv_prio, args->priority);
	return 0;
}

/*
 * MAILBOX_IOC_CREATE, OPEN, UNLINK, their *2 variants, OPEN_DIRECT,
 * SET_POLICY, SET_RECV_PRIO and NOTIFY: copy the argument in (_IOC_SIZE(@cmd) bytes, one of the
 * union's members), then do it.
 */
static long kmb_ioctl_in(struct kmb_file *mf, unsigned int cmd,
			 void __user *uarg)
{
	union kmb_ioc_in in;

	if (copy_from_user(&in, uarg, _IOC_SIZE(cmd)))
		return -EFAULT;
	switch (cmd) {
	case MAILBOX_IOC_CREATE:
		return kmb_ioc_create(mf, &in.create);
	case MAILBOX_IOC_OPEN:
		return kmb_ioc_open(mf, &in.open);
	case MAILBOX_IOC_UNLINK:
		return kmb_ioc_unlink(&in.unlink);
	case MAILBOX_IOC_CREATE2:
		return kmb_ioc_create2(mf, &in.create2);
	case MAILBOX_IOC_OPEN2:
		return kmb_ioc_open2(mf, &in.open2);
	case MAILBOX_IOC_UNLINK2:
		return kmb_ioc_unlink2(&in.unlink2);
	case MAILBOX_IOC_OPEN_DIRECT:
		return kmb_ioc_open_direct(mf, &in.direct);
	}
	if (!kmb_of(mf))
		return -EBADFD;
	if (cmd == MAILBOX_IOC_SET_POLICY)
		return kmb_ioc_set_policy(mf, &in.policy);
	if (cmd == MAILBOX_IOC_NOTIFY)
		return kmb_ioc_notify(mf, kmb_of(mf), &in.notify);
	return kmb_set_recv_prio(mf, &in.recv_prio);
}

static long kmb_ioctl_stat(struct kmb_file *mf, void __user *uarg)
{
	struct kmb *mb = kmb_of(mf);
	struct mailbox_info info;

	if (!mb)
		return -EBADFD;
	kmb_fill_info(mb, mf, &info);
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long kmb_ioctl_version(void __user *uarg)
{
	struct mailbox_version v = {
		.major = KMAILBOX_MAJOR,
		.minor = KMAILBOX_MINOR,
		.patch = KMAILBOX_PATCH,
		.ioctls = KMB_IOCTLS,
		.msg_header = sizeof(struct kmb_msg),
	};

	return copy_to_user(uarg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* MAILBOX_IOC_MAP and MAILBOX_IOC_MAP_WAIT: mapped.c. */
static long kmb_ioctl_map(struct kmb_file *mf, unsigned int cmd,
			  void __user *uarg, bool nonblock)
{
	struct kmb *mb = kmb_of(mf);

	if (!mb)
		return -EBADFD;
	if (cmd == MAILBOX_IOC_MAP)
		return kmb_ioc_map(mf, mb, uarg);
	return kmb_ioc_map_wait(mf, mb, uarg, nonblock);
}

static long kmb_fop_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct kmb_file *mf = file->private_data;
	void __user *uarg = (void __user *)arg;
	bool nonblock = file->f_flags & O_NONBLOCK;

	switch (cmd) {
	case MAILBOX_IOC_CREATE:
	case MAILBOX_IOC_OPEN:
	case MAILBOX_IOC_UNLINK:
	case MAILBOX_IOC_OPEN_DIRECT:
	case MAILBOX_IOC_SET_POLICY:
	case MAILBOX_IOC_SET_RECV_PRIO:
	case MAILBOX_IOC_CREATE2:
	case MAILBOX_IOC_OPEN2:
	case MAILBOX_IOC_UNLINK2:
	case MAILBOX_IOC_NOTIFY:
		return kmb_ioctl_in(mf, cmd, uarg);
	case MAILBOX_IOC_SEND:
		return kmb_ioctl_send(mf, uarg, KMB_TO_BOUND, nonblock);
	case MAILBOX_IOC_SEND_TO:
		return kmb_ioctl_send(mf, uarg, KMB_TO_PID, nonblock);
	case MAILBOX_IOC_RECV:
		return kmb_ioctl_recv(mf, uarg, nonblock);
	case MAILBOX_IOC_SEND_BATCH:
		return kmb_ioctl_batch(mf, uarg, false, nonblock);
	case MAILBOX_IOC_RECV_BATCH:
		return kmb_ioctl_batch(mf, uarg, true, nonblock);
	case MAILBOX_IOC_SENDV:
		return kmb_ioctl_vec(mf, uarg, false, nonblock);
	case MAILBOX_IOC_RECVV:
		return kmb_ioctl_vec(mf, uarg, true, nonblock);
	case MAILBOX_IOC_STAT:
		return kmb_ioctl_stat(mf, uarg);
	case MAILBOX_IOC_VERSION:
		return kmb_ioctl_version(uarg);
	case MAILBOX_IOC_LIST:
		return kmb_ioc_list(uarg);
	case MAILBOX_IOC_MAP:
	case MAILBOX_IOC_MAP_WAIT:
		return kmb_ioctl_map(mf, cmd, uarg, nonblock);
	default:
		return -ENOTTY;
	}
}

static __poll_t kmb_fop_poll(struct file *file, poll_table *wait)
{
	struct kmb_file *mf = file->private_data;
	struct kmb *mb = kmb_of(mf);

	if (!mb)
		return EPOLLERR;
	poll_wait(file, &mb->poll_wq, wait);
	if (mb->ring)
		return kmb_ring_poll_mask(mf);
	return kmb_poll_mask(mf);
}

static int kmb_fop_mmap(struct file *file, struct vm_area_struct *vma)
{
	return kmb_ring_mmap(file->private_data, vma);
}

static void kmb_fop_show_fdinfo(struct seq_file *m, struct file *file)
{
	kmb_show_fdinfo(m, file->private_data);
}

static const struct file_operations kmb_fops = {
	.owner = THIS_MODULE,
	.open = kmb_fop_open,
	.release = kmb_fop_release,
	.flush = kmb_fop_flush,
	.unlocked_ioctl = kmb_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = kmb_fop_poll,
	.mmap = kmb_fop_mmap,
	.show_fdinfo = kmb_fop_show_fdinfo,
};

static struct miscdevice kmb_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mailbox",
	.fops = &kmb_fops,
	.mode = 0666,
};

static int __init kmb_init(void)
{
	int ret;

	ret = kmb_msg_caches_init();
	if (ret)
		return ret;
	ret = kmb_proc_init();
	if (ret)
		goto err_caches;
	ret = misc_register(&kmb_misc);
	if (ret)
		goto err_proc;
	return 0;

err_proc:
	kmb_proc_exit();
err_caches:
	kmb_msg_caches_exit();
	return ret;
}

static void __exit kmb_exit(void)
{
	misc_deregister(&kmb_misc);
	kmb_proc_exit();
	kmb_ns_exit();
	kmb_registry_exit();
	kmb_msg_caches_exit();
	kmb_users_exit();
}

module_init(kmb_init);
module_exit(kmb_exit);

MODULE_DESCRIPTION("Kernel-resident mailboxes for message passing (/dev/mailbox)");
MODULE_LICENSE("GPL");
MODULE_VERSION(KMAILBOX_VERSION);
