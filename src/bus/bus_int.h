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

/* Copies msg to lifeline.parked.* with its reason and terminates it.
 * Returns 0 or LL_ENET (err). */
int	bus_park(struct bus *b, natsMsg *msg, const char *reason, char *err,
	    size_t errlen);

/* Binds *sub to b's durable pull consumer of stream (made when missing
 * with max_ack_pending). Returns 0 or LL_ENET (err). */
int	bus_subscribe(struct bus *b, const char *stream, const char *subjects,
	    int max_ack_pending, natsSubscription **sub, char *err,
	    size_t errlen);

/* The durable consumer's counts on stream: not yet delivered, delivered
 * and not acknowledged. Returns 0, or LL_ENET when it is not there. */
int	bus_pending(struct bus *b, const char *stream, uint64_t *pending,
	    uint64_t *ack_pending);

#endif
