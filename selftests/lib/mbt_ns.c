// SPDX-License-Identifier: GPL-2.0
/*
 * Processes in namespaces of their own: a child that is pid 1 of a new
 * pid namespace, for the tests of pid translation; a child in a new IPC
 * namespace, and in a new user namespace whose ids its parent maps, for
 * the tests of containers.
 */
#define _GNU_SOURCE
#define MBT_LIB
#include <sched.h>
#include <sys/prctl.h>
#include "mbt.h"

pid_t mbt_fork_pidns(void)
{
	pid_t pid;

	if (unshare(CLONE_NEWPID))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid == 0 && prctl(PR_SET_PDEATHSIG, SIGKILL))
		_exit(125);
	return pid < 0 ? -errno : pid;
}

int mbt_unshare_ipc(void)
{
	return unshare(CLONE_NEWIPC) ? -errno : 0;
}

int mbt_ns_fd(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)(pid ? pid : getpid()));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int mbt_setns_ipc(int nsfd)
{
	return setns(nsfd, CLONE_NEWIPC) ? -errno : 0;
}

/* Write "0 @base 65536" to /proc/@pid/@file. */
static int mbt_write_map(pid_t pid, const char *file, unsigned int base)
{
	char path[64], map[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	snprintf(map, sizeof(map), "0 %u %u\n", base, MBT_USERNS_IDS);
	return mbt_write_file(path, map, 0);
}

pid_t mbt_fork_ns(int flags, unsigned int base)
{
	int ready[2], go[2];
	pid_t pid = -1;
	char c = 'n';
	int ret = 0;

	if (pipe(ready))
		return -errno;
	if (pipe(go)) {
		ret = -errno;
		goto out_ready;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out_go;
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL))
			_exit(125);
		close(ready[0]);
		close(go[1]);
		c = unshare(flags) ? 'n' : 'y';
		if (write(ready[1], &c, 1) != 1 || c != 'y')
			_exit(125);
		if (read(go[0], &c, 1) != 1 || c != 'y')
			_exit(125);
		close(ready[1]);
		close(go[0]);
		/* Become the new user namespace's root: @base outside. */
		if ((flags & CLONE_NEWUSER) &&
		    (setresgid(0, 0, 0) || setresuid(0, 0, 0)))
			_exit(125);
		return 0;
	}
	if (read(ready[0], &c, 1) != 1 || c != 'y') {
		ret = -EPERM;
	} else if (flags & CLONE_NEWUSER) {
		ret = mbt_write_map(pid, "uid_map", base);
		if (!ret)
			ret = mbt_write_map(pid, "gid_map", base);
	}
	c = ret ? 'n' : 'y';
	if (write(go[1], &c, 1) != 1 && !ret)
		ret = -EPIPE;
	if (ret)
		waitpid(pid, NULL, 0);
out_go:
	close(go[0]);
	close(go[1]);
out_ready:
	close(ready[0]);
	close(ready[1]);
	return ret ? ret : pid;
}
