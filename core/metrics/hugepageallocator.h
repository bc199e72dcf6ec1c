#pragma once

#include <cstddef>
#include <memory>
#include <new>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace trainyard::core {

/// An allocator for large buffers filled once and read once (a part of a file read ahead): an
/// allocation of 2 MiB or more is a mapping of its own, backed by transparent huge pages when
/// the system offers them (Debian's default: on request), so filling it takes one page fault per
/// 2 MiB instead of one per 4 KiB. Where faults are dear (virtual machines) those are most of the
/// time spent writing fresh memory. Smaller ones come from std::allocator.
template <typename T> struct HugePageAllocator
{
    using value_type = T;
    static constexpr std::size_t MappedBytes = std::size_t(2) << 20;

    HugePageAllocator() = default;
    template <typename U> HugePageAllocator(const HugePageAllocator<U> &) noexcept {}

    T *allocate(std::size_t n)
    {
#ifdef __linux__
        if (n * sizeof(T) >= MappedBytes) {
            void *p = ::mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED)
                throw std::bad_alloc();
            ::madvise(p, n * sizeof(T), MADV_HUGEPAGE); // a hint: without THP nothing changes
            return static_cast<T *>(p);
        }
#endif
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T *p, std::size_t n) noexcept
    {
#ifdef __linux__
        if (n * sizeof(T) >= MappedBytes) {
            ::munmap(p, n * sizeof(T));
            return;
        }
#endif
        std::allocator<T>().deallocate(p, n);
    }
    template <typename U> bool operator==(const HugePageAllocator<U> &) const noexcept
    {
        return true;
    }
};

} // namespace trainyard::core
