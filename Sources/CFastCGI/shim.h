#ifndef CATALYSTWELLS_CFASTCGI_SHIM_H
#define CATALYSTWELLS_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#endif
