#ifndef LL_TESTHELP_H
#define LL_TESTHELP_H

/* A small unit-test helper: TEST names a case, ASSERT checks a condition,
 * and TEST_REPORT prints "unit NAME: N passed, N failed" and returns the
 * exit status. */

#include <stdio.h>
#include <string.h>

static int test_passed, test_failed, test_case_failed;
static const char *test_case = "";

#define TEST(name) do {							\
	test_case = (name);						\
	test_case_failed = 0;						\
} while (0)

#define ASSERT(cond) do {						\
	if (cond) {							\
		test_passed++;						\
	} else {							\
		test_failed++;						\
		test_case_failed = 1;					\
		fprintf(stderr, "FAIL %s:%d [%s]: %s\n", __FILE__,	\
		    __LINE__, test_case, #cond);			\
	}								\
} while (0)

#define ASSERT_STR(a, b) do {						\
	const char *test_a_ = (a), *test_b_ = (b);			\
	if (test_a_ != NULL && test_b_ != NULL &&			\
	    strcmp(test_a_, test_b_) == 0) {				\
		test_passed++;						\
	} else {							\
		test_failed++;						\
		fprintf(stderr, "FAIL %s:%d [%s]: %s == %s\n"		\
		    "  got:  %s\n  want: %s\n", __FILE__, __LINE__,	\
		    test_case, #a, #b, test_a_ ? test_a_ : "(null)",	\
		    test_b_ ? test_b_ : "(null)");			\
	}								\
} while (0)

#define TEST_REPORT(suite) (						\
	printf("unit %s: %d passed, %d failed\n", (suite), test_passed,	\
	    test_failed),						\
	test_failed == 0 ? 0 : 1)

#endif
