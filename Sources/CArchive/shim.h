#ifndef TARMAC_CARCHIVE_SHIM_H
#define TARMAC_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
/* libarchive's own zstd: TarmacArchive writes tar.zst frames with it directly (ZstdFrameEncoder). */
#include <zstd.h>
/* libdeflate: TarmacArchive writes tar.gz as gzip members on several threads (GzipBlockEncoder), and
   ArchiveReader inflates a gzip file of bounded size member by member (GzipMembers) or in one pass
   (WholeGzip). */
#include <libdeflate.h>
/* archive_set_error is variadic, which Swift cannot call: a read callback's error goes through here. */
static inline void tarmac_archive_set_error(struct archive *handle, int number, const char *message) {
    archive_set_error(handle, number, "%s", message);
}
#endif
