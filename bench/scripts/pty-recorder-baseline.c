/*
 * A PTY recorder in C, shaped like ptyq's reader (PtyMaster.readBatch): the master is non-blocking, the reader waits
 * in poll and then reads until EAGAIN into one 64 KiB buffer, and each such batch is one "frame". What it does with
 * a frame is the variable under test:
 *
 *   none      discards it (as `script ... /dev/null > /dev/null` does);
 *   write     write(2)s it to a new file;
 *   mmap      copies it, behind a 32-byte header and 64-byte aligned, into a MAP_SHARED mapping of a new sparse
 *             file (how a Chronicle Queue appender writes the journal);
 *   populate  as mmap, but madvise(MADV_POPULATE_WRITE)s each next 2 MiB of the mapping first.
 *
 * It runs `cat FILE` on a new PTY and prints: wall seconds, its own CPU seconds (user + system, without cat),
 * bytes read and batches. Build: gcc -O2 -o /tmp/pty-recorder-baseline pty-recorder-baseline.c -lutil
 * Usage: pty-recorder-baseline FILE none|write|mmap|populate [OUTFILE]   (see pty-recorder-baseline.sh)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define BATCH_BYTES 65536
#define MAP_BYTES (512UL << 20)
#define POPULATE_STEP (2UL << 20)
#define FRAME_HEADER 32

static double seconds(const struct timeval t)
{
    return t.tv_sec + t.tv_usec / 1e6;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int fail(const char *what)
{
    fprintf(stderr, "pty-recorder-baseline: %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3)
    {
        fprintf(stderr, "usage: %s FILE none|write|mmap|populate [OUTFILE]\n", argv[0]);
        return 2;
    }
    const char *mode = argv[2];
    const int toWrite = 0 == strcmp(mode, "write");
    const int populate = 0 == strcmp(mode, "populate");
    const int toMap = populate || 0 == strcmp(mode, "mmap");
    if (!toWrite && !toMap && 0 != strcmp(mode, "none"))
    {
        fprintf(stderr, "pty-recorder-baseline: unknown mode '%s'\n", mode);
        return 2;
    }
    if ((toWrite || toMap) && argc < 4)
    {
        fprintf(stderr, "pty-recorder-baseline: mode '%s' needs OUTFILE\n", mode);
        return 2;
    }

    int out = -1;
    char *map = NULL;
    if (toWrite || toMap)
    {
        out = open(argv[3], (toMap ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC, 0600);
        if (out < 0)
        {
            return fail(argv[3]);
        }
    }
    if (toMap)
    {
        if (0 != ftruncate(out, MAP_BYTES))
        {
            return fail("ftruncate");
        }
        map = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, out, 0);
        if (MAP_FAILED == map)
        {
            return fail("mmap");
        }
    }

    const double start = now();
    int master;
    const pid_t child = forkpty(&master, NULL, NULL, NULL);
    if (child < 0)
    {
        return fail("forkpty");
    }
    if (0 == child)
    {
        execlp("cat", "cat", argv[1], (char *)NULL);
        _exit(127);
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

    static char batch[BATCH_BYTES];
    size_t total = 0;
    size_t position = 0;
    size_t populated = 0;
    long batches = 0;
    struct pollfd readable = {.fd = master, .events = POLLIN};
    for (;;)
    {
        if (poll(&readable, 1, -1) < 0)
        {
            if (EINTR == errno)
            {
                continue;
            }
            return fail("poll");
        }
        ssize_t n = read(master, batch, sizeof batch);
        if (n <= 0)
        {
            if (n < 0 && (EAGAIN == errno || EINTR == errno))
            {
                continue;
            }
            break; /* EIO: every slave descriptor is closed and the output is drained */
        }
        size_t length = (size_t)n;
        while (length < sizeof batch && (n = read(master, batch + length, sizeof batch - length)) > 0)
        {
            length += (size_t)n;
        }
        if (toWrite && write(out, batch, length) != (ssize_t)length)
        {
            return fail("write");
        }
        if (toMap)
        {
            if (position + FRAME_HEADER + length > MAP_BYTES)
            {
                position = 0;
            }
            if (populate && position + FRAME_HEADER + length > populated && populated < MAP_BYTES)
            {
                if (0 != madvise(map + populated, POPULATE_STEP, MADV_POPULATE_WRITE))
                {
                    return fail("madvise");
                }
                populated += POPULATE_STEP;
            }
            memcpy(map + position, &length, sizeof length);
            memcpy(map + position + FRAME_HEADER, batch, length);
            position += (FRAME_HEADER + length + 63) & ~63UL;
        }
        total += length;
        batches++;
    }
    waitpid(child, NULL, 0);
    const double wall = now() - start;

    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("%.3f %.3f %zu %ld\n", wall, seconds(usage.ru_utime) + seconds(usage.ru_stime), total, batches);
    return 0;
}
