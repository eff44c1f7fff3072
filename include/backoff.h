#ifndef LL_BACKOFF_H
#define LL_BACKOFF_H

/* Time for waiting and retrying: the monotonic clock, and the doubling
 * pause between attempts that keep failing, shared by the database
 * connection (db.c) and the respawning of workers (master.c). */

/* Milliseconds on the monotonic clock (not wall time: it never jumps).
 * Cannot fail. */
long long backoff_now_ms(void);

/* The pause after one more failure, when the last pause was ms (0 after
 * a success): min_ms first, then twice the last, at most max_ms. Cannot
 * fail. */
int backoff_next(int ms, int min_ms, int max_ms);

#endif
