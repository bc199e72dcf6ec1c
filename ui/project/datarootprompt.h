#pragma once

#include <QObject>
#include <QSet>
#include <QString>

#include <functional>

class QWidget;

namespace trainyard::core {
struct Pipeline;
}

namespace trainyard::ui {

/// Asks, once per folder and session, whether jobs may read a data folder outside the project
/// that the pipeline declares. HostAccess refuses such a folder until the user allows it on this
/// machine; the answer "allow" is kept in the user's settings (Settings ▸ Data folders lists it).
class DataRootPrompt final : public QObject
{
    Q_OBJECT

public:
    /// Returns true to allow `root` for the data input `input` of the project `project`.
    using Ask = std::function<bool(const QString &root, const QString &input, const QString &project)>;

    explicit DataRootPrompt(QWidget *parent);
    /// Replaces the question box (tests answer for the user).
    void setAsk(Ask ask) { m_ask = std::move(ask); }

    /// Asks about each data input of `pipeline` that is refused only for lying outside the project,
    /// unless asked already; true when a folder was allowed (the pipeline must be read again).
    bool askFor(const QString &projectDir, const core::Pipeline &pipeline);

private:
    QWidget *m_parent;
    QSet<QString> m_asked;
    Ask m_ask;
};

} // namespace trainyard::ui
