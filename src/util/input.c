/* Placeholder: the input layer lands with its owner. */
#include "util/input.h"
