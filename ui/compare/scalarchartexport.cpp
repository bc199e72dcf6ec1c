// ScalarChart's exports: the chart as an image, a PNG or an SVG file.
#include "scalarchart.h"

#include "chartlinesitem.h"

#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>

namespace trainyard::ui {

QImage ScalarChart::toImage(qreal scale)
{
    hideReadout();
    QImage image((QSizeF(size()) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    // Drawn anew at the image's resolution, not scaled up from the screen cache.
    m_linesItem->setExporting(true);
    render(&painter, QRectF(QPointF(), QSizeF(size())), viewport()->rect());
    m_linesItem->setExporting(false);
    painter.end();
    return image;
}

core::Result<void> ScalarChart::exportPng(const QString &path)
{
    const QImage image = toImage(2);
    if (!image.save(path, "PNG"))
        return tl::make_unexpected(
            core::Error::error(tr("cannot write the PNG file"), core::SourceLocation{path, 0, 0}));
    return {};
}

core::Result<void> ScalarChart::exportSvg(const QString &path)
{
    hideReadout();
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size());
    svg.setViewBox(QRect(QPoint(), size()));
    svg.setTitle(m_tag);
    svg.setDescription(tr("Trainyard: %1").arg(m_tag));
    QPainter painter;
    if (!painter.begin(&svg))
        return tl::make_unexpected(
            core::Error::error(tr("cannot write the SVG file"), core::SourceLocation{path, 0, 0}));
    // Vector lines in the SVG, not the screen cache's pixels.
    m_linesItem->setExporting(true);
    render(&painter, QRectF(QPointF(), QSizeF(size())), viewport()->rect());
    m_linesItem->setExporting(false);
    painter.end();
    if (QFileInfo(path).size() == 0)
        return tl::make_unexpected(
            core::Error::error(tr("cannot write the SVG file"), core::SourceLocation{path, 0, 0}));
    return {};
}

} // namespace trainyard::ui
