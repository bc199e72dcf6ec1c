#include "runcolors.h"

#include <QPainter>
#include <QPixmap>

namespace trainyard::ui {

const QList<QColor> &RunColors::palette()
{
    // Tableau 10 in its order (neighbours differ in hue), its grey swapped for an indigo.
    static const QList<QColor> colors{
        QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
        QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2), QColor(0x39, 0x3b, 0x79),
        QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf),
    };
    return colors;
}

quint32 RunColors::stableHash(const QString &text)
{
    quint32 hash = 2166136261u;
    for (const char c : text.toUtf8()) {
        hash ^= quint8(c);
        hash *= 16777619u;
    }
    return hash;
}

int RunColors::paletteIndex(const QString &runName)
{
    const int size = int(palette().size());
    qsizetype first = -1;
    for (qsizetype i = 0; i < runName.size(); ++i) {
        if (runName.at(i).isDigit() && runName.at(i).unicode() < 128) {
            first = i;
            break;
        }
    }
    if (first < 0)
        return int(stableHash(runName) % quint32(size));
    qsizetype end = first;
    quint32 number = 0;
    while (end < runName.size() && runName.at(end).isDigit() && runName.at(end).unicode() < 128) {
        number = (number * 10 + quint32(runName.at(end).unicode() - '0')) % quint32(size);
        ++end;
    }
    const QString pattern = runName.left(first) + u'#' + runName.mid(end);
    return int((stableHash(pattern) % quint32(size) + number) % quint32(size));
}

QIcon RunColors::swatch(const QColor &color)
{
    QPixmap pixmap(QSize(24, 24));
    pixmap.setDevicePixelRatio(2);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(color.darker(130));
    p.setBrush(color);
    p.drawRoundedRect(QRectF(1.5, 1.5, 9, 9), 2, 2);
    return QIcon(pixmap);
}

QColor RunColors::colorFor(const QString &runName)
{
    return palette().at(paletteIndex(runName));
}

} // namespace trainyard::ui
