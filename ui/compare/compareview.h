#pragma once

#include "chartline.h"
#include "common/error.h"

#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QHBoxLayout;
class QLayout;
class QLabel;
class QSettings;
class QLineEdit;
class QScrollArea;
class QSlider;
class QSplitter;
class QTabWidget;

namespace trainyard::ui {

class CompareModel;
class CompareRunList;
class CompareTable;
class ScalarChart;

/// Compare runs by their TensorBoard scalars: the project's recorded runs and any logdir
/// (opened, or dropped on the view) in a run list with a regex filter; a grid of charts, one per
/// tag (regex-filtered), every selected run overlaid in its colour, smoothed over the faint raw
/// line; x as step, relative or wall time; linear or log y; outliers ignored for the y range or
/// not; a table of last/min/max per tag and run with the difference to a baseline run and the
/// runs' parameters. Exports a chart as PNG or SVG and the selected series as CSV. Running jobs'
/// curves grow live. Nothing is parsed on the UI thread (see CompareModel).
///
/// The window calls setProjectDir() when a project opens and refreshRuns() when a run or one of
/// its jobs starts or ends.
class CompareView final : public QWidget
{
    Q_OBJECT

public:
    explicit CompareView(QWidget *parent = nullptr);
    ~CompareView() override;

    /// Shows the recorded runs of the project in `dir`; empty shows none (logdirs stay).
    void setProjectDir(const QString &dir);
    /// Lists the project's recorded runs again (a run or job started or ended).
    void refreshRuns();
    /// Draws the recorded runs of these pipeline runs (RunRecord ids) and no other recorded run;
    /// logdir runs keep their check state. Runs not listed yet are checked when they arrive.
    void showPipelineRuns(const QStringList &runIds);
    /// Adds a TensorBoard logdir (a folder or an event file), read and then followed.
    void addLogdir(const QString &path);
    /// Looks again (on a worker) whether a team store is set for the project, which enables the
    /// Team scope (Settings \u25b8 Team store changed).
    void checkTeamStore();
    /// Shows this project's runs from every machine (true), from the team's lineage store, their
    /// event files from the team's registry; or this machine's (false). False when no team store
    /// is set.
    bool setTeamScope(bool team);
    bool isTeamScope() const;
    QComboBox *scopeBox() const { return m_scope; }

    /// Filters runs / tags by a case-insensitive regular expression; false for a bad pattern
    /// (the field is marked, the last good filter stays).
    bool setRunFilter(const QString &pattern);
    bool setTagFilter(const QString &pattern);
    QString tagFilter() const;
    /// 0 (raw) to 0.999; TensorBoard's default 0.6 is the default here too.
    void setSmoothing(double weight);
    double smoothing() const { return m_weight; }
    void setXAxisMode(XAxisMode mode);
    XAxisMode xAxisMode() const { return m_mode; }
    void setLogY(bool on);
    bool isLogY() const { return m_logY; }
    void setIgnoreOutliers(bool on);
    bool ignoresOutliers() const { return m_ignoreOutliers; }
    /// How the user likes the charts (smoothing, x axis, log y, outliers), kept in the settings.
    void saveSettings(QSettings &settings) const;
    void restoreSettings(const QSettings &settings);

    CompareModel *model() const { return m_model; }
    CompareRunList *runList() const { return m_runList; }
    CompareTable *table() const { return m_table; }
    /// The tags charted now, sorted, and a tag's chart (nullptr when not charted).
    QStringList shownTags() const { return m_charts.keys(); }
    ScalarChart *chart(const QString &tag) const { return m_charts.value(tag); }
    /// The runs drawn: checked and passing the run filter, in list order.
    QStringList selectedRunKeys() const;
    /// Highlights these runs (CompareRun keys) in every chart, the run list and the table; empty
    /// clears. Hovering a run in any of them does this.
    void setHighlightedRuns(const QSet<QString> &keys);
    QSet<QString> highlightedRuns() const { return m_highlight; }
    /// Highlights the recorded runs of pipeline run `runId` (hovered in the Runs list); empty clears.
    void highlightPipelineRun(const QString &runId);
    /// The chart the toolbar's exports act on: the one last clicked, else the first.
    QString currentTag() const;
    /// True while runs load, charts prepare their lines or the table waits to be rebuilt.
    bool isBusy() const;
    /// The text shown where charts would be when there are none; empty while charts are shown.
    QString placeholderText() const;

