#ifndef TARMAC_CARCHIVE_SHIM_H
#define TARMAC_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
