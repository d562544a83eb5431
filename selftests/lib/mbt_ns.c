// SPDX-License-Identifier: GPL-2.0
/*
 * Processes in namespaces of their own: a child that is pid 1 of a new
 * pid namespace, for the tests of pid translation.
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
