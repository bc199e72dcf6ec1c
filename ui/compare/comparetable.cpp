#include "comparetable.h"

#include "chartreadout.h"
#include "style/runcolors.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>

#include <array>
#include <cmath>
#include <set>
#include <utility>

namespace trainyard::ui {

namespace {

QString signedNumber(double v)
{
    return (v > 0 ? QStringLiteral("+") : QString()) + formatValue(v);
}

QString statKey(const QString &tag, CompareTable::Stat stat)
{
    return tag + u'\n' + QString::number(int(stat));
}

/// The statistics a tag has a row of, in the order of the rows.
constexpr std::array kStats{CompareTable::Stat::Last, CompareTable::Stat::Min, CompareTable::Stat::Max,
                            CompareTable::Stat::Difference};

/// `run`'s statistics of `tag`; null when it has none (or there is no run).
const SeriesStats *statsOf(const CompareRun *run, const QString &tag)
{
    if (!run || !run->stats)
        return nullptr;
    const auto it = run->stats->find(tag);
    return it != run->stats->end() ? &it->second : nullptr;
}

} // namespace

CompareTable::CompareTable(QWidget *parent)
    : QWidget(parent)
    , m_baselineBox(new QComboBox(this))
    , m_table(new QTableWidget(this))
{
    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(new QLabel(tr("Baseline:"), this));
    top->addWidget(m_baselineBox);
    top->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
    m_baselineBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setMouseTracking(true);
    m_table->viewport()->installEventFilter(this);
    connect(m_table, &QTableWidget::cellEntered, this, [this](int, int column) {
        Q_EMIT runHovered(column >= 0 && column < int(m_runs.size()) ? m_runs[size_t(column)].key : QString());
    });
    m_table->setSelectionMode(QAbstractItemView::ContiguousSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    connect(m_baselineBox, &QComboBox::activated, this,
            [this](int index) { setBaseline(m_baselineBox->itemData(index).toString()); });
}

QString CompareTable::statLabel(Stat stat)
{
    switch (stat) {
    case Stat::Last:
        return tr("last");
    case Stat::Min:
        return tr("min");
    case Stat::Max:
        return tr("max");
    case Stat::Difference:
        return tr("Δ last vs baseline");
    }
    return {};
}

void CompareTable::setRuns(const std::vector<const CompareRun *> &runs, const QStringList &tags)
{
    m_runs.clear();
    for (const CompareRun *run : runs)
        m_runs.push_back(*run);
    m_tags = tags;
    rebuild();
}

void CompareTable::setBaseline(const QString &key)
{
    m_baseline = key;
    rebuild();
}

int CompareTable::column(const QString &key) const
{
    return m_columns.value(key, -1);
}

int CompareTable::row(const QString &tag, Stat stat) const
{
    return m_rows.value(statKey(tag, stat), -1);
}

int CompareTable::parameterRow(const QString &name) const
{
    return m_rows.value(QStringLiteral("param\n") + name, -1);
}

bool CompareTable::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Leave)
        Q_EMIT runHovered(QString());
    return QWidget::eventFilter(watched, event);
}

void CompareTable::setHighlightedRuns(const QSet<QString> &keys)
{
    m_highlight = keys;
    for (int c = 0; c < int(m_runs.size()); ++c) {
        QTableWidgetItem *header = m_table->horizontalHeaderItem(c);
        if (!header)
            continue;
        QFont font = header->font();
        font.setBold(keys.contains(m_runs[size_t(c)].key));
        header->setFont(font);
    }
}

void CompareTable::rebuild()
{
    const CompareRun *baseline = resolveBaseline();
    fillBaselineBox();
    const ParamRows params = parameterRows(m_runs);
    resetTable(int(params.rows.size()) + int(m_tags.size()) * int(kStats.size()));
    int row = 0;
    for (const ParamRow &param : params.rows) {
        addParameterRow(row, param, params.variableNames.contains(param.name));
        ++row;
    }
    for (const QString &tag : std::as_const(m_tags))
        row = addStatRows(row, tag, baseline);
    fitColumns();
    setHighlightedRuns(m_highlight);
}

const CompareRun *CompareTable::resolveBaseline()
{
    const auto baselineIt =
        std::find_if(m_runs.begin(), m_runs.end(), [&](const CompareRun &r) { return r.key == m_baseline; });
    if (baselineIt == m_runs.end())
        m_baseline = m_runs.empty() ? QString() : m_runs.front().key;
    const CompareRun *baseline = nullptr;
    for (const CompareRun &run : m_runs) {
        if (run.key == m_baseline)
            baseline = &run;
    }
    return baseline;
}

