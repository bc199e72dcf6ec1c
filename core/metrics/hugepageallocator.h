#pragma once

#include <cstddef>
#include <memory>

namespace trainyard::core {

/// Blocks of memory in mappings of their own, backed by transparent huge pages when the system
/// offers them (Debian's default: on request), so that filling one takes a page fault per 2 MiB
/// instead of one per 4 KiB, and it grows with mremap() (page tables moved, no bytes copied).
/// Where faults are dear (virtual machines) they are most of the time spent writing fresh memory.
namespace hugepages {

/// False where the system has no such mappings (then nothing here is called).
#ifdef __linux__
inline constexpr bool Available = true;
#else
inline constexpr bool Available = false;
#endif
/// Blocks of at least this size are worth a mapping: one huge page.
inline constexpr std::size_t MappedBytes = std::size_t(2) << 20;

/// A new mapping of `bytes`; throws std::bad_alloc, as operator new would.
void *map(std::size_t bytes);
/// The mapping moved or resized to `newBytes`; nullptr (the mapping left as it was) when it cannot.
void *remap(void *data, std::size_t oldBytes, std::size_t newBytes);
void unmap(void *data, std::size_t bytes);

} // namespace hugepages

/// An allocator for large buffers filled once and read once (a part of a file read ahead): an
/// allocation of hugepages::MappedBytes or more is a mapping of its own (see hugepages); smaller
/// ones come from std::allocator.
template <typename T> struct HugePageAllocator
{
    using value_type = T;

    HugePageAllocator() = default;
    template <typename U> HugePageAllocator(const HugePageAllocator<U> &) noexcept {}

    static bool isMapped(std::size_t n) { return hugepages::Available && n * sizeof(T) >= hugepages::MappedBytes; }
    T *allocate(std::size_t n)
    {
        return isMapped(n) ? static_cast<T *>(hugepages::map(n * sizeof(T))) : std::allocator<T>().allocate(n);
    }
    void deallocate(T *p, std::size_t n) noexcept
    {
        if (isMapped(n))
            hugepages::unmap(p, n * sizeof(T));
        else
            std::allocator<T>().deallocate(p, n);
    }
    template <typename U> bool operator==(const HugePageAllocator<U> &) const noexcept { return true; }
};

} // namespace trainyard::core
