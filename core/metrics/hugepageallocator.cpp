#include "hugepageallocator.h"

#include <new>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace trainyard::core::hugepages {

#ifdef __linux__
void *map(std::size_t bytes)
{
    void *p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    ::madvise(p, bytes, MADV_HUGEPAGE); // a hint: without THP (or with it off) nothing changes
    return p;
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
