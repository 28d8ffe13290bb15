#ifndef TARMAC_CARCHIVE_SHIM_H
#define TARMAC_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
/* libarchive's own zstd: TarmacArchive writes tar.zst frames with it directly (ZstdFrameEncoder). */
#include <zstd.h>
/* libdeflate: TarmacArchive writes tar.gz as gzip members on several threads (GzipBlockEncoder), and
   ArchiveReader inflates a gzip file of bounded size in one pass (WholeGzip). */
#include <libdeflate.h>
#endif
