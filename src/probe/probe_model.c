/*
 * Trinocular's belief (SIGCOMM 2013, section 3.2): B(U), the probability
 * that a block is up, updated by Bayes' rule with each probe's outcome,
 * and the adaptive rule of section 3.3 that decides whether a block needs
 * another probe within the round.
 */
#include "probe/probe.h"

const char *
probe_state_name(enum probe_state s)
{
	switch (s) {
	case PROBE_UP:		return "up";
	case PROBE_DOWN:	return "down";
	case PROBE_UNCERTAIN:	break;
	}
	return "uncertain";
}

static double
clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * A reply: P(reply|U) = a, P(reply|D) = 0 (a down block does not answer),
 * so B'(U) = a B / (a B + 0) = 1. No reply: P(none|U) = 1 - a,
 * P(none|D) = 1, so B'(U) = (1-a) B / ((1-a) B + (1 - B)). The result is
 * kept inside [PROBE_B_MIN, PROBE_B_MAX]: no outcome is ever certain, and
 * the next one can always move it.
 */
double
probe_belief_update(double b, bool reply, double a)
{
	double u, d;

	a = clamp(a, PROBE_MIN_AVAIL, PROBE_MAX_AVAIL);
	b = clamp(b, PROBE_B_MIN, PROBE_B_MAX);
	if (reply) {
		u = a * b;
		d = 0;
	} else {
		u = (1 - a) * b;
		d = 1 - b;
	}
	return clamp(u / (u + d), PROBE_B_MIN, PROBE_B_MAX);
}

enum probe_state
probe_belief_state(double b)
{
	if (b > PROBE_T_UP)
		return PROBE_UP;
	if (b < PROBE_T_DOWN)
		return PROBE_DOWN;
	return PROBE_UNCERTAIN;
}

/*
 * One probe a round when its outcome agrees with what is believed (a
 * reply from an up block, silence from a down one); otherwise more, until
 * the belief crosses a threshold, up to PROBE_MAX_PER_ROUND. A block that
 * began the round up and has not answered yet is probed on even while the
 * belief is still above PROBE_T_UP (a block of low availability needs
 * several silences before the belief moves much).
 */
bool
probe_more(double b, enum probe_state start, unsigned sent, unsigned replies)
{
	enum probe_state now = probe_belief_state(b);

	if (sent >= PROBE_MAX_PER_ROUND)
		return false;
	if (now == PROBE_UNCERTAIN)
		return true;
	if (now == PROBE_UP)
		return start == PROBE_UP && replies == 0;
	return false;
}
