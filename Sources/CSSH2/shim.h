#ifndef TARMAC_CSSH2_SHIM_H
#define TARMAC_CSSH2_SHIM_H
#include <libssh2.h>
#endif
