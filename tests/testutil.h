/*
 * Helpers shared by the C tests: where the real public data is, and how to
 * skip when it is absent (exit 77, which meson counts as skipped).
 */
#ifndef LL_TESTS_TESTUTIL_H
#define LL_TESTS_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_SKIP	77

/* Joins $LL_SHARED_DATA and rel into a static buffer; NULL when the file
 * is not there. */
static inline const char *
test_shared(const char *rel)
{
	static char buf[4096];
	const char *base = getenv("LL_SHARED_DATA");

	if (base == NULL)
		base = "../shared/data";
	snprintf(buf, sizeof(buf), "%s/%s", base, rel);
	return access(buf, R_OK) == 0 ? buf : NULL;
}

/* Same for tests/data. */
static inline const char *
test_data(const char *rel)
{
	static char buf[4096];
	const char *base = getenv("LL_TEST_DATA");

	if (base == NULL)
		base = "tests/data";
	snprintf(buf, sizeof(buf), "%s/%s", base, rel);
	return buf;
}

/* Exits 77 with a message when rel is not in the shared data. */
static inline const char *
test_shared_or_skip(const char *rel)
{
	const char *p = test_shared(rel);

	if (p == NULL) {
		fprintf(stderr, "SKIP: ../shared/data/%s is absent\n", rel);
		exit(TEST_SKIP);
	}
	return p;
}

#endif
