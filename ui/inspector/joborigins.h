#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace trainyard::ui {

/// Tells where a value of a job's merged configuration (core::Job::raw) was written: in the job's
/// own lines, or elsewhere — a hidden template it extends, `default:`, a global keyword, the
/// mapping an anchor merged in, another file. It goes by the value's source location.
class JobOrigins final
{
public:
    JobOrigins() = default;
    JobOrigins(const QByteArray &text, const QString &fileName, const QString &job);

    /// Empty when `location` lies in the job's own lines (or is unknown); else what holds it:
    /// ".template", "default", "image" (a global keyword), or an included file's name.
    QString of(const core::SourceLocation &location) const;
    /// "from .template", "from default", "global image", ... for a non-empty origin.
    static QString describe(const QString &origin);

private:
    struct Range
    {
        int first = 0; ///< 1-based, inclusive
        int last = 0;
        QString key;
    };

    QString m_fileName;
    QString m_job;
    std::vector<Range> m_ranges;
};

} // namespace trainyard::ui
