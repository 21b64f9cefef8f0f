/* The bus's connection, shared by its files (bus.h). */
#ifndef LL_BUS_BUS_INT_H
#define LL_BUS_BUS_INT_H

#include <nats/nats.h>

#include "bus/bus.h"

struct bus {
	natsOptions	*opts;
	natsConnection	*nc;
	jsCtx		*js;
	int64_t		 ack_wait_ms;
	char		 durable[64];
};

#endif
