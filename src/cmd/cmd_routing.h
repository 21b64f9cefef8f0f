/*
 * What `routing check` and `watch generate` share: the loop over the
 * route elements of one archive.
 */
#ifndef LL_CMD_CMD_ROUTING_H
#define LL_CMD_CMD_ROUTING_H

#include <stdbool.h>
#include <stdio.h>

#include "mrt/mrt.h"

struct progress;

struct cli_elems {
	mrt_elem_fn	*fn;
	void		*ctx;
	bool		 strict;	/* stop at the first bad record */
	bool		 quiet;		/* do not report bad records */
	mrt_fast_fn	*fast;		/* NULL, or offered each record
					   first (mrt_reader_next_fast()), */
	const int	*fast_rc;	/* where it leaves an error */
};

/* Calls ed->fn for each route element of the archive at path. Returns 0,
 * EXIT_DATA (bad records were skipped) or EXIT_FAIL (cannot read it, or
 * fn failed: reported). */
int	cli_archive_elems(const char *path, const struct cli_elems *ed,
	    struct progress *pg);

int	cmd_routing(int argc, char **argv);
/* rpki diff (cmd_rpki_diff.c); its usage text, which rpki --help shows
 * too. */
int	cmd_rpki_diff(int argc, char **argv);
void	cli_rpki_diff_usage(FILE *f);
int	cmd_watch(int argc, char **argv);

#endif
