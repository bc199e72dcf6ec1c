#pragma once

#include "eventdecoder.h"

#include <QString>

#include <map>
#include <span>

namespace trainyard::core {

/// The points of one (run, tag) in file order, column by column: steps, wall times and values
/// in three contiguous arrays, 24 bytes per point (plus growth slack until squeeze()).
///
/// The columns are plain arrays grown and shrunk in place where the system allows, where
/// std::vector always copies: small ones malloc'ed and resized with realloc, large ones (2 MiB
/// and up, on Linux) in mappings of their own, resized with mremap and backed by huge pages
/// when the system offers them. A column in a mapping stays there when it shrinks, so room
/// reserved far ahead (of which only the pages written are ever backed) is squeezed away in
/// place.
class ScalarSeries final
{
public:
    ScalarSeries() = default;
    ScalarSeries(const ScalarSeries &other);
    ScalarSeries(ScalarSeries &&other) noexcept;
    ScalarSeries &operator=(ScalarSeries other) noexcept;
    ~ScalarSeries();

    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }

    /// Appends a point; when full, grows by a quarter (bounded slack while a run is tailed).
    void append(const ScalarPoint &point)
    {
        if (m_size == m_capacity)
            grow();
        m_steps[m_size] = point.step;
        m_wallTimes[m_size] = point.wallTime;
        m_values[m_size] = point.value;
        ++m_size;
    }
    /// Makes room for `points` in all (never shrinks).
    void reserve(qsizetype points);
    qsizetype capacity() const { return m_capacity; }
    /// Gives back the growth slack, so memory is exactly 24 bytes per point.
    void squeeze();
    void clear();

    std::span<const qint64> steps() const { return {m_steps, size_t(m_size)}; }
    std::span<const double> wallTimes() const { return {m_wallTimes, size_t(m_size)}; }
    std::span<const double> values() const { return {m_values, size_t(m_size)}; }
    ScalarPoint at(qsizetype i) const { return {m_steps[i], m_wallTimes[i], m_values[i]}; }

    /// Bytes held by the three arrays (their capacity), for memory accounting.
    qsizetype memoryBytes() const { return m_capacity * qsizetype(sizeof(qint64) + 2 * sizeof(double)); }

private:
    void grow();
    void setCapacity(qsizetype points);

    qint64 *m_steps = nullptr;
    double *m_wallTimes = nullptr;
    double *m_values = nullptr;
    qsizetype m_size = 0;
    qsizetype m_capacity = 0;
    bool m_mapped = false; ///< the columns are mappings of their own (hugepages), not malloc'ed
};

/// The scalars of one run: every tag's series, by tag (ordered by name).
struct RunScalars
{
    QString name;      ///< path relative to the logdir, '/'-separated; "" for the logdir itself
    QString directory; ///< absolute path of the folder holding the run's event files
    std::map<QString, ScalarSeries> series;

    qsizetype pointCount() const;
};

} // namespace trainyard::core
