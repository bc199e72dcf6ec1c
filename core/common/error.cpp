#include "error.h"

namespace trainyard::core {

SourceLocation SourceLocation::atOffset(const QString &file, const QByteArrayView &text, qsizetype offset)
{
    SourceLocation at{file, 1, 1};
    for (qsizetype i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++at.line;
            at.column = 1;
        } else {
            ++at.column;
        }
    }
    return at;
}

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
