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
    UserGuideText guide{path, forReaders(file.readAll()), {}};
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

QByteArray UserGuide::forReaders(const QByteArray &markdown)
{
    // Split at `## ` headings outside fenced code; the text before the first is the introduction.
    QList<QByteArray> sections{QByteArray()};
    bool fenced = false;
    qsizetype start = 0;
    while (start < markdown.size()) {
        qsizetype end = markdown.indexOf('\n', start);
        end = end < 0 ? markdown.size() : end + 1;
        const QByteArray line = markdown.mid(start, end - start);
        if (line.startsWith("```"))
            fenced = !fenced;
        if (!fenced && line.startsWith("## "))
            sections.append(QByteArray());
        sections.last() += line;
        start = end;
    }
    QByteArray readers = sections.takeFirst();
    QByteArray builders;
    for (QByteArray &section : sections) {
        if (!readers.isEmpty() && !readers.endsWith("\n"))
            readers += '\n';
        const qsizetype heading = section.indexOf('\n');
        const bool forBuilders = heading >= 0 && section.indexOf(kBuildersMarker, heading) == heading + 1;
        (forBuilders ? builders : readers) += section;
    }
    if (!builders.isEmpty() && !readers.endsWith("\n"))
        readers += '\n';
    return readers + builders;
}

} // namespace trainyard::core
