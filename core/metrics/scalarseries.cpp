#include "scalarseries.h"

#include "hugepageallocator.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace trainyard::core {

namespace {

static_assert(sizeof(qint64) == 8 && sizeof(double) == 8, "the three columns share one element size");
constexpr size_t ElementBytes = 8;

// A column of at least a huge page lives in a mapping of its own (hugepages): it grows with
// mremap(), which moves page tables instead of copying points (realloc() copies whenever malloc
// placed the block on its heap, which it does for blocks up to 32 MiB once a large one was freed),
// and it may be backed by transparent huge pages, so filling it takes one page fault per 2 MiB
// instead of per 4 KiB. A bulk read of a long run spends a good part of its time in exactly those two.
// A column once in a mapping stays there when it shrinks (mremap() in place), so a bulk read can
// reserve far ahead and squeeze the rest away without copying a point.
bool isLarge(qsizetype count)
{
    return hugepages::Available && size_t(count) * ElementBytes >= hugepages::MappedBytes;
}

void release(void *data, qsizetype capacity, bool mapped)
{
    if (data && mapped)
        hugepages::unmap(data, size_t(capacity) * ElementBytes);
    else
        std::free(data);
}

void *allocate(qsizetype count, bool mapped)
{
    if (mapped)
        return hugepages::map(size_t(count) * ElementBytes);
    void *p = std::malloc(size_t(count) * ElementBytes);
    if (!p)
        throw std::bad_alloc(); // as std::vector would
    return p;
}

// Resizes the three columns of `capacity` elements (`used` of them set, in a mapping when
// `mapped`) to `count` elements, and says where they are now in `mapped`. The columns never
// disagree about where they are, even when an allocation fails part way: then the columns are
// left as they were, or at least as large as they were (which only wastes room), and bad_alloc
// is thrown.
void resizeColumns(std::array<void *, 3> &columns, qsizetype used, qsizetype capacity, qsizetype count, bool &mapped)
{
    const size_t oldBytes = size_t(capacity) * ElementBytes;
    const size_t bytes = size_t(count) * ElementBytes;
    if (count > 0 && capacity > 0 && !mapped && !isLarge(count)) {
        for (void *&column : columns) {
            if (void *moved = std::realloc(column, bytes))
                column = moved;
            else if (count > capacity)
                throw std::bad_alloc(); // as std::vector would
            // else: a block that could not shrink is still large enough
        }
        return;
    }
    if (count > 0 && capacity > 0 && mapped) {
        for (size_t i = 0; i < columns.size(); ++i) {
            if (void *moved = hugepages::remap(columns[i], oldBytes, bytes)) {
                columns[i] = moved;
            } else if (count > capacity) {
                for (size_t done = 0; done < i; ++done) { // back to their size (in place)
                    if (void *back = hugepages::remap(columns[done], bytes, oldBytes))
                        columns[done] = back;
                }
                throw std::bad_alloc();
            }
        }
        return;
    }
    // From nothing, to nothing, or from the heap into mappings: new blocks first, then the
    // points copied once and the old blocks released.
    const bool toMapped = count > 0 && isLarge(count);
    std::array<void *, 3> fresh{};
    if (count > 0) {
        try {
            for (void *&column : fresh)
                column = allocate(count, toMapped);
        } catch (...) {
            for (void *column : fresh)
                release(column, count, toMapped);
            throw;
        }
    }
    for (size_t i = 0; i < columns.size(); ++i) {
        if (fresh[i] && columns[i])
            std::memcpy(fresh[i], columns[i], size_t(std::min(used, count)) * ElementBytes);
        release(columns[i], capacity, mapped);
        columns[i] = fresh[i];
    }
    mapped = toMapped;
}

template <typename T> T *duplicate(const T *data, qsizetype count)
{
    if (count == 0)
        return nullptr;
    T *copy = static_cast<T *>(allocate(count, isLarge(count)));
    std::memcpy(copy, data, size_t(count) * sizeof(T));
    return copy;
}

} // namespace

ScalarSeries::ScalarSeries(const ScalarSeries &other)
    : m_steps(duplicate(other.m_steps, other.m_size))
    , m_wallTimes(duplicate(other.m_wallTimes, other.m_size))
    , m_values(duplicate(other.m_values, other.m_size))
    , m_size(other.m_size)
    , m_capacity(other.m_size)
    , m_mapped(isLarge(other.m_size))
{}

ScalarSeries::ScalarSeries(ScalarSeries &&other) noexcept
    : m_steps(std::exchange(other.m_steps, nullptr))
    , m_wallTimes(std::exchange(other.m_wallTimes, nullptr))
    , m_values(std::exchange(other.m_values, nullptr))
    , m_size(std::exchange(other.m_size, 0))
    , m_capacity(std::exchange(other.m_capacity, 0))
    , m_mapped(std::exchange(other.m_mapped, false))
{}

ScalarSeries &ScalarSeries::operator=(ScalarSeries other) noexcept
{
    std::swap(m_steps, other.m_steps);
    std::swap(m_wallTimes, other.m_wallTimes);
    std::swap(m_values, other.m_values);
    std::swap(m_size, other.m_size);
    std::swap(m_capacity, other.m_capacity);
    std::swap(m_mapped, other.m_mapped);
    return *this;
}

ScalarSeries::~ScalarSeries()
{
    release(m_steps, m_capacity, m_mapped);
    release(m_wallTimes, m_capacity, m_mapped);
    release(m_values, m_capacity, m_mapped);
}

void ScalarSeries::setCapacity(qsizetype points)
{
    std::array<void *, 3> columns{m_steps, m_wallTimes, m_values};
    const auto keep = [&] {
        m_steps = static_cast<qint64 *>(columns[0]);
        m_wallTimes = static_cast<double *>(columns[1]);
        m_values = static_cast<double *>(columns[2]);
    };
    try {
        resizeColumns(columns, m_size, m_capacity, points, m_mapped);
    } catch (...) {
        keep(); // a column may have moved before the failure; m_capacity still fits them all
        throw;
    }
    keep();
    m_capacity = points;
}

// A quarter rather than doubling: a long run's series stays close to 24 bytes a point while it
// is tailed. Bulk reads reserve ahead themselves and squeeze afterwards (ScalarTailer).
void ScalarSeries::grow()
{
    setCapacity(m_size + std::max<qsizetype>(m_size / 4, 64));
}

void ScalarSeries::reserve(qsizetype points)
{
    if (points > m_capacity)
        setCapacity(points);
}

void ScalarSeries::squeeze()
{
    if (m_capacity > m_size)
        setCapacity(m_size);
}

void ScalarSeries::clear()
{
    setCapacity(0);
    m_size = 0;
}

qsizetype RunScalars::pointCount() const
{
    qsizetype n = 0;
    for (const auto &entry : series)
        n += entry.second.size();
    return n;
}

} // namespace trainyard::core