void CompareTable::fillBaselineBox()
{
    m_baselineBox->blockSignals(true);
    m_baselineBox->clear();
    for (const CompareRun &run : m_runs)
        m_baselineBox->addItem(RunColors::swatch(RunColors::colorFor(run.name)), run.shownName(), run.key);
    m_baselineBox->setCurrentIndex(m_baselineBox->findData(m_baseline));
    m_baselineBox->blockSignals(false);
}

CompareTable::ParamRows CompareTable::parameterRows(const std::vector<CompareRun> &runs)
{
    // Parameters: rows only when some run was recorded by Trainyard.
    ParamRows params;
    bool anyRecorded = false;
    QStringList &variableNames = params.variableNames;
    for (const CompareRun &run : runs) {
        if (!run.recorded)
            continue;
        anyRecorded = true;
        for (const auto &[name, value] : run.parameters.variables) {
            if (!variableNames.contains(name))
                variableNames << name;
        }
    }
    variableNames.sort();
    if (anyRecorded) {
        params.rows.push_back({QStringLiteral("Commit"), tr("Commit")});
        params.rows.push_back({QStringLiteral("Image"), tr("Image")});
        params.rows.push_back({QStringLiteral("Image digest"), tr("Image digest")});
        for (const QString &name : std::as_const(variableNames))
            params.rows.push_back({name, name});
    }
    // Then the numbers the runs' jobs reported in files, by name and job, after the parameters.
    std::set<std::pair<QString, QString>> metrics; // (name, job), sorted
    for (const CompareRun &run : runs) {
        for (const core::LineageMetric &m : run.parameters.metrics)
            metrics.insert({m.name, m.job});
    }
    for (const auto &[name, job] : metrics)
        params.rows.push_back({metricRowName(job, name), tr("%1 (%2)").arg(name, job)});
    return params;
}

QString CompareTable::metricRowName(const QString &job, const QString &metric)
{
    return QStringLiteral("metric:%1/%2").arg(job, metric);
}

const core::LineageMetric *CompareTable::metricOf(const CompareRun &run, const QString &rowName)
{
    for (const core::LineageMetric &m : run.parameters.metrics) {
        if (metricRowName(m.job, m.name) == rowName)
            return &m;
    }
    return nullptr;
}

QString CompareTable::parameterValue(const CompareRun &run, const QString &name)
{
    const core::RunParameters &p = run.parameters;
    if (name.startsWith(QLatin1String("metric:"))) {
        const core::LineageMetric *m = metricOf(run, name);
        return m ? QLocale().toString(m->value, 'g', 6) : QString();
    }
    if (name == QLatin1String("Commit"))
        return p.commit.isEmpty() ? QString() : p.commit + (p.dirty ? tr(" (dirty)") : QString());
    if (name == QLatin1String("Image"))
        return p.image;
    if (name == QLatin1String("Image digest"))
        return p.imageDigest;
    for (const auto &[n, v] : p.variables) {
        if (n == name)
            return v;
    }
    return {};
}

void CompareTable::resetTable(int rowCount)
{
    m_table->clear();
    m_table->setColumnCount(int(m_runs.size()));
    m_table->setRowCount(rowCount);
    m_columns.clear();
    m_rows.clear();
    for (int c = 0; c < int(m_runs.size()); ++c) {
        const CompareRun &run = m_runs[size_t(c)];
        auto *header = new QTableWidgetItem(RunColors::swatch(RunColors::colorFor(run.name)), run.shownName());
        header->setToolTip(run.shownName() == run.name ? run.name : run.name + QStringLiteral(": ") + run.shownName());
        m_table->setHorizontalHeaderItem(c, header);
        m_columns.insert(run.key, c);
    }
}

void CompareTable::addParameterRow(int row, const ParamRow &param, bool variable)
{
    m_rows.insert(QStringLiteral("param\n") + param.name, row);
    auto *label = new QTableWidgetItem(param.label);
    m_table->setVerticalHeaderItem(row, label);
    QSet<QString> distinct;
    for (const CompareRun &run : m_runs) {
        if (run.recorded)
            distinct.insert(parameterValue(run, param.name));
    }
    const bool runsDiffer = distinct.size() > 1;
    for (int c = 0; c < int(m_runs.size()); ++c)
        m_table->setItem(row, c, parameterItem(m_runs[size_t(c)], param.name, runsDiffer, variable));
}

