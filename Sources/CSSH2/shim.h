#ifndef TARMAC_CSSH2_SHIM_H
#define TARMAC_CSSH2_SHIM_H
#include <libssh2.h>
/* zlib, which libssh2 links too: program text is sent gzip-compressed (TarmacSSH's Gzip). */
#include <zlib.h>
#endif
