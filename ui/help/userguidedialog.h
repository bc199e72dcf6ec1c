#pragma once

#include <QDialog>

class QTextBrowser;

namespace trainyard::ui {

/// Help ▸ User guide: the README rendered as Markdown with its screenshots, in a window that does
/// not block. The guide is read and its pictures decoded on a worker thread.
class UserGuideDialog final : public QDialog
{
    Q_OBJECT

public:
    /// `guide`: the README.md to show (see core::UserGuide::find).
    explicit UserGuideDialog(const QString &guide, QWidget *parent = nullptr);

    QTextBrowser *browser() const { return m_browser; }

private:
    QTextBrowser *m_browser;
};

} // namespace trainyard::ui
