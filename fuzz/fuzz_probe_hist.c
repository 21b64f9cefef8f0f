/*
 * libFuzzer target: the prober's text inputs. The bytes are read as a
 * target list (probe_targets_parse()) and as a USC/ISI address history
 * (probe_set_load(), all of IPv4 allowed): a list that fails says where,
 * one that parses answers for what it holds; each block of a history has
 * at least PROBE_MIN_EVER distinct hosts of its own /24, an availability
 * within the bounds, and every bad line reported carries a line number
 * inside the input. Seeds: tests/data/probe-hist/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	size_t	 lines;
	unsigned bad;
};

static void
warn(void *arg, const char *msg)
{
	struct ctx *c = arg;
	unsigned long long line;

	c->bad++;
	if (sscanf(msg, "fuzz:%llu:", &line) != 1 || line == 0 ||
	    line > c->lines)
		__builtin_trap();
}

static void
check_set(const struct probe_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct probe_block *b = &s->blocks[i];
		uint8_t seen[256] = { 0 };
		if ((b->net & 0xff) != 0 || b->nhosts < PROBE_MIN_EVER ||
		    b->avail < PROBE_MIN_AVAIL || b->avail > PROBE_MAX_AVAIL ||
		    b->host_off + b->nhosts > s->nhosts)
			__builtin_trap();
		for (unsigned k = 0; k < b->nhosts; k++)
			if (seen[s->hosts[b->host_off + k]]++)
				__builtin_trap();	/* a host twice */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct probe_targets *t = NULL, *all = NULL;
	struct probe_set s;
	struct ctx c = { 1, 0 };
	char err[512];

	for (size_t i = 0; i < size; i++)
		c.lines += data[i] == '\n';
	if (probe_targets_parse(text, size, "fuzz", &t, err,
	    sizeof(err)) == 0) {
		if (probe_targets_count(t) == 0)
			__builtin_trap();
		(void)probe_targets_has(t, 0x0a000001);
	} else if (err[0] == '\0' || t != NULL) {
		__builtin_trap();
	}
	probe_targets_free(t);
	if (probe_targets_parse("0.0.0.0/0\n", 10, "all", &all, err,
	    sizeof(err)) != 0)
		__builtin_trap();
	if (probe_set_load(text, size, "fuzz", all, 1, warn, &c, &s, err,
	    sizeof(err)) == 0) {
		if (s.bad != c.bad)
			__builtin_trap();
		check_set(&s);
		probe_set_fini(&s);
	} else if (err[0] == '\0') {
		__builtin_trap();
	}
	probe_targets_free(all);
	return 0;
}
