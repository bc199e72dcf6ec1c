#include "hugepageallocator.h"

#include <cstdint>
#include <new>

#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace trainyard::core::hugepages {

#ifdef __linux__
// The mapping starts on a huge page's boundary: only whole, aligned 2 MiB of a mapping can be a
// huge page, so an unaligned one loses its first and last, and one of a few MiB most of them.
// A huge page more is mapped, and what lies before the boundary and after the end unmapped.
void *map(std::size_t bytes)
{
    static const std::size_t pageBytes = std::size_t(::sysconf(_SC_PAGESIZE));
    const std::size_t length = (bytes + pageBytes - 1) / pageBytes * pageBytes;
    const std::size_t span = length + MappedBytes;
    void *p = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    char *const base = static_cast<char *>(p);
    const std::size_t head = (MappedBytes - reinterpret_cast<std::uintptr_t>(base) % MappedBytes) % MappedBytes;
    if (head > 0)
        ::munmap(base, head);
    if (span - head - length > 0)
        ::munmap(base + head + length, span - head - length);
    ::madvise(base + head, length, MADV_HUGEPAGE); // a hint: without THP (or with it off) nothing changes
    return base + head;
}

void *remap(void *data, std::size_t oldBytes, std::size_t newBytes)
{
    void *p = ::mremap(data, oldBytes, newBytes, MREMAP_MAYMOVE);
    if (p == MAP_FAILED)
        return nullptr;
    if (newBytes > oldBytes)
        ::madvise(p, newBytes, MADV_HUGEPAGE);
    return p;
}

void unmap(void *data, std::size_t bytes)
{
    ::munmap(data, bytes);
}
#else
void *map(std::size_t)
{
    throw std::bad_alloc();
}

void *remap(void *, std::size_t, std::size_t)
{
    return nullptr;
}

void unmap(void *, std::size_t) {}
#endif

} // namespace trainyard::core::hugepages