    /// Every point of the selected runs' shown tags (or of `tags`), as `trainyard scalars --csv`.
    core::Result<void> exportCsv(const QString &path, const QStringList &tags = {}) const;
    /// A chart as PNG or SVG, by the file's suffix.
    core::Result<void> exportChart(const QString &tag, const QString &path);

Q_SIGNALS:
    /// checkTeamStore() found out whether a team store is set.
    void teamStoreChecked(bool available);
    /// A damaged record, an unreadable logdir, a failed export: for the window's Problems list.
    void problemFound(const trainyard::core::Error &problem);
    void loadingChanged(bool loading);
    /// The user hovers the runs of these pipeline runs here (empty: none): the Runs list marks them.
    void pipelineRunsHovered(const QStringList &runIds);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    // The steps of the constructor.
    /// The left pane: the run list, the tag filter and the status line (with their signals).
    QWidget *createRunsPane();
    /// The right pane: the tabs of the chart grid and the table.
    QWidget *createChartsPane();
    /// The chart grid in the scroll area: its white background, the grid layout and the placeholder.
    void createChartGrid();
    /// Puts `left` and `right` in the splitter, under the top bar.
    void layOut(QWidget *left, QWidget *right);
    /// The top bar: Open logdir… and the chart controls, wrapping when the view is narrow.
    QWidget *createTopBar();
    /// Sets up the table timer and connects the model's and the run list's signals.
    void connectSignals();

    /// Adds the chart controls (smoothing, x axis, log y, outliers, reset zoom, export) to `row` in `bar`.
    void createControls(QWidget *bar, QLayout *row);
    void runsChanged();
    void applyFocus();
    void sizeSplitOnce();
    void updateCharts();
    void layoutCharts();
    void updateTable();
    void updateStatus();
    void chooseLogdir();
    void exportInteractively(const QString &format, const QString &tag);
    void runListMenu(const QPoint &pos);
    void showProblem(const core::Error &problem);

    CompareModel *m_model = nullptr;
    QComboBox *m_scope = nullptr; ///< This project | Team
    QString m_teamUrl;            ///< the team store set for the project; empty: none
    QString m_teamRegistry;       ///< the team's registry set for the project; empty: none
    CompareRunList *m_runList = nullptr;
    CompareTable *m_table = nullptr;
    QLabel *m_status = nullptr;
    QLineEdit *m_tagFilter = nullptr;
    QSlider *m_smoothingSlider = nullptr;
    QDoubleSpinBox *m_smoothingSpin = nullptr;
    QComboBox *m_xAxis = nullptr;
    QCheckBox *m_logYBox = nullptr;
    QCheckBox *m_outliersBox = nullptr;
    QTabWidget *m_tabs = nullptr;
    QScrollArea *m_scroll = nullptr;
    QSplitter *m_splitter = nullptr;
    bool m_splitSized = false;
    QWidget *m_grid = nullptr;
    QGridLayout *m_gridLayout = nullptr;
    QLabel *m_placeholder = nullptr;

    QMap<QString, ScalarChart *> m_charts; ///< by tag, sorted
    QString m_currentTag;
    QRegularExpression m_tagRegex;
    double m_weight = 0.6;
    XAxisMode m_mode = XAxisMode::Step;
    bool m_logY = false;
    bool m_ignoreOutliers = false;
    int m_gridColumns = 0;
    QTimer m_tableTimer;
    QSet<QString> m_loaded;    ///< runs whose first data arrived
    QSet<QString> m_focus;     ///< showPipelineRuns(): run ids to draw, until all are listed
    QSet<QString> m_focusSeen; ///< keys whose check state the focus has set
    QSet<QString> m_highlight; ///< runs highlighted (hovered) now
    /// A run hovered in one of the panes: highlight it everywhere, and tell the window.
    void runHovered(const QString &key);
};

} // namespace trainyard::ui
