/* The floor pinbench is measured against: a bare liburing loop that
 * populates a buffer once and registers/unregisters it ITERATIONS times,
 * printing one registration time (ns) per line. bench/overhead runs it
 * beside `pinbench run` on the same buffer size. */
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	size_t len;
	long iterations;
	char *buf;

	if (argc != 3) {
		fprintf(stderr, "usage: bare-uring BYTES ITERATIONS\n");
		return 2;
	}
	len = strtoull(argv[1], NULL, 0);
	iterations = strtol(argv[2], NULL, 0);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || io_uring_queue_init(1, &ring, 0)) {
		perror("bare-uring");
		return 1;
	}
	madvise(buf, len, MADV_NOHUGEPAGE);
	memset(buf, 1, len);
	struct iovec iov = { buf, len };
	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = now();
		int ret = io_uring_register_buffers(&ring, &iov, 1);
		uint64_t t1 = now();
		if (ret) {
			fprintf(stderr, "bare-uring: register: %s\n", strerror(-ret));
			return 1;
		}
		printf("%llu\n", (unsigned long long)(t1 - t0));
		io_uring_unregister_buffers(&ring);
	}
	return 0;
}
