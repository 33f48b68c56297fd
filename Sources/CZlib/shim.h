#ifndef CATALYSTWELLS_CZLIB_SHIM_H
#define CATALYSTWELLS_CZLIB_SHIM_H
#include <zlib.h>
#endif
