#pragma once

#include <QWidget>

#include <vector>

namespace trainyard::ui {

/// A small line-and-area chart of the last `capacity()` values on a fixed 0..maximum scale,
/// newest at the right, in the palette's highlight colour. Only paints: whoever owns it adds
/// the samples. A negative or NaN value is "unknown" and leaves a gap.
class Sparkline final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DefaultCapacity = 120;

    explicit Sparkline(QWidget *parent = nullptr);

    /// Keeps the newest `samples` values (at least 2); older ones are dropped.
    void setCapacity(int samples);
    int capacity() const { return m_capacity; }
    /// The value drawn at the top edge; values above it are drawn at the top.
    void setMaximum(double maximum);
    double maximum() const { return m_maximum; }

    void addValue(double value);
    void clear();
    /// Samples held, oldest first (unknown ones as NaN).
    std::vector<double> values() const;
    int count() const { return m_count; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::vector<double> m_ring; // capacity slots; m_head is the next one written
    int m_head = 0;
    int m_count = 0;
    int m_capacity = DefaultCapacity;
    double m_maximum = 100.0;
};

} // namespace trainyard::ui
