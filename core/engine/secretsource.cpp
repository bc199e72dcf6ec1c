#include "secretsource.h"

#include <QDir>
#include <QFile>

namespace trainyard::core {

Result<SecretSource::Secrets> SecretSource::load(const QString &projectDir, const QStringList &names)
{
    Secrets secrets;
    const QString path = QDir(projectDir).filePath(QStringLiteral(".trainyard/secrets.env"));
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly))
            return tl::unexpected(Error::error(QStringLiteral("cannot read secrets: %1").arg(file.errorString()),
                                               SourceLocation{path, 0, 0}));
        int lineNo = 0;
        while (!file.atEnd()) {
            ++lineNo;
            QString line = QString::fromUtf8(file.readLine()).trimmed();
            if (line.isEmpty() || line.startsWith(u'#'))
                continue;
            if (line.startsWith(QLatin1String("export ")))
                line = line.mid(7).trimmed();
            const qsizetype eq = line.indexOf(u'=');
            if (eq <= 0)
                return tl::unexpected(Error::error(QStringLiteral("expected KEY=value"), SourceLocation{path, lineNo, 1}));
            QString value = line.mid(eq + 1);
            if (value.size() >= 2 && ((value.startsWith(u'"') && value.endsWith(u'"')) ||
                                      (value.startsWith(u'\'') && value.endsWith(u'\''))))
                value = value.mid(1, value.size() - 2);
            secrets.values.insert(line.left(eq).trimmed(), value);
        }
    }
    for (const QString &name : names) {
        if (secrets.values.contains(name))
            continue;
        if (qEnvironmentVariableIsSet(name.toLocal8Bit().constData()))
            secrets.values.insert(name, qEnvironmentVariable(name.toLocal8Bit().constData()));
        else
            secrets.missing << name;
    }
    return secrets;
}

} // namespace trainyard::core
