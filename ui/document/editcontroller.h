#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

class QAction;
class QMenu;
class QWidget;

namespace trainyard::ui {

class PipelineDocument;

/// The window's editing verbs on the open PipelineDocument: Undo/Redo/Save, "Add job…", and a
/// job's Duplicate/Rename/Delete/Move to stage/needs. Every edit goes through the document's undo
/// stack; an edit that cannot be made is shown to the user, not swallowed.
class EditController final : public QObject
{
    Q_OBJECT

public:
    explicit EditController(QWidget *window);
    ~EditController() override;

    void setDocument(std::unique_ptr<PipelineDocument> document);
    /// While `shownElsewhere()` is true, a refused edit is not shown in a message box (the job
    /// inspector shows its own refusals inline).
    void setProblemShownElsewhere(std::function<bool()> shownElsewhere)
    {
        m_shownElsewhere = std::move(shownElsewhere);
    }
    PipelineDocument *document() const { return m_document.get(); }

    QAction *undoAction() const { return m_undo; }
    QAction *redoAction() const { return m_redo; }
    QAction *saveAction() const { return m_save; }
    QAction *addJobAction() const { return m_addJob; }
    /// Adds the edit actions for `job` to a card's menu.
    void addJobActions(QMenu &menu, const QString &job);
    /// Adds the actions on `stage` (empty: the canvas outside any lane) to a lane's menu.
    void addStageActions(QMenu &menu, const QString &stage);

    // The canvas's mouse edits, and the verbs behind the menus (each one undo step).
    void moveJobToStage(const QString &job, const QString &stage);
    void addNeed(const QString &job, const QString &need);
    void removeNeed(const QString &job, const QString &need);
    /// Removes `job`; when other jobs need it, asks whether to remove those needs too.
    void deleteJob(const QString &job);
    /// Inserts a stage at `index` of the listed stages (-1: last).
    void addStage(const QString &name, int index = -1);
    void renameStage(const QString &stage, const QString &newName);
    /// Moves a stage `delta` places left (<0) or right (>0).
    void moveStage(const QString &stage, int delta);
    void removeStage(const QString &stage);
    /// The stages written under `stages:` (without `.pre`/`.post`).
    QStringList listedStages() const;
    /// Asks to save unsaved changes; false when the user cancels (keep the window open).
    bool maybeSave();

Q_SIGNALS:
    /// The document's pipeline changed (an edit, undo or redo, or another document).
    void documentChanged();
    /// Another document (or none) is open now.
    void documentReplaced(trainyard::ui::PipelineDocument *document);
    void modifiedChanged(bool modified);

private:
    void updateActions();
    void addJob(const QString &stage = {});
    void askAddStage(int index);

    QWidget *m_window;
    std::unique_ptr<PipelineDocument> m_document;
    QAction *m_undo;
    QAction *m_redo;
    QAction *m_save;
    QAction *m_addJob;
    std::function<bool()> m_shownElsewhere;
};

} // namespace trainyard::ui
