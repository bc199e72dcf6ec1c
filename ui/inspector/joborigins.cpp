#include "joborigins.h"

#include "pipeline/gitlabcireader.h"
#include "pipeline/yamlblockscanner.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace trainyard::ui {

JobOrigins::JobOrigins(const QByteArray &text, const QString &fileName, const QString &job)
    : m_fileName(fileName)
    , m_job(job)
{
    const core::YamlBlockScanner scanner(text);
    for (const auto &entry : scanner.topLevel())
        m_ranges.push_back({entry.keyLine + 1, entry.lastLine + 1, entry.key});
}

QString JobOrigins::of(const core::SourceLocation &location) const
{
    if (location.line <= 0)
        return {};
    if (!location.file.isEmpty() && location.file != m_fileName)
        return QFileInfo(location.file).fileName();
    QString holder;
    for (const Range &r : m_ranges) {
        if (location.line >= r.first && location.line <= r.last)
            holder = r.key; // a later duplicate key is the one YAML keeps
    }
    return holder == m_job ? QString() : holder;
}

QString JobOrigins::describe(const QString &origin)
{
    if (origin.isEmpty())
        return {};
    if (origin == QLatin1String("default"))
        return QCoreApplication::translate("trainyard::ui::JobOrigins", "from default");
    if (core::GitlabCiReader::globalKeywords().contains(origin))
        return QCoreApplication::translate("trainyard::ui::JobOrigins", "global %1").arg(origin);
    return QCoreApplication::translate("trainyard::ui::JobOrigins", "from %1").arg(origin);
}

} // namespace trainyard::ui
