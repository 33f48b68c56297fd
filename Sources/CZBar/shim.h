#ifndef CATALYSTWELLS_CZBAR_SHIM_H
#define CATALYSTWELLS_CZBAR_SHIM_H
#include <zbar.h>
#endif
