#pragma once

#include <QByteArrayView>
#include <QString>

#include <tl/expected.hpp>

namespace trainyard::core {

/// Where a problem is: a file position, and/or the job, run or path it concerns.
struct SourceLocation
{
    QString file;
    int line = 0;   ///< 1-based; 0 when unknown
    int column = 0; ///< 1-based; 0 when unknown

    bool isValid() const { return !file.isEmpty(); }
    bool operator==(const SourceLocation &) const = default;
    /// "FILE:LINE:COLUMN", or "FILE" when the position is unknown.
    QString toString() const;
    /// The location of byte `offset` of `text` (a parser's error offset) in `file`: its 1-based
    /// line and column.
    static SourceLocation atOffset(const QString &file, const QByteArrayView &text, qsizetype offset);
};

/// An error or warning that names where it happened. Core returns these as values, never throws.
struct Error
{
    enum class Severity { Error, Warning };

    QString message;
    SourceLocation location;
    Severity severity = Severity::Error;
    QString job; ///< the job concerned, if any

    /// "FILE:LINE:COLUMN: error: MESSAGE" (or "warning:"), as compilers print it.
    QString toString() const;
    bool isError() const { return severity == Severity::Error; }
    bool operator==(const Error &) const = default;

    static Error error(QString message, SourceLocation location = {}, QString job = {});
    static Error warning(QString message, SourceLocation location = {}, QString job = {});
};

/// The result of a core operation that can fail on user input.
template <typename T> using Result = tl::expected<T, Error>;

} // namespace trainyard::core
