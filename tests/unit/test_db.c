/* Reading the check's answer: db_check_row() in fcgi/db.c. */

#include <string.h>

#include "db.h"
#include "testhelp.h"

static void
good(const char *row, const char *providerid, int status, int admitted)
{
	struct db_check c;

	ASSERT(db_check_row(row, &c) == 0);
	ASSERT_STR(c.providerid, providerid);
	ASSERT(c.status == status);
	ASSERT(c.admitted == admitted);
}

static void
bad(const char *row)
{
	struct db_check c;

	memset(&c, 'x', sizeof(c));
	ASSERT(db_check_row(row, &c) == -1);
	ASSERT_STR(c.providerid, "");
	ASSERT(c.status == 0);
	ASSERT(c.admitted == 0);
}

int
main(void)
{
	TEST("an admission, a refusal, a disabled link");
	good("(Ab12Cd34,10,t)", "Ab12Cd34", 10, 1);
	good("(Ab12Cd34,10,f)", "Ab12Cd34", 10, 0);
	good("(zz9ZZ9zz,5,f)", "zz9ZZ9zz", 5, 0);

	TEST("an unknown link: the empty code is quoted, a NULL one is not");
	good("(\"\",0,f)", "", 0, 0);
	good("(,0,f)", "", 0, 0);

	TEST("anything else is refused");
	bad("");
	bad("Ab12Cd34,10,t");
	bad("(Ab12Cd34,10,t");
	bad("(Ab12Cd34,10,t) ");
	bad("(Ab12Cd34,10,x)");
	bad("(Ab12Cd34,,t)");
	bad("(Ab12Cd34,1000,t)");
	bad("(Ab12Cd34,-1,t)");
	bad("(Ab12Cd345,10,t)");
	bad("(\"Ab,12\",10,t)");
	bad("(\"\"\"\",10,t)");
	bad("(Ab 12,10,t)");
	bad("(Ab12Cd34,10,t,x)");
	bad("(Ab12Cd34,10,true)");
	return TEST_REPORT("db");
}
