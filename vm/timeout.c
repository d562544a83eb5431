// SPDX-License-Identifier: GPL-2.0
/*
 * timeout for the test VM, installed as /usr/bin/timeout (built statically
 * by vm/run). busybox's timeout signals only the command it started, so a
 * test binary whose children hang keeps the kselftest runner's pipe open
 * forever. This one puts the command in a process group of its own and
 * signals the whole group, as GNU timeout does, unless --foreground is
 * given (then only the command, which stays in the caller's group).
 *
 * usage: timeout [--foreground] [-k KILL_SECS] [-s SIGNAL] SECS COMMAND...
 * Exit status: the command's, 124 if it timed out, 128+N if killed by
 * signal N, 125 on a usage error, 126/127 if COMMAND cannot be run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static int signal_number(const char *s)
{
	static const struct { const char *name; int sig; } sigs[] = {
		{ "TERM", SIGTERM }, { "KILL", SIGKILL }, { "INT", SIGINT },
		{ "HUP", SIGHUP }, { "QUIT", SIGQUIT }, { "USR1", SIGUSR1 },
		{ "USR2", SIGUSR2 }, { "ALRM", SIGALRM },
	};
	char *end;
	long n;
	size_t i;

	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(s, sigs[i].name))
			return sigs[i].sig;
	n = strtol(s, &end, 10);
	return (*s && !*end && n > 0 && n < 65) ? (int)n : -1;
}

static unsigned int seconds(const char *s)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s || d < 0 || (*end && strcmp(end, "s")))
		return (unsigned int)-1;
	return d > 0 && d < 1 ? 1 : (unsigned int)d;
}

static void usage(void)
{
	fprintf(stderr, "usage: timeout [--foreground] [-k SECS] [-s SIGNAL] SECS COMMAND...\n");
	exit(125);
}

int main(int argc, char **argv)
{
	int foreground = 0, sig = SIGTERM, status, i = 1, sent = 0;
	unsigned int secs, kill_after = 0;
	struct sigaction sa;
	pid_t pid, target;

	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		if (!strcmp(argv[i], "--foreground")) {
			foreground = 1;
			i++;
		} else if (!strcmp(argv[i], "-k") && i + 1 < argc) {
			kill_after = seconds(argv[i + 1]);
			i += 2;
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			sig = signal_number(argv[i + 1]);
			i += 2;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			usage();
		}
	}
	if (i + 2 > argc || sig < 0 || kill_after == (unsigned int)-1)
		usage();
	secs = seconds(argv[i]);
	if (secs == (unsigned int)-1)
		usage();
	i++;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);

	pid = fork();
	if (pid < 0) {
		perror("timeout: fork");
		return 125;
	}
	if (pid == 0) {
		if (!foreground)
			setpgid(0, 0);
		execvp(argv[i], argv + i);
		fprintf(stderr, "timeout: %s: %s\n", argv[i], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (!foreground)
		setpgid(pid, pid);	/* no race with the child's own call */
	target = foreground ? pid : -pid;

	if (secs)
		alarm(secs);
	for (;;) {
		if (waitpid(pid, &status, 0) == pid)
			break;
		if (errno != EINTR)
			return 125;
		if (alarms >= 1 && sent == 0) {
			kill(target, sig);
			kill(target, SIGCONT);
			sent = 1;
			if (kill_after)
				alarm(kill_after);
		} else if (alarms >= 2 && sent == 1) {
			kill(target, SIGKILL);
			sent = 2;
		}
	}
	if (sent)
		return 124;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
