/*
 * The time parser accepts a date only when the calendar has it: what it
 * accepts reads back through the printer as the same string, never as a
 * day of the next month (2011-02-30 once became 2011-03-02), and what it
 * refuses, ll_time_why() explains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "util/err.h"
#include "util/time.h"

/* Every YYYY-MM-DD with a day 01-31 of the years 1899-2101: accepted
 * exactly when printing the result gives the same date, and then at
 * midnight; the number accepted is the number of days in those years. */
static void
test_every_date(void **state)
{
	char s[32], back[LL_ISO8601_LEN], why[160];
	int64_t t, days = 0, want = 0;

	(void)state;
	for (unsigned y = 1899; y <= 2101; y++) {
		want += (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 :
		    365;
		for (unsigned m = 1; m <= 12; m++)
			for (unsigned d = 1; d <= 31; d++) {
				snprintf(s, sizeof(s), "%04u-%02u-%02u", y, m,
				    d);
				if (ll_time_parse(s, &t) != 0) {
					assert_string_not_equal(ll_time_why(s,
					    why, sizeof(why)), "");
					assert_non_null(strstr(why,
					    "no such date"));
					continue;
				}
				ll_time_fmt(t, back, sizeof(back));
				if (strncmp(back, s, 10) != 0 ||
				    strcmp(back + 10, "T00:00:00Z") != 0)
					fail_msg("%s read as %s", s, back);
				assert_string_equal(ll_time_why(s, why,
				    sizeof(why)), "");
				days++;
			}
	}
	assert_int_equal(days, want);
}

static void
test_refused(void **state)
{
	static const struct {
		const char	*s;
		const char	*why;
	} bad[] = {
		{ "2011-02-30", "no such date: February 2011 has 28 days" },
		{ "2011-02-29", "no such date: February 2011 has 28 days" },
		{ "1900-02-29T00:00Z", "February 1900 has 28 days" },
		{ "2011-04-31", "no such date: April 2011 has 30 days" },
		{ "2011-06-31T12:00:00Z", "June 2011 has 30 days" },
		{ "2011-01-00", "January 2011 has 31 days" },
		{ "2011-00-10", "no month 00" },
		{ "2011-13-01", "no month 13" },
		{ "2011-01-01T24:00Z", "no such time of day: 24:00:00" },
		{ "2011-01-01T23:60Z", "no such time of day: 23:60:00" },
		{ "2011-01-01T23:59:60Z", "23:59:60" },
		{ "2011-01-01T99:99:99Z", "99:99:99" },
		{ "yesterday", "not a time" },
		{ "2011-1-1", "not a time" },
		{ "2011-01-01X", "not a time" },
		{ "", "not a time" },
		/* a bare number is no time: 20210101 was once 1970-08-23 */
		{ "20210101", "epoch seconds are written @20210101" },
		{ "1609476900", "a bare number is not a time" },
		{ "@", "not a time" },
		{ "@12x", "not a time" },
		{ "2021-01-01T05:00+25:00", "not a time" },
		{ "2021-01-01T05:00+02:60", "not a time" },
		{ "2021-01-01T05:00+2", "not a time" },
		{ "2021-01-01T05:00:00.", "not a time" },
		{ "2021-01-01T05:00:00.5x", "not a time" },
		{ "2021-01-01+02:00", "not a time" },
	};
	char why[160];
	int64_t t = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ll_time_parse(bad[i].s, &t) != LL_EFORMAT)
			fail_msg("%s accepted", bad[i].s);
		assert_int_equal(t, 42);
		ll_time_why(bad[i].s, why, sizeof(why));
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("%s: want \"%s\", got \"%s\"", bad[i].s,
			    bad[i].why, why);
	}
	assert_non_null(strstr(ll_time_why(NULL, why, sizeof(why)),
	    "not a time"));
}

static void
test_accepted(void **state)
{
	char why[160];
	int64_t t;

	(void)state;
	assert_int_equal(ll_time_parse("2000-02-29T23:59:59Z", &t), 0);
	assert_int_equal(t, 951868799);
	assert_int_equal(ll_time_parse("2012-02-29", &t), 0);
	assert_int_equal(t, 1330473600);
	assert_int_equal(ll_time_parse("2011-12-31 23:59", &t), 0);
	assert_int_equal(t, 1325375940);
	assert_int_equal(ll_time_parse("@1296167640", &t), 0);
	assert_int_equal(t, 1296167640);
	/* offsets and fractions name the same instant as Z does */
	static const char *const same[] = { "2021-01-01T05:00:00Z",
	    "2021-01-01T07:00:00+02:00", "2021-01-01T07:00+0200",
	    "2021-01-01T07:00+02", "2021-01-01T00:00-05:00",
	    "2021-01-01T05:00:00.999Z", "2021-01-01T05:00:00,25",
	    "2021-01-01 05:00", "2021-01-01T10:30:00.000+05:30",
	    "@1609477200" };
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		t = 0;
		if (ll_time_parse(same[i], &t) != 0 || t != 1609477200)
			fail_msg("%s read as %lld", same[i], (long long)t);
	}
	/* an offset that crosses midnight moves the date */
	assert_int_equal(ll_time_parse("2021-01-01T01:00+03:00", &t), 0);
	assert_int_equal(t, 1609452000);
	assert_int_equal(ll_time_parse("2021-01-01Z", &t), 0);
	assert_int_equal(t, 1609459200);
	assert_string_equal(ll_time_why("2011-01-27T22:34:00Z", why,
	    sizeof(why)), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_date),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_accepted),
	};

	return test_main("time", tests, NULL, NULL);
}
