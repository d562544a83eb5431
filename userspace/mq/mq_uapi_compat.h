/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * TEMPORARY: issue 15's uapi additions (notes/mq-uapi-spec.md) until
 * kmod/uapi/linux/kmailbox.h has them; removed once it does.
 */
#ifndef MQ_UAPI_COMPAT_H
#define MQ_UAPI_COMPAT_H

#ifndef MAILBOX_IOC_CREATE2
#define MAILBOX_NAME_MAX	255
struct mailbox_create2 {
	__u64 name;
	__u32 name_len;
	__u32 flags;
	__u32 access;
	__u32 mode;
	__u32 capacity;
	__u32 msg_size_max;
	__u32 delivery;
	__u32 prio_max;
	__u64 reserved[4];
};
#define MAILBOX_CREATE_UMASK	0x8
#define MAILBOX_PRIO_MAX_WIDE	32767
struct mailbox_open2 {
	__u64 name;
	__u32 name_len;
	__u32 access;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};
struct mailbox_unlink2 {
	__u64 name;
	__u32 name_len;
	__u32 flags;
	__u64 reserved[2];
};
#define MAILBOX_IOC_CREATE2	_IOW(MAILBOX_IOC_MAGIC, 0x14, struct mailbox_create2)
#define MAILBOX_IOC_OPEN2	_IOW(MAILBOX_IOC_MAGIC, 0x15, struct mailbox_open2)
#define MAILBOX_IOC_UNLINK2	_IOW(MAILBOX_IOC_MAGIC, 0x16, struct mailbox_unlink2)
#define MAILBOX_DEADLINE_REALTIME	0x10
#define MAILBOX_NOTIFY_REMOVE	0
#define MAILBOX_NOTIFY_SIGNAL	1
#define MAILBOX_NOTIFY_NONE	2
#define MAILBOX_NOTIFY_POLL	3
#define MAILBOX_NOTIFY_TAKE	4
struct mailbox_notify {
	__u32 kind;
	__u32 signo;
	__u64 value;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};
#define MAILBOX_IOC_NOTIFY	_IOW(MAILBOX_IOC_MAGIC, 0x17, struct mailbox_notify)
#endif

#endif /* MQ_UAPI_COMPAT_H */
