// CompareView's exports: the selected series as CSV, a chart as PNG or SVG, and the file dialog for either.
#include "compareview.h"

#include "comparemodel.h"
#include "comparerunlist.h"
#include "metrics/scalarscsv.h"
#include "scalarchart.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>

#include <vector>

namespace trainyard::ui {

namespace {

QString safeFileName(const QString &tag)
{
    QString name = tag;
    for (QChar &c : name) {
        if (!(c.isLetterOrNumber() || c == u'-' || c == u'_' || c == u'.'))
            c = u'_';
    }
    return name.isEmpty() ? QStringLiteral("chart") : name;
}

} // namespace

core::Result<void> CompareView::exportCsv(const QString &path, const QStringList &tags) const
{
    std::vector<core::ScalarsCsv::Run> runs;
    for (const QString &key : m_runList->selectedKeys()) {
        const CompareRun *run = m_model->run(key);
        if (run && run->scalars)
            runs.emplace_back(run->name, run->scalars.get());
    }
    return core::ScalarsCsv::write(path, runs, tags.isEmpty() ? shownTags() : tags);
}

core::Result<void> CompareView::exportChart(const QString &tag, const QString &path)
{
    ScalarChart *chart = m_charts.value(tag);
    if (!chart)
        return tl::make_unexpected(
            core::Error::error(tr("no chart for tag '%1'").arg(tag), core::SourceLocation{path, 0, 0}));
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("svg"))
        return chart->exportSvg(path);
    if (suffix == QLatin1String("png"))
        return chart->exportPng(path);
    return tl::make_unexpected(
        core::Error::error(tr("export as .png or .svg, not '.%1'").arg(suffix), core::SourceLocation{path, 0, 0}));
}

void CompareView::exportInteractively(const QString &format, const QString &tag)
{
    const bool csv = format == QLatin1String("csv");
    if (!csv && tag.isEmpty())
        return;
    const QString base = csv ? (tag.isEmpty() ? QStringLiteral("scalars") : safeFileName(tag)) : safeFileName(tag);
    const QString filter = csv                              ? tr("CSV (*.csv)")
                           : format == QLatin1String("svg") ? tr("SVG (*.svg)")
                                                            : tr("PNG (*.png)");
    QString path = QFileDialog::getSaveFileName(this, tr("Export"), base + u'.' + format, filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += u'.' + format;
    const core::Result<void> written =
        csv ? exportCsv(path, tag.isEmpty() ? QStringList() : QStringList{tag}) : exportChart(tag, path);
    if (!written)
        showProblem(written.error());
    else
        m_status->setText(tr("Exported %1").arg(QFileInfo(path).fileName()));
}

} // namespace trainyard::ui
