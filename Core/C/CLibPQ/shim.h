#ifndef PAYFN_CLIBPQ_SHIM_H
#define PAYFN_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
