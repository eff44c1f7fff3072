/* The clock and the doubling pause db.c and master.c share:
 * fcgi/backoff.c. */

#include <time.h>

#include "backoff.h"
#include "testhelp.h"

int
main(void)
{
	struct timespec ten = { 0, 10 * 1000 * 1000 };
	long long t0, t1;
	int ms, i, seen[8];

	TEST("the pause starts at its least and doubles up to its most");
	for (ms = 0, i = 0; i < 8; i++)
		seen[i] = ms = backoff_next(ms, 100, 2000);
	ASSERT(seen[0] == 100 && seen[1] == 200 && seen[2] == 400);
	ASSERT(seen[3] == 800 && seen[4] == 1600);
	ASSERT(seen[5] == 2000 && seen[6] == 2000 && seen[7] == 2000);
	ASSERT(backoff_next(0, 100, 5000) == 100);
	ASSERT(backoff_next(3200, 100, 5000) == 5000);
	ASSERT(backoff_next(2500, 100, 5000) == 5000);
	ASSERT(backoff_next(2400, 100, 5000) == 4800);

	TEST("the clock moves forward in milliseconds");
	t0 = backoff_now_ms();
	nanosleep(&ten, NULL);
	t1 = backoff_now_ms();
	ASSERT(t1 - t0 >= 10 && t1 - t0 < 10000);
	return TEST_REPORT("backoff");
}
