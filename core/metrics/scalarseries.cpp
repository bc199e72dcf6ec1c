#include "scalarseries.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace trainyard::core {

namespace {

template <typename T> T *reallocate(T *data, qsizetype count)
{
    if (count == 0) {
        std::free(data);
        return nullptr;
    }
    void *moved = std::realloc(data, size_t(count) * sizeof(T));
    if (!moved)
        throw std::bad_alloc(); // as std::vector would
    return static_cast<T *>(moved);
}

template <typename T> T *duplicate(const T *data, qsizetype count)
{
    if (count == 0)
        return nullptr;
    T *copy = reallocate<T>(nullptr, count);
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
{}

ScalarSeries::ScalarSeries(ScalarSeries &&other) noexcept
    : m_steps(std::exchange(other.m_steps, nullptr))
    , m_wallTimes(std::exchange(other.m_wallTimes, nullptr))
    , m_values(std::exchange(other.m_values, nullptr))
    , m_size(std::exchange(other.m_size, 0))
    , m_capacity(std::exchange(other.m_capacity, 0))
{}

ScalarSeries &ScalarSeries::operator=(ScalarSeries other) noexcept
{
    std::swap(m_steps, other.m_steps);
    std::swap(m_wallTimes, other.m_wallTimes);
    std::swap(m_values, other.m_values);
    std::swap(m_size, other.m_size);
    std::swap(m_capacity, other.m_capacity);
    return *this;
}

ScalarSeries::~ScalarSeries()
{
    std::free(m_steps);
    std::free(m_wallTimes);
    std::free(m_values);
}

void ScalarSeries::setCapacity(qsizetype points)
{
    m_steps = reallocate(m_steps, points);
    m_wallTimes = reallocate(m_wallTimes, points);
    m_values = reallocate(m_values, points);
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
