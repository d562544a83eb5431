// SPDX-License-Identifier: GPL-2.0
/*
 * Files, module parameters, fdinfo, signal handlers and memory that
 * faults, for the selftests. Each returns 0 (or a value) or -errno.
 */
#define _GNU_SOURCE
#define MBT_LIB
#include <poll.h>
#include <sys/mman.h>
#include "mbt.h"

/* Write @val to the file @path opened with O_WRONLY | @oflags. */
int mbt_write_file(const char *path, const char *val, int oflags)
{
	ssize_t len = strlen(val);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | oflags);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* Read at most @size - 1 bytes of @path into @buf, NUL-terminated: length. */
int mbt_read_file(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	if (len < 0)
		len = -errno;
	else
		buf[len] = '\0';
	close(fd);
	return len;
}

/* A module parameter's value, or @dflt when it cannot be read. */
unsigned long mbt_param_or(const char *param, unsigned long dflt)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), MBT_PARAM_DIR "%s", param);
	if (mbt_read_file(path, buf, sizeof(buf)) <= 0)
		return dflt;
	return strtoul(buf, NULL, 0);
}

int mbt_param_write(const char *param, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), MBT_PARAM_DIR "%s", param);
	return mbt_write_file(path, val, 0);
}

/*
 * Set module parameter @param to @val for the test of @e, restored by
 * mbt_env_cleanup(): 0, -EACCES when it is not writable, or -errno.
 */
int mbt_env_param_set(struct mbt_env *e, const char *param,
		      unsigned long val)
{
	char path[128], value[32];
	int i = e->nparams, ret;

	snprintf(path, sizeof(path), MBT_PARAM_DIR "%s", param);
	if (geteuid() != 0 || access(path, W_OK))
		return -EACCES;
	if (i >= MBT_MAX_PARAMS)
		return -ENOSPC;
	ret = mbt_read_file(path, e->params[i].old, sizeof(e->params[i].old));
	if (ret <= 0)
		return ret < 0 ? ret : -EIO;
	e->params[i].old[strcspn(e->params[i].old, "\n")] = '\0';
	snprintf(e->params[i].param, sizeof(e->params[i].param), "%s", param);
	e->nparams++;
	snprintf(value, sizeof(value), "%lu", val);
	return mbt_param_write(param, value);
}

/* The text of /proc/self/fdinfo/@fd into @buf: its length or -errno. */
int mbt_fdinfo(int fd, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return mbt_read_file(path, buf, size);
}

/* fdinfo of @fd has the line "@key:\t@val". */
bool mbt_fdinfo_has(int fd, const char *key, const char *val)
{
	char buf[4096], want[256];

	if (mbt_fdinfo(fd, buf, sizeof(buf)) < 0)
		return false;
	snprintf(want, sizeof(want), "%s:\t%s\n", key, val);
	return strstr(buf, want) != NULL;
}

/* Run @handler on SIGUSR1, with SA_RESTART if @restart: sigaction()'s. */
int mbt_install_handler(void (*handler)(int), bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL);
}

/* A private page with protection @prot (PROT_NONE: faults); NULL if not. */
void *mbt_page(int prot)
{
	void *p = mmap(NULL, sysconf(_SC_PAGESIZE), prot,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* poll()'s revents of @fd for POLLIN | POLLOUT now, or -1. */
short mbt_poll_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

	return poll(&pfd, 1, 0) < 0 ? -1 : pfd.revents;
}
