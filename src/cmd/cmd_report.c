/*
 * lifeline incidents show ID --format md: an incident report in Markdown
 * for people who were not there (journalists, lawyers, rights groups):
 * what was measured, its timeline, the signed evidence that holds it, and
 * the norms that apply, from a small table the user can edit (norms.tsv:
 * --norms FILE, else the one installed with Lifeline, else the source
 * tree's data/norms.tsv).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "cmd/cmd.h"
#include "cmd/cmd_evinc.h"
#include "impact/impact.h"
#include "util/err.h"
#include "util/time.h"

#define NORM_LINE_MAX	4096
#define NORM_ROWS_MAX	200

/* One row of the table: when it applies, and what it cites. */
struct norm {
	char	*f[5];		/* applies, framework, citation, url, why */
};

struct norms {
	struct norm	 row[NORM_ROWS_MAX];
	size_t		 n;
	char		 path[1024];
};

static void
norms_free(struct norms *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->row[i].f[0]);
}

/* Splits line (one allocation, owned by the row) at tabs into 5 fields. */
static int
norm_row(struct norm *r, const char *line)
{
	char *s = strdup(line), *p;
	int k = 0;

	if (s == NULL)
		return LL_ENOMEM;
	for (p = s; k < 5; k++) {
		r->f[k] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	if (k != 4 || strchr(r->f[4], '\t') != NULL || r->f[0][0] == '\0' ||
	    r->f[2][0] == '\0') {
		free(s);
		return LL_EFORMAT;
	}
	return 0;
}

/* The first of --norms, the installed table, the source tree's. */
static FILE *
norms_open(const char *opt, char *path, size_t len)
{
	const char *cand[] = { LIFELINE_DATADIR "/norms.tsv",
	    LIFELINE_SRCDATA "/norms.tsv" };
	FILE *f;

	if (opt != NULL) {
		snprintf(path, len, "%s", opt);
		return fopen(opt, "r");
	}
	for (size_t i = 0; i < 2; i++)
		if ((f = fopen(cand[i], "r")) != NULL) {
			snprintf(path, len, "%s", cand[i]);
			return f;
		}
	snprintf(path, len, "%s", cand[0]);
	return NULL;
}

/* Reads the table; 0 or an exit code (message printed). */
static int
norms_load(struct norms *t, const char *opt, const char *cmd)
{
	char line[NORM_LINE_MAX + 2];
	FILE *f = norms_open(opt, t->path, sizeof(t->path));
	size_t no = 0, n;
	int rc = 0;

	if (f == NULL) {
		cli_err("%s: %s: cannot be read (give the norms table with "
		    "--norms FILE)", cmd, t->path);
		return EXIT_FAIL;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		no++;
		n = strlen(line);
		if (n > NORM_LINE_MAX || (n > 0 && line[n - 1] != '\n' &&
		    !feof(f))) {
			cli_err("%s: %s:%zu: line longer than %d bytes", cmd,
			    t->path, no, NORM_LINE_MAX);
			rc = EXIT_DATA;
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (t->n == NORM_ROWS_MAX)
			cli_err("%s: %s:%zu: more than %d rows", cmd, t->path,
			    no, NORM_ROWS_MAX);
		else if (norm_row(&t->row[t->n], line) != 0)
			cli_err("%s: %s:%zu: expected 5 tab-separated fields "
			    "(applies, framework, citation, url, why), the "
			    "first and third not empty", cmd, t->path, no);
		else {
			t->n++;
			continue;
		}
		rc = EXIT_DATA;
	}
	fclose(f);
	return rc;
}

/* Does a row's "applies" hold for an incident of class cls? */
static bool
norm_applies(const struct norm *r, const char *cls, bool conflict)
{
	const char *a = r->f[0];

	if (conflict)
		return strcmp(a, "armed-conflict") == 0;
	if (strcmp(a, "always") == 0)
		return true;
	return strncmp(a, "class:", 6) == 0 && strstr(cls, a + 6) != NULL;
}

static void
norms_print(const struct norms *t, const char *cls, bool conflict)
{
	size_t shown = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct norm *r = &t->row[i];

		if (!norm_applies(r, cls, conflict))
			continue;
		printf("- **%s**: %s%s%s%s.%s%s\n", r->f[1], r->f[2],
		    r->f[3][0] ? " (<" : "", r->f[3], r->f[3][0] ? ">)" : "",
		    r->f[4][0] ? " " : "", r->f[4]);
		shown++;
	}
	if (shown == 0)
		printf("- (none in the table)\n");
}

struct rep {
	int64_t	 id;
	int	 records;
	char	 seqs[256];
	size_t	 used;
};

static int
rep_inc(void *ctx, const struct store_incident *i)
{
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];
	int64_t dur = (i->end != 0 ? i->end : i->last) - i->start;

	snprintf(ctx, 64, "%s", i->cls);
	ll_time_fmt(i->start, a, sizeof(a));
	if (i->end != 0)
		ll_time_fmt(i->end, b, sizeof(b));
	printf("# Incident %" PRId64 ": %s\n\n", i->id, i->cls);
	printf("| | |\n|---|---|\n| state | %s |\n| start | %s |\n"
	    "| end | %s |\n| duration | %" PRId64 " h %02" PRId64 " min%s |\n"
	    "| severity | %s |\n| confidence | %.2f |\n"
	    "| score | %.0f (drop %% x minutes) |\n"
	    "| latest value | %.0f%% of the baseline |\n| signals | %s |\n"
	    "| scope | %s |\n", i->state, a, i->end != 0 ? b : "(open)",
	    dur / 3600, dur % 3600 / 60, i->end != 0 ? "" : " so far",
	    i->severity, i->confidence, i->score, i->restored, i->signals,
	    i->scope);
	if (i->campaign != 0)
		printf("| recurring | campaign of incident %" PRId64 " |\n",
		    i->campaign);
	printf("\n## Timeline\n\n| time (UTC) | state | by | note |\n"
	    "|---|---|---|---|\n");
	return 0;
}