QTableWidgetItem *CompareTable::parameterItem(const CompareRun &run, const QString &name, bool runsDiffer,
                                              bool variable)
{
    const QColor paramBackground(0xf4, 0xf6, 0xf9);
    const QString value = run.recorded ? parameterValue(run, name) : QStringLiteral("—");
    // A digest is told apart by its first 12 hex digits, as `docker images` shows it; the tooltip has it whole.
    const bool digest = name == QLatin1String("Image digest");
    const qsizetype hexAt = value.indexOf(QStringLiteral("sha256:"));
    auto *item = new QTableWidgetItem(digest && hexAt >= 0 && value.size() > hexAt + 7 + 12
                                          ? value.left(hexAt + 7 + 12) + QStringLiteral("…")
                                          : value);
    item->setToolTip(value);
    item->setBackground(paramBackground);
    if (const core::LineageMetric *m = run.recorded ? metricOf(run, name) : nullptr) {
        item->setData(ValueRole, m->value);
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        item->setToolTip(tr("%1 = %2, reported by job %3 in %4")
                             .arg(m->name, QString::number(m->value, 'g', 17), m->job, m->source));
    }
    QFont font = item->font();
    font.setBold(runsDiffer && run.recorded); // the runs differ here
    const bool uncertain = variable && run.recorded && run.parameters.variablesUncertain();
    font.setItalic(uncertain);
    item->setFont(font);
    if (uncertain)
        item->setToolTip(
            run.parameters.variablesSource == core::RunParameters::VariablesSource::CurrentFile
                ? tr("From the project's .gitlab-ci.yml as it is now: the run's commit could not be read, so "
                     "the value may have changed since the run.")
                : tr("From .gitlab-ci.yml at the run's commit; the run had uncommitted changes, which may "
                     "have changed it."));
    return item;
}

int CompareTable::addStatRows(int row, const QString &tag, const CompareRun *baseline)
{
    const SeriesStats *base = statsOf(baseline, tag);
    for (const Stat stat : kStats) {
        m_rows.insert(statKey(tag, stat), row);
        auto *label = new QTableWidgetItem(tag + QStringLiteral(" · ") + statLabel(stat));
        if (stat == Stat::Last) {
            QFont bold = label->font();
            bold.setBold(true);
            label->setFont(bold);
        }
        m_table->setVerticalHeaderItem(row, label);
        for (int c = 0; c < int(m_runs.size()); ++c) {
            const CompareRun &run = m_runs[size_t(c)];
            m_table->setItem(row, c, statItem(run, statsOf(&run, tag), stat, baseline, base));
        }
        ++row;
    }
    return row;
}

QTableWidgetItem *CompareTable::statItem(const CompareRun &run, const SeriesStats *s, Stat stat,
                                         const CompareRun *baseline, const SeriesStats *base) const
{
    auto *item = new QTableWidgetItem;
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    if (!s || s->count == 0) {
        item->setText(QStringLiteral("—"));
    } else if (stat == Stat::Difference) {
        if (&run == baseline) {
            item->setText(tr("baseline"));
            item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        } else if (base && base->count > 0) {
            const double diff = s->last - base->last;
            QString text = signedNumber(diff);
            if (std::isfinite(diff) && base->last != 0 && std::isfinite(base->last))
                text += QStringLiteral(" (%1%2%)")
                            .arg(diff > 0 ? QStringLiteral("+") : QString())
                            .arg(QString::number(diff / std::abs(base->last) * 100.0, 'g', 3));
            item->setText(text);
            item->setData(ValueRole, diff);
        } else {
            item->setText(QStringLiteral("—"));
        }
    } else {
        const double value = stat == Stat::Last ? s->last : stat == Stat::Min ? s->min : s->max;
        const qint64 step = stat == Stat::Last ? s->lastStep : stat == Stat::Min ? s->minStep : s->maxStep;
        item->setText(tr("%1 @ %2").arg(formatValue(value)).arg(step));
        item->setData(ValueRole, value);
        item->setData(StepRole, step);
    }
    return item;
}

void CompareTable::fitColumns()
{
    m_table->resizeColumnsToContents();
    for (int c = 0; c < m_table->columnCount(); ++c)
        m_table->setColumnWidth(c, std::min(m_table->columnWidth(c) + 12, 320));
}

} // namespace trainyard::ui
