#pragma once

#include "comparemodel.h"

#include <QHash>
#include <QStringList>
#include <QWidget>

#include <vector>

class QComboBox;
class QTableWidget;

namespace trainyard::ui {

/// The compare view's table: runs as columns, tags as rows. For each tag the last, lowest and
/// highest value with its step, and the last value's difference to a chosen baseline run; above
/// them the parameters of the runs Trainyard recorded (commit, image, job variables), with the
/// rows where runs differ in bold.
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
    static QString statLabel(Stat stat);

private:
    void rebuild();

    QComboBox *m_baselineBox = nullptr;
    QTableWidget *m_table = nullptr;
    std::vector<CompareRun> m_runs; ///< copies: shared data, cheap
    QStringList m_tags;
    QString m_baseline;
    QHash<QString, int> m_columns;
    QHash<QString, int> m_rows; ///< "tag\nstat" or "param\nname"
};

} // namespace trainyard::ui
