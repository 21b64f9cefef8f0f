/*
 * Evidence records of incidents from the command line (cmd_evinc.c):
 * detect, incidents verify and incidents close append one signed record
 * per state change when given --key; incidents show --format md writes
 * the incident report with the norms that apply (cmd_report.c).
 */
#ifndef LL_CMD_CMD_EVINC_H
#define LL_CMD_CMD_EVINC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"
#include "evidence/evidence.h"
#include "store/store.h"

/* The transitions a detect run made, copied as they stood. */
struct cli_evinc;

/* A collector for detect_run()'s callback, with the key that will sign
 * (NULL: none, the transitions are only counted). */
struct cli_evinc *cli_evinc_new(const struct evidence_key *k);
void	cli_evinc_free(struct cli_evinc *c);

/* Copies one transition (call it from the detect_event_fn). */
void	cli_evinc_add(struct cli_evinc *c, const struct store_incident *inc,
	    const struct store_transition *t);

/*
 * After the run: appends one record per transition in one transaction,
 * with the detector o; without a key, says in one line on stderr that no
 * evidence was recorded. Returns 0 or an exit code (message printed).
 */
int	cli_evinc_record(struct cli_evinc *c, struct store *st,
	    const struct detect_opts *o, const char *cmd);

/* Loads --key FILE; 0 or an exit code (message printed). */
int	cli_evinc_key(const char *path, struct evidence_key *k,
	    const char *cmd);

/*
 * After an analyst's step on incident id: appends the record of its last
 * transition, signed with k. Returns 0 or an exit code.
 */
int	cli_evinc_mark(struct store *st, const struct evidence_key *k,
	    int64_t id, const char *cmd);

/* incidents show ID --format md [--norms FILE]: the report on stdout,
 * its impact computed and stored when compute, else the stored one.
 * Returns 0 or an exit code. */
int	cli_report_md(struct store *st, int64_t id, const char *norms,
	    const char *cmd, bool compute);

#endif
