#ifndef CATALYSTWELLS_CSODIUM_SHIM_H
#define CATALYSTWELLS_CSODIUM_SHIM_H
#include <sodium.h>
#endif
