#include "userguide.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace trainyard::core {

QString UserGuide::find(const QStringList &candidates)
{
    for (const QString &c : candidates) {
        if (QFileInfo(c).isFile())
            return QFileInfo(c).canonicalFilePath();
    }
    return {};
}

Result<UserGuideText> UserGuide::read(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tl::unexpected(Error::error(QStringLiteral("cannot read the user guide: %1").arg(file.errorString()),
                                           SourceLocation{path}));
    UserGuideText guide{path, file.readAll(), {}};
    static const QRegularExpression imageLink(QStringLiteral("!\\[[^\\]]*\\]\\(([^)\\s]+)\\)"));
    const QDir dir = QFileInfo(path).absoluteDir();
    for (const QRegularExpressionMatch &m : imageLink.globalMatch(QString::fromUtf8(guide.markdown))) {
        const QString link = m.captured(1);
        if (link.contains(QLatin1String("://")))
            continue; // only pictures beside the guide
        QFile picture(dir.filePath(link));
        if (picture.open(QIODevice::ReadOnly))
            guide.images.emplace_back(link, picture.readAll());
    }
    return guide;
}

} // namespace trainyard::core
