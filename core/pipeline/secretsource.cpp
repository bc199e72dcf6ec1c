#include "secretsource.h"

#include "secretmasker.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace trainyard::core {

Result<SecretSource::Secrets> SecretSource::load(const QString &projectDir, const QStringList &names)
{
    Secrets secrets;
    const QString path = QDir(projectDir).filePath(QStringLiteral(".trainyard/secrets.env"));
    QFile file(path);
    if (QFileInfo(path).isSymLink())
        return tl::unexpected(Error::error(
            QStringLiteral("secrets.env is a symbolic link (to %1); secrets are read only from a file of the project's "
                           "own, never through a link that a repository could carry")
                .arg(QFileInfo(path).symLinkTarget()),
            SourceLocation{path, 0, 0}));
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
                return tl::unexpected(
                    Error::error(QStringLiteral("expected KEY=value"), SourceLocation{path, lineNo, 1}));
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
    for (auto it = secrets.values.cbegin(); it != secrets.values.cend(); ++it) {
        if (const QString why = SecretMasker::unmaskable(it.value(), true); !why.isEmpty())
            return tl::unexpected(Error::error(
                QStringLiteral("secret variable %1 cannot be masked safely: %2. Nothing ran, so nothing printed it; "
                               "store it so that every line is at least %3 characters (base64 it, for example)")
                    .arg(it.key(), why)
                    .arg(SecretMasker::MinimumLength)));
        if (const QString why = SecretMasker::unmaskable(it.value()); !why.isEmpty())
            secrets.warnings << QStringLiteral("secret variable %1 is not masked: %2").arg(it.key(), why);
    }
    secrets.warnings.sort();
    return secrets;
}

} // namespace trainyard::core
