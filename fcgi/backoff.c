#include <time.h>

#include "backoff.h"

long long
backoff_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
backoff_next(int ms, int min_ms, int max_ms)
{
	if (ms < min_ms)
		return min_ms;
	return ms > max_ms / 2 ? max_ms : ms * 2;
}
