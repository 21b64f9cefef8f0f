/*
 * Monash IP Observatory hourly connectivity CSVs: region level (iso,
 * id_1, name_1, time, connectivity) and county level (with id_2,
 * name_2). Counties roll up into their region and country, regions into
 * their country, by the unweighted mean of the hour's rows. Regions get
 * their ISO 3166-2 code where the name is in the table below (see
 * docs/data.md), else region:CC-Mnn with nn the file's id_1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "net/entity.h"
#include "util/err.h"

#define MONASH_LINE_MAX	2048
#define MONASH_COLS	16

/* Countries of the Observatory's files: ISO 3166-1 alpha-3 to alpha-2,
 * and the UTC offset (minutes) of their local-time epoch column. */
static const struct {
	const char	*iso3, *cc;
	int		 utc_min;
} countries[] = {
	{ "VEN", "VE", -240 },	/* America/Caracas since 2016 */
	{ "IRN", "IR", 210 },	/* Asia/Tehran, standard time */
	{ "MMR", "MM", 390 },	/* Asia/Yangon */
	{ "USA", "US", 0 },	/* its files give UTC (time_e_utc) */
	{ "UKR", "UA", 120 },
	{ "RUS", "RU", 180 },
};

/* Regions whose names map to ISO 3166-2 (names with accents folded). */
static const struct {
	const char	*cc, *name, *code;
} regions[] = {
	{ "VE", "distrito capital", "A" }, { "VE", "anzoategui", "B" },
	{ "VE", "apure", "C" }, { "VE", "aragua", "D" },
	{ "VE", "barinas", "E" }, { "VE", "bolivar", "F" },
	{ "VE", "carabobo", "G" }, { "VE", "cojedes", "H" },
	{ "VE", "falcon", "I" }, { "VE", "guarico", "J" },
	{ "VE", "lara", "K" }, { "VE", "merida", "L" },
	{ "VE", "miranda", "M" }, { "VE", "monagas", "N" },
	{ "VE", "nueva esparta", "O" }, { "VE", "portuguesa", "P" },
	{ "VE", "sucre", "R" }, { "VE", "tachira", "S" },
	{ "VE", "trujillo", "T" }, { "VE", "yaracuy", "U" },
	{ "VE", "zulia", "V" }, { "VE", "dependencias federales", "W" },
	{ "VE", "vargas", "X" }, { "VE", "la guaira", "X" },
	{ "VE", "delta amacuro", "Y" }, { "VE", "amazonas", "Z" },
};

/* Lower-case ASCII of a UTF-8 name, Latin-1 letters folded (á -> a). */
static void
fold(const char *s, char *out, size_t len)
{
	static const char lat1[] = "aaaaaaaceeeeiiiidnooooo/ouuuuyby";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0' &&
	    o + 1 < len; p++) {
		if ((p[0] == 0xc3) && p[1] >= 0x80 && p[1] <= 0xbf) {
			out[o++] = lat1[(p[1] - 0x80) & 0x1f];
			p++;
		} else if (*p >= 'A' && *p <= 'Z')
			out[o++] = (char)(*p - 'A' + 'a');
		else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
}

struct monash_cols {
	int	iso, id1, name1, id2, time_local, time_utc, conn;
};

static int
col_of(char **f, int nf, const char *name)
{
	for (int i = 0; i < nf; i++)
		if (strcmp(f[i], name) == 0)
			return i;
	return -1;
}

static bool
monash_header(char **f, int nf, struct monash_cols *c)
{
	c->iso = col_of(f, nf, "iso");
	c->id1 = col_of(f, nf, "id_1");
	c->name1 = col_of(f, nf, "name_1");
	c->id2 = col_of(f, nf, "id_2");
	c->time_local = col_of(f, nf, "time_e");
	c->time_utc = col_of(f, nf, "time_e_utc");
	c->conn = col_of(f, nf, "connectivity");
	return c->iso >= 0 && c->name1 >= 0 && c->conn >= 0 &&
	    (c->time_local >= 0 || c->time_utc >= 0);
}