static int
rep_tr(void *ctx, const struct store_transition *t)
{
	char ts[LL_ISO8601_LEN];

	(void)ctx;
	printf("| %s | %s | %s | %s |\n", ll_time_fmt(t->time, ts,
	    sizeof(ts)), t->state, t->who, t->note);
	return 0;
}

/* Counts the evidence records of the incident. */
static int
rep_ev(void *ctx, int64_t seq, const uint8_t *rec, size_t len)
{
	struct rep *r = ctx;
	const uint8_t *nl = memchr(rec, '\n', len);
	json_t *o = nl != NULL ? json_loadb((const char *)rec,
	    (size_t)(nl - rec), 0, NULL) : NULL;
	json_t *id = json_object_get(json_object_get(json_object_get(o,
	    "body"), "incident"), "id");

	if (json_is_integer(id) && json_integer_value(id) == r->id &&
	    strcmp(json_string_value(json_object_get(o, "kind")),
	    "incident") == 0) {
		r->records++;
		if (r->used + 24 < sizeof(r->seqs))
			r->used += (size_t)snprintf(r->seqs + r->used,
			    sizeof(r->seqs) - r->used, "%s%" PRId64,
			    r->used ? ", " : "", seq);
	}
	json_decref(o);
	return 0;
}

static void
rep_evidence(struct store *st, int64_t id)
{
	struct rep r = { .id = id };

	printf("\n## Evidence\n\n");
	if (store_evidence_scan(st, rep_ev, &r) != 0 || r.records == 0) {
		printf("No signed evidence record of this incident is in the "
		    "store (run `lifeline detect --key FILE`).\n");
		return;
	}
	printf("%d signed records of the evidence log hold this incident's "
	    "state changes, points, baselines, detector parameters and the "
	    "SHA-256 of every input (records %s). `lifeline evidence export "
	    "%" PRId64 " --out DIR` writes a bundle anyone can check with "
	    "sha256sum and python3 (docs/evidence.md).\n", r.records, r.seqs,
	    id);
}

/* A figure's value in the report: the number and unit, or "no data". */
static void
rep_value(const struct impact_fig *f)
{
	if (!f->known)
		printf("no data");
	else if (strcmp(f->unit, "s") == 0)
		printf("%.0f s (%.2f h)", f->value, f->value / 3600);
	else if (strcmp(f->unit, "%") == 0)
		printf("%.1f %%", f->value);
	else
		printf("%.0f %s", f->value, f->unit);
}

/* The impact section: every figure with its method, formula and the
 * inputs it was computed from (docs/methodology.md, "Impact"). */
static int
rep_impact(struct store *st, int64_t id, bool compute, const char *cmd)
{
	struct impact im;
	char ts[LL_ISO8601_LEN];
	int rc;

	printf("\n## Impact\n\n");
	if ((rc = cli_impact_get(st, id, compute, &im, cmd)) ==
	    CLI_IMPACT_NONE) {
		printf("Not computed yet, and the store cannot be written "
		    "(`lifeline impact %" PRId64 "` computes it).\n", id);
		return 0;
	}
	if (rc != 0)
		return rc;
	printf("Computed %s by the methods of docs/methodology.md "
	    "(\"Impact\"). A figure without data reads \"no data\", with "
	    "the reason among its inputs.\n", ll_time_fmt(im.computed_at,
	    ts, sizeof(ts)));
	for (size_t i = 0; i < im.n; i++) {
		const struct impact_fig *f = &im.fig[i];

		printf("\n### %s: ", f->name);
		rep_value(f);
		printf("\n\n- method: %s\n- formula: %s\n- inputs:\n\n"
		    "```json\n%s\n```\n", f->method, f->formula,
		    f->inputs[0] != '\0' ? f->inputs : "{}");
	}
	impact_fini(&im);
	return 0;
}

int
cli_report_md(struct store *st, int64_t id, const char *norms_opt,
    const char *cmd, bool compute)
{
	struct norms *t = calloc(1, sizeof(*t));
	char cls[64] = "";
	int rc;

	if (t == NULL || (rc = norms_load(t, norms_opt, cmd)) != 0) {
		if (t != NULL)
			norms_free(t);
		free(t);
		return t == NULL ? EXIT_FAIL : rc;
	}
	rc = store_incident_list(st, id, rep_inc, cls);
	if (rc == 0)
		rc = store_transition_list(st, id, rep_tr, NULL);
	if (rc == 0 && (rc = rep_impact(st, id, compute, cmd)) != 0) {
		norms_free(t);
		free(t);
		return rc;
	}
	if (rc == 0) {
		rep_evidence(st, id);
		printf("\n## Norms that apply\n\nFrom %s. Lifeline measures; "
		    "whether this incident breaches a norm is for a legal "
		    "assessment.\n\n", t->path);
		norms_print(t, cls, false);
		printf("\n## If it happened during an armed conflict\n\n");
		norms_print(t, cls, true);
	}
	norms_free(t);
	free(t);
	if (rc == LL_ENOTFOUND) {
		cli_err("%s: no incident %" PRId64, cmd, id);
		return EXIT_DATA;
	}
	if (rc != 0) {
		cli_err("%s: %s", cmd, store_errmsg(st));
		return EXIT_FAIL;
	}
	return 0;
}
