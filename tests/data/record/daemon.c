/* daemon: the parent exits at once; its child, detached (setsid), waits a little and then makes
 * a call nothing else here makes (sched_get_priority_max), and writes "done" to the file named
 * by argv[1]. A recorder that stops with the parent misses that call. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pid_t pid = fork();
	if (pid != 0)
		return pid < 0;
	setsid();
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	int prio = sched_get_priority_max(SCHED_FIFO);
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && prio > 0 && write(fd, "done\n", 5) != 5)
		return 1;
	return 0;
}
