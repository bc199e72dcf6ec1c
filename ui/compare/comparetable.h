#pragma once

#include "comparemodel.h"

#include <QHash>
#include <QSet>
#include <QStringList>
#include <QWidget>

#include <vector>

class QComboBox;
class QTableWidget;
class QTableWidgetItem;

namespace trainyard::ui {

/// The compare view's table: runs as columns, tags as rows. For each tag the last, lowest and
/// highest value with its step, and the last value's difference to a chosen baseline run; above
/// them the parameters of the runs Trainyard recorded (commit, image, job variables) and the numbers
/// their pipeline runs' jobs reported in files (metrics.txt, dotenv, metrics.json), with the rows
/// where runs differ in bold.
class CompareTable final : public QWidget
{
    Q_OBJECT

public:
    enum class Stat { Last, Min, Max, Difference };
    static constexpr int ValueRole = Qt::UserRole + 1; ///< the number of a value cell (double)
    static constexpr int StepRole = Qt::UserRole + 2;  ///< its step (qint64)

    explicit CompareTable(QWidget *parent = nullptr);

    /// Shows `runs` (in this order) and `tags`. The pointers are only read during the call.
    void setRuns(const std::vector<const CompareRun *> &runs, const QStringList &tags);
    /// The run others are compared with; the first run when unset or gone.
    void setBaseline(const QString &key);
    QString baseline() const { return m_baseline; }

    QTableWidget *table() const { return m_table; }
    QComboBox *baselineBox() const { return m_baselineBox; }
    /// Column of a run, row of a tag's statistic or of a parameter ("Commit", "Image",
    /// "Image digest" or a variable's name); -1 when not shown.
    int column(const QString &key) const;
    int row(const QString &tag, Stat stat) const;
    int parameterRow(const QString &name) const;
    /// The parameterRow() name of a number `job` reported in a file (`metric:JOB/NAME`).
    static QString metricRowName(const QString &job, const QString &metric);
    static QString statLabel(Stat stat);
    /// Runs hovered somewhere else: their columns' headers are shown in bold.
    void setHighlightedRuns(const QSet<QString> &keys);

Q_SIGNALS:
    /// The pointer is over a cell of run `key`'s column; empty when it left the table.
    void runHovered(const QString &key);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    /// A parameter row: the name parameterRow() finds it by, and the label shown.
    struct ParamRow
    {
        QString name;
        QString label;
    };
    /// The parameter rows of some runs, and the job variables' names among them (sorted).
    struct ParamRows
    {
        std::vector<ParamRow> rows;
        QStringList variableNames;
    };

    void rebuild();
    /// Falls back to the first run when the baseline is unset or gone; returns its run (null without runs).
    const CompareRun *resolveBaseline();
    /// Lists the runs in the baseline box, the baseline selected, without emitting its signals.
    void fillBaselineBox();
    /// The parameter rows of `runs`: none unless some run was recorded by Trainyard.
    static ParamRows parameterRows(const std::vector<CompareRun> &runs);
    /// The reported metric a row (metricRowName()) shows of `run`; null when it has none.
    static const core::LineageMetric *metricOf(const CompareRun &run, const QString &rowName);
    /// The value of the parameter `name` (a row's name) of `run`, as the table shows it.
    static QString parameterValue(const CompareRun &run, const QString &name);
    /// Empties the table and sets it up for the runs (a column each, with its header) and `rowCount` rows.
    void resetTable(int rowCount);
    /// Fills `row` with the parameter `param` of every run; `variable` when it is a job variable.
    void addParameterRow(int row, const ParamRow &param, bool variable);
    /// The cell of a parameter of `run`; bold when `runsDiffer`, italic when a variable's value is uncertain.
    static QTableWidgetItem *parameterItem(const CompareRun &run, const QString &name, bool runsDiffer, bool variable);
    /// Fills the rows of `tag`'s statistics from `row` on; returns the row after them.
    int addStatRows(int row, const QString &tag, const CompareRun *baseline);
    /// The cell of `stat` of `run` (statistics `s`, null when it has none of the tag), `base` the baseline's.
    QTableWidgetItem *statItem(const CompareRun &run, const SeriesStats *s, Stat stat, const CompareRun *baseline,
                               const SeriesStats *base) const;
    /// Sizes the columns to their content, a little wider, at most 320 pixels.
    void fitColumns();

    QComboBox *m_baselineBox = nullptr;
    QTableWidget *m_table = nullptr;
    std::vector<CompareRun> m_runs; ///< copies: shared data, cheap
    QStringList m_tags;
    QString m_baseline;
    QHash<QString, int> m_columns;
    QSet<QString> m_highlight;
    QHash<QString, int> m_rows; ///< "tag\nstat" or "param\nname"
};

} // namespace trainyard::ui
