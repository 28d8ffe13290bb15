#ifndef TARMAC_CARCHIVE_SHIM_H
#define TARMAC_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
/* libarchive's own zstd: TarmacArchive writes tar.zst frames with it directly (ZstdFrameEncoder). */
#include <zstd.h>
/* zlib: TarmacArchive writes tar.gz as deflate chunks on several threads (GzipBlockEncoder). */
#include <zlib.h>
/* libdeflate: ArchiveReader inflates a gzip file of bounded size in one call (WholeGzip). */
#include <libdeflate.h>
#endif
