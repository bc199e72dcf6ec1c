#include "error.h"

namespace trainyard::core {

QString SourceLocation::toString() const
{
    if (line <= 0)
        return file;
    return QStringLiteral("%1:%2:%3").arg(file).arg(line).arg(column > 0 ? column : 1);
}

QString Error::toString() const
{
    const QString kind = isError() ? QStringLiteral("error") : QStringLiteral("warning");
    const QString where = location.toString();
    if (where.isEmpty())
        return kind + QStringLiteral(": ") + message;
    return where + QStringLiteral(": ") + kind + QStringLiteral(": ") + message;
}

Error Error::error(QString message, SourceLocation location, QString job)
{
    return Error{std::move(message), std::move(location), Severity::Error, std::move(job)};
}

Error Error::warning(QString message, SourceLocation location, QString job)
{
    return Error{std::move(message), std::move(location), Severity::Warning, std::move(job)};
}

} // namespace trainyard::core
