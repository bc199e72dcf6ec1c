#pragma once

#include <QColor>
#include <QIcon>
#include <QList>
#include <QString>

namespace trainyard::ui {

/// The colour of a run in every view (Compare, the Runs list, Lineage), derived from the run's
/// name alone, so a run keeps its colour across sessions, filters and other runs coming and
/// going. The name's first number is taken out and added back as an offset: names that differ
/// only there ("#1 train", "#2 train"; "run7", "run8") get neighbouring colours of the palette,
/// which are chosen to differ, so consecutive runs never look alike. The rest of the name goes
/// through a fixed hash (FNV-1a of its UTF-8, not Qt's seeded qHash).
class RunColors final
{
public:
    static QColor colorFor(const QString &runName);
    /// A small rounded square of `color` (12 × 12 logical pixels), as lists and headers show a run.
    static QIcon swatch(const QColor &color);
    /// Ten colours that stay distinct from their neighbours and readable as thin lines on white.
    static const QList<QColor> &palette();
    /// 32-bit FNV-1a of the UTF-8 bytes: stable across processes and platforms.
    static quint32 stableHash(const QString &text);
    /// The palette index of a name: hash of the name with its first number replaced by '#',
    /// plus that number.
    static int paletteIndex(const QString &runName);
};

} // namespace trainyard::ui
