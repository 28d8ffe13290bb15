// Linked into the release binary when it is linked against Debian 11 (glibc 2.31, libstdc++ of
// GCC 10; Fixtures/release/sysroot.sh), so that it runs there and on every later system.
//
// The toolchain's static Swift runtime and Debian 12's libarchive.a were compiled against newer
// headers and call two functions that Debian 11 does not have. Both are defined here with the
// meaning they have upstream; where the system has them too, the binary uses its own copy.
#include <cerrno>
#include <cstddef>
#include <new>
#include <sys/random.h>

namespace std {
// libstdc++ 11 (GLIBCXX_3.4.29): what `new T[n]` with a bad n throws, used by the runtime's hash tables.
[[noreturn]] void __throw_bad_array_new_length() { throw bad_array_new_length(); }
}  // namespace std

// glibc 2.36: libarchive's archive_random.c uses it when the headers declare it.
extern "C" void arc4random_buf(void *buffer, size_t size) {
    auto bytes = static_cast<unsigned char *>(buffer);
    while (size > 0) {
        ssize_t got = getrandom(bytes, size, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            __builtin_trap();  // as glibc's arc4random: no silent fallback to weak randomness
        }
        bytes += got;
        size -= static_cast<size_t>(got);
    }
}
