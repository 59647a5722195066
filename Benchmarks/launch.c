/* Runs PROGRAM once per INPUT file, each on its stdin, its stdout saved to OUTDIR/<n>.out and
 * its stderr discarded, and prints one line per run: wall microseconds, peak RSS KiB (from
 * wait4), exit status. Being a small C process, it adds almost nothing to a child's peak RSS,
 * which counts the memory a child had before exec.
 *
 *   launch PROGRAM OUTDIR INPUT...
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: launch PROGRAM OUTDIR INPUT...\n");
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        char out[4096];
        snprintf(out, sizeof out, "%s/%d.out", argv[2], i - 3);
        int in_fd = open(argv[i], O_RDONLY);
        int out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null_fd = open("/dev/null", O_WRONLY);
        if (in_fd < 0 || out_fd < 0 || null_fd < 0) {
            perror("open");
            return 1;
        }
        long long start = now_us();
        pid_t pid = fork();
        if (pid == 0) {
            dup2(in_fd, 0);
            dup2(out_fd, 1);
            dup2(null_fd, 2);
            execl(argv[1], argv[1], (char *)NULL);
            _exit(127);
        }
        int status = 0;
        struct rusage usage;
        wait4(pid, &status, 0, &usage);
        long long elapsed = now_us() - start;
        close(in_fd);
        close(out_fd);
        close(null_fd);
        printf("%lld %ld %d\n", elapsed, usage.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    return 0;
}