/* The region entity of (cc, id_1, name_1). */
static int
region_entity(const char *cc, const char *id1, const char *name,
    char *ent)
{
	char folded[128], s[32];
	char *end;
	unsigned long id;

	fold(name, folded, sizeof(folded));
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		if (strcmp(regions[i].cc, cc) == 0 &&
		    strcmp(regions[i].name, folded) == 0) {
			snprintf(s, sizeof(s), "region:%s-%s", cc,
			    regions[i].code);
			return imp_entity(s, ent);
		}
	id = strtoul(id1, &end, 10);
	if (*id1 == '\0' || *end != '\0' || id > 99)
		return LL_EFORMAT;
	snprintf(s, sizeof(s), "region:%s-M%02lu", cc, id);
	return imp_entity(s, ent);
}

static int
monash_row(struct import *im, const struct monash_cols *c, char **f,
    int nf, uint64_t line)
{
	size_t k, nc = sizeof(countries) / sizeof(countries[0]);
	int tcol = c->time_utc >= 0 ? c->time_utc : c->time_local;
	char reg[ENT_STRLEN], cty[ENT_STRLEN], s[16];
	double t, v;
	int64_t ts;
	int rc;

	if (nf <= c->iso || nf <= c->name1 || nf <= c->conn || nf <= tcol ||
	    (c->id1 >= 0 && nf <= c->id1)) {
		imp_bad(im, line, "%d fields, fewer than the header's", nf);
		return 0;
	}
	for (k = 0; k < nc && strcmp(countries[k].iso3, f[c->iso]) != 0; k++)
		;
	if (k == nc) {
		imp_bad(im, line, "country \"%.8s\" is not in the table "
		    "(docs/data.md)", f[c->iso]);
		return 0;
	}
	if (!imp_number(f[tcol], &t) || t < 0 || t > 1e11 ||
	    t != (double)(int64_t)t) {
		imp_bad(im, line, "time \"%.30s\" is not epoch seconds",
		    f[tcol]);
		return 0;
	}
	if (!imp_number(f[c->conn], &v)) {
		imp_bad(im, line, "connectivity \"%.30s\" is not a number",
		    f[c->conn]);
		return 0;
	}
	if (v < 0)
		return 0;	/* -1: no measurement in that hour */
	ts = (int64_t)t - (c->time_utc >= 0 ? 0 :
	    (int64_t)countries[k].utc_min * 60);
	ts -= ts % 3600 < 0 ? ts % 3600 + 3600 : ts % 3600;
	if (region_entity(countries[k].cc, c->id1 >= 0 ? f[c->id1] : "",
	    f[c->name1], reg) != 0) {
		imp_bad(im, line, "region \"%.60s\" is not in the table and "
		    "has no id_1 of 0 to 99", f[c->name1]);
		return 0;
	}
	snprintf(s, sizeof(s), "country:%s", countries[k].cc);
	(void)imp_entity(s, cty);
	if ((rc = imp_obs_add(im, "monash.connectivity", reg, ts, v,
	    IMP_MEAN)) != 0)
		return rc;
	return imp_obs_add(im, "monash.connectivity", cty, ts, v, IMP_MEAN);
}

int
imp_monash(struct import *im, const uint8_t *buf, size_t len)
{
	char field[MONASH_LINE_MAX], *f[MONASH_COLS];
	struct monash_cols c = { -1, -1, -1, -1, -1, -1, -1 };
	struct imp_lines l;
	bool head = false;
	const char *s;
	size_t n;
	int nf, rc;

	imp_lines_init(&l, buf, len);
	while (imp_lines_next(&l, &s, &n)) {
		if (n == 0)
			continue;
		nf = n < MONASH_LINE_MAX ? imp_csv_split(s, n, field,
		    sizeof(field), f, MONASH_COLS) : -1;
		if (!head) {
			if (nf < 0 || !monash_header(f, nf, &c)) {
				im->st.rows++;
				imp_bad(im, l.no, "not a Monash header (iso, "
				    "name_1, time_e or time_e_utc, "
				    "connectivity)");
				return 0;
			}
			head = true;
			continue;
		}
		im->st.rows++;
		if (nf < 0) {
			imp_bad(im, l.no, "not a CSV row of at most %d fields "
			    "and %d bytes", MONASH_COLS, MONASH_LINE_MAX);
			continue;
		}
		if ((rc = monash_row(im, &c, f, nf, l.no)) != 0)
			return rc;
	}
	return 0;
}
