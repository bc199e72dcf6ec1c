#include "chartreadout.h"

#include <QCoreApplication>
#include <QDateTime>

#include <cmath>

namespace trainyard::ui {

QString formatValue(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("∞") : QStringLiteral("−∞");
    return QString::number(v, 'g', 6);
}

namespace {

QString formatRelative(double x, double unitSeconds)
{
    const QString unit = unitSeconds >= 3600 ? QStringLiteral("h")
                         : unitSeconds >= 60 ? QStringLiteral("min")
                                             : QStringLiteral("s");
    return QString::number(x, 'f', unitSeconds >= 60 ? 2 : 1) + u' ' + unit;
}

} // namespace

QString readoutHtml(const std::vector<ReadoutEntry> &entries, XAxisMode mode, double unitSeconds)
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("trainyard::ui::ScalarChart", text); };
    const bool showTime = mode != XAxisMode::Step && mode != XAxisMode::LogStep;
    QString html =
        QStringLiteral("<table cellspacing='0' cellpadding='2'><tr><th></th><th align='left'>%1</th>"
                       "<th align='right'>&nbsp;%2</th><th align='right'>&nbsp;%3</th><th align='right'>&nbsp;%4</th>")
            .arg(tr("Run"), tr("Smoothed"), tr("Value"), tr("Step"));
    if (showTime)
        html += QStringLiteral("<th align='right'>&nbsp;%1</th>")
                    .arg(mode == XAxisMode::WallTime ? tr("Time") : tr("Relative"));
    html += QStringLiteral("</tr>");
    for (const ReadoutEntry &e : entries) {
        html += QStringLiteral(
                    "<tr><td><span style='color:%1'>&#9632;</span></td><td>%2</td><td align='right'>&nbsp;%3</td>"
                    "<td align='right'>&nbsp;%4</td><td align='right'>&nbsp;%5</td>")
                    .arg(e.color.name(), e.name.toHtmlEscaped(), formatValue(e.smoothed), formatValue(e.value),
                         QString::number(e.step));
        if (showTime) {
            const QString time =
                mode == XAxisMode::WallTime
                    ? QDateTime::fromMSecsSinceEpoch(qint64(e.wallTime * 1000)).toString(QStringLiteral("hh:mm:ss"))
                    : formatRelative(e.x, unitSeconds);
            html += QStringLiteral("<td align='right'>&nbsp;%1</td>").arg(time);
        }
        html += QStringLiteral("</tr>");
    }
    html += QStringLiteral("</table>");
    return html;
}

} // namespace trainyard::ui
