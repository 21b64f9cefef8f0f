/*
 * An incident's impact read back from the store, as JSON and as text.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact.h"
#include "impact/impact_int.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/time.h"

static int
load_one(void *ctx, const struct store_impact *f)
{
	struct impact *im = ctx;
	struct impact_fig *g;

	if (ll_grow(&im->fig, &im->cap, im->n + 1, sizeof(*im->fig)) != 0)
		return LL_ENOMEM;
	g = &im->fig[im->n++];
	memset(g, 0, sizeof(*g));
	g->known = f->known;
	g->value = f->value;
	im->computed_at = f->computed_at;
	if ((g->name = strdup(f->name)) == NULL ||
	    (g->unit = strdup(f->unit)) == NULL ||
	    (g->method = strdup(f->method)) == NULL ||
	    (g->formula = strdup(f->formula)) == NULL ||
	    (g->inputs = strdup(f->inputs)) == NULL)
		return LL_ENOMEM;
	return 0;
}

int
impact_load(struct store *s, int64_t id, struct impact *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->incident = id;
	rc = store_impact_list(s, id, load_one, out);
	if (rc == 0 && out->n == 0)
		rc = LL_ENOTFOUND;
	if (rc != 0)
		impact_fini(out);
	return rc;
}

char *
impact_json(const struct impact *im)
{
	struct sbuf b = { 0 };
	char ts[LL_ISO8601_LEN];

	sb_printf(&b, "{\"incident\":%lld,\"computed_at\":\"%s\","
	    "\"figures\":[", (long long)im->incident,
	    ll_time_fmt(im->computed_at, ts, sizeof(ts)));
	for (size_t i = 0; i < im->n; i++) {
		const struct impact_fig *f = &im->fig[i];

		sb_printf(&b, "%s\n{\"name\":", i > 0 ? "," : "");
		sb_json_str(&b, f->name);
		sb_printf(&b, ",\"value\":");
		sb_json_num(&b, f->known ? f->value : NAN);
		sb_printf(&b, ",\"unit\":");
		sb_json_str(&b, f->unit);
		sb_printf(&b, ",\"method\":");
		sb_json_str(&b, f->method);
		sb_printf(&b, ",\"formula\":");
		sb_json_str(&b, f->formula);
		/* stored as JSON by impact_compute() */
		sb_printf(&b, ",\"inputs\":%s}", f->inputs[0] != '\0' ?
		    f->inputs : "{}");
	}
	sb_printf(&b, "\n]}\n");
	return sb_take(&b);
}

/* A figure's value for people: 8,000,000 users; 2.0 h; 2,968,037 US$. */
static void
text_value(struct sbuf *b, const struct impact_fig *f)
{
	char digits[64], grouped[96];
	size_t n, o = 0;

	if (!f->known) {
		sb_printf(b, "no data");
		return;
	}
	if (strcmp(f->unit, "s") == 0) {
		sb_printf(b, "%.0f s (%.2f h)", f->value, f->value / 3600);
		return;
	}
	if (strcmp(f->unit, "%") == 0) {
		sb_printf(b, "%.1f%%", f->value);
		return;
	}
	snprintf(digits, sizeof(digits), "%.0f", f->value);
	n = strlen(digits);
	for (size_t i = 0; i < n && o + 2 < sizeof(grouped); i++) {
		if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = digits[i];
	}
	grouped[o] = '\0';
	sb_printf(b, "%s %s", grouped, f->unit);
}

char *
impact_text(const struct impact *im)
{
	struct sbuf b = { 0 };
	char ts[LL_ISO8601_LEN];

	sb_printf(&b, "impact of incident %lld (computed %s):\n",
	    (long long)im->incident, ll_time_fmt(im->computed_at, ts,
	    sizeof(ts)));
	for (size_t i = 0; i < im->n; i++) {
		const struct impact_fig *f = &im->fig[i];

		sb_printf(&b, "  %-9s ", f->name);
		text_value(&b, f);
		sb_printf(&b, "  [%s]\n", f->method);
		if (f->known && f->formula[0] != '\0')
			sb_printf(&b, "            formula: %s\n", f->formula);
		sb_printf(&b, "            inputs: %s\n", f->inputs);
	}
	return sb_take(&b);
}
