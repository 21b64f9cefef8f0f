/*
 * libFuzzer target: the bus message parser (src/bus/bus_msg.c). What it
 * accepts is walked point by point, so that ASan checks every pointer it
 * hands out, and encoded again: the encoder must take it back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile size_t sink = 0;
	struct bus_msg *m;
	struct bus_enc *e;
	const char *out, *id;
	size_t len;
	char err[256];

	if (bus_msg_parse(data, size, &m, err, sizeof(err)) != 0)
		return 0;
	if (bus_enc_new(m->agent, "fuzz", m->m.settings, &e) != 0)
		abort();
	for (size_t k = 0; k < m->m.nkinds; k++)
		for (size_t i = 0; i < m->m.kinds[k].n; i++) {
			const struct store_point *p = &m->m.kinds[k].pts[i];

			sink += strlen(p->entity);
			if (bus_enc_point(e, m->m.kinds[k].kind, p->time,
			    p->entity, (uint64_t)p->value) != 0)
				abort();
		}
	if (bus_enc_finish(e, &out, &len, &id) != 0)
		abort();
	bus_enc_free(e);
	bus_msg_free(m);
	(void)sink;
	return 0;
}
