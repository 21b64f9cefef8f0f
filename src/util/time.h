/*
 * Time at the edges: inside, UTC seconds since the epoch (int64_t);
 * people see ISO 8601 with a Z.
 */
#ifndef LL_UTIL_TIME_H
#define LL_UTIL_TIME_H

#include <stddef.h>
#include <stdint.h>

#define LL_ISO8601_LEN	21	/* "2011-01-27T22:34:00Z" + NUL */

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= LL_ISO8601_LEN bytes).
 * Returns buf. */
char	*ll_time_fmt(int64_t t, char *buf, size_t len);

/*
 * Parses ISO 8601 as people write it: "YYYY-MM-DD" (midnight UTC),
 * "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by Z, an offset (+02:00, -0500,
 * +05) or nothing (UTC), also with a space instead of T; fractions of a
 * second are dropped. Epoch seconds only as "@SECONDS": a bare number
 * (20210101) is refused, never read as seconds. A date must be one of the
 * calendar's (no 2011-02-29, no hour 24, no second 60). Returns 0 and sets
 * *out, or LL_EFORMAT.
 */
int	 ll_time_parse(const char *s, int64_t *out);

/*
 * Why ll_time_parse() refuses s, as a short phrase for a message ("no
 * such date: February 2011 has 28 days", "not a time (use ...)"), written
 * into buf (len bytes); "" when it accepts s. Returns buf.
 */
char	*ll_time_why(const char *s, char *buf, size_t len);

/* Parses a duration such as "300", "300s", "5m", "2h", "1d". */
int	 ll_duration_parse(const char *s, int64_t *out);

#endif
