#pragma once

#include <QGraphicsView>

namespace trainyard::ui {

/// A graphics view that zooms as the window's views do: Ctrl+wheel (about the mouse), zoomIn(),
/// zoomOut(), zoomToFit() and actualSize(), between minimumZoom() and maximumZoom(); crisp text.
class ZoomableView : public QGraphicsView
{
    Q_OBJECT

public:
    explicit ZoomableView(QWidget *parent = nullptr);

    /// The scale now (1 = actual size).
    qreal zoom() const { return transform().m11(); }
    void setZoom(qreal zoom);
    void zoomIn();
    void zoomOut();
    /// The whole scene in view, never larger than actual size and never smaller than
    /// `readableZoom` (then what does not fit is scrolled to).
    void zoomToFit(qreal readableZoom);
    void actualSize();
    static constexpr qreal minimumZoom() { return 0.25; }
    static constexpr qreal maximumZoom() { return 4.0; }

protected:
    void wheelEvent(QWheelEvent *event) override;
};

} // namespace trainyard::ui
