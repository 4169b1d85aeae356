#!/usr/bin/env python3
"""What the first write to each page of a new sparse file costs through a shared mapping, as a journal's appender
pays it: CPU per page with and without the pages cached first (pread of the holes, which caches zeroed pages and
writes nothing), each after a pause in which freed memory can go back to a VM's host.

Usage: bench/scripts/page-fault-cost.py [DIR] [MIB] [PAUSE_S] [ROUNDS]   (defaults: /tmp 200 4 2)
"""
import mmap
import os
import sys
import time

PAGE = 4096


def run(path, pages, cache_first):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.ftruncate(fd, pages * PAGE)
        t0 = time.process_time()
        if cache_first:
            for offset in range(0, pages * PAGE, 1 << 20):
                os.pread(fd, 1 << 20, offset)
        t1 = time.process_time()
        with mmap.mmap(fd, pages * PAGE) as m:
            for offset in range(0, pages * PAGE, PAGE):
                m[offset] = 1
        t2 = time.process_time()
        return t1 - t0, t2 - t1
    finally:
        os.close(fd)
        os.unlink(path)


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    pages = (int(sys.argv[2]) if len(sys.argv) > 2 else 200) * (1 << 20) // PAGE
    pause = float(sys.argv[3]) if len(sys.argv) > 3 else 4
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    path = os.path.join(directory, "ptyq-page-fault-cost.tmp")
    print(f"{pages} pages of {PAGE} B in {directory}, {pause:g} s pause before each run")
    for r in range(1, rounds + 1):
        for cache_first in (False, True):
            time.sleep(pause)
            cached, writes = run(path, pages, cache_first)
            label = "cached first" if cache_first else "fresh pages "
            print(f"round {r} {label}: caching {cached:.3f} s, writes {writes:.3f} s = "
                  f"{writes / pages * 1e6:.2f} us per page")


if __name__ == "__main__":
    main()
