#include "editcontroller.h"

#include "pipelinecommands.h"
#include "pipelinedocument.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QUndoStack>
#include <QWidget>

namespace trainyard::ui {

EditController::EditController(QWidget *window)
    : QObject(window)
    , m_window(window)
    , m_undo(new QAction(tr("&Undo"), this))
    , m_redo(new QAction(tr("&Redo"), this))
    , m_save(new QAction(tr("&Save"), this))
    , m_addJob(new QAction(tr("&Add job…"), this))
{
    m_undo->setShortcut(QKeySequence::Undo);
    m_redo->setShortcut(QKeySequence::Redo);
    m_save->setShortcut(QKeySequence::Save);
    m_addJob->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_J));
    connect(m_undo, &QAction::triggered, this, [this] {
        if (m_document)
            m_document->undoStack()->undo();
    });
    connect(m_redo, &QAction::triggered, this, [this] {
        if (m_document)
            m_document->undoStack()->redo();
    });
    connect(m_save, &QAction::triggered, this, [this] {
        if (!m_document)
            return;
        if (m_document->changedOnDisk()) {
            // Another editor changed the file since it was read: never overwrite that silently.
            QMessageBox box(QMessageBox::Warning, tr("The file changed on disk"),
                            tr("%1 was changed by another program since Trainyard read it. Saving replaces those "
                               "changes with yours; File ▸ Reload pipeline drops yours instead.")
                                .arg(QDir::toNativeSeparators(m_document->filePath())),
                            QMessageBox::NoButton, m_window);
            QPushButton *overwrite = box.addButton(tr("&Save mine over it"), QMessageBox::DestructiveRole);
            box.addButton(QMessageBox::Cancel);
            box.setDefaultButton(QMessageBox::Cancel);
            box.exec();
            if (box.clickedButton() != overwrite)
                return;
        }
        if (auto saved = m_document->save(); !saved)
            QMessageBox::warning(m_window, tr("Cannot save"), saved.error().toString());
    });
    connect(m_addJob, &QAction::triggered, this, [this] { addJob(); });
    updateActions();
}

EditController::~EditController() = default;

void EditController::setDocument(std::unique_ptr<PipelineDocument> document)
{
    m_document = std::move(document);
    if (m_document) {
        QUndoStack *stack = m_document->undoStack();
        connect(stack, &QUndoStack::indexChanged, this, &EditController::updateActions);
        connect(m_document.get(), &PipelineDocument::changed, this, &EditController::documentChanged);
        connect(m_document.get(), &PipelineDocument::modifiedChanged, this, &EditController::modifiedChanged);
        connect(m_document.get(), &PipelineDocument::modifiedChanged, this, &EditController::updateActions);
        connect(m_document.get(), &PipelineDocument::problem, this, [this](const core::Error &e) {
            if (m_shownElsewhere && m_shownElsewhere())
                return;
            // Window-modal but not blocking: the edit was refused, nothing waits on the answer.
            auto *box = new QMessageBox(QMessageBox::Information, tr("This edit cannot be made"), e.toString(),
                                        QMessageBox::Ok, m_window);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        });
    }
    updateActions();
    Q_EMIT documentReplaced(m_document.get());
    Q_EMIT modifiedChanged(m_document && m_document->isModified());
}

void EditController::updateActions()
{
    QUndoStack *stack = m_document ? m_document->undoStack() : nullptr;
    m_undo->setEnabled(stack && stack->canUndo());
    m_undo->setText(stack && stack->canUndo() ? tr("&Undo %1").arg(stack->undoText()) : tr("&Undo"));
    m_redo->setEnabled(stack && stack->canRedo());
    m_redo->setText(stack && stack->canRedo() ? tr("&Redo %1").arg(stack->redoText()) : tr("&Redo"));
    // Save when there is something to write: edits, or a new pipeline not on disk yet.
    m_save->setEnabled(m_document && (m_document->isModified() || !QFileInfo::exists(m_document->filePath())));
    m_addJob->setEnabled(m_document != nullptr);
}

QStringList EditController::listedStages() const
{
    QStringList stages;
    if (!m_document)
        return stages;
    for (const QString &s : m_document->pipeline().stages) {
        if (s != QLatin1String(".pre") && s != QLatin1String(".post"))
            stages << s;
    }
    return stages;
}

void EditController::addJob(const QString &stage)
{
    if (!m_document)
        return;
    const QStringList stages = listedStages();
    bool ok = false;
    const QString name =
        QInputDialog::getText(m_window, tr("Add job"), tr("Job name:"), QLineEdit::Normal, {}, &ok).trimmed();
    if (!ok || name.isEmpty())
        return;
    QString target = stage;
    if (target.isEmpty())
        target = QInputDialog::getItem(m_window, tr("Add job"), tr("Stage of '%1':").arg(name), stages, 0, false, &ok);
    if (ok)
        m_document->push(new AddJobCommand(m_document.get(), name, target));
}

void EditController::moveJobToStage(const QString &job, const QString &stage)
{
    if (m_document)
        m_document->push(new MoveJobToStageCommand(m_document.get(), job, stage));
}

void EditController::addNeed(const QString &job, const QString &need)
{
    if (m_document)
        m_document->push(new AddNeedCommand(m_document.get(), job, need));
}

void EditController::removeNeed(const QString &job, const QString &need)
{
    if (m_document)
        m_document->push(new RemoveNeedCommand(m_document.get(), job, need));
}

void EditController::deleteJob(const QString &job)
{
    if (!m_document)
        return;
    QStringList needers;
    for (const core::Job &other : m_document->pipeline().jobs) {
        if (!other.needs)
            continue;
        for (const core::Need &n : *other.needs) {
            if (n.job == job && !needers.contains(other.baseName))
                needers << other.baseName;
        }
    }
    bool alsoReferences = false;
    if (!needers.isEmpty()) {
        const auto answer = QMessageBox::question(
            m_window, tr("Delete job"),
            tr("%1 need '%2'. Remove '%2' from their needs too?").arg(needers.join(QStringLiteral(", ")), job),
            QMessageBox::Yes | QMessageBox::No | QMessageBox::Cancel, QMessageBox::Yes);
        if (answer == QMessageBox::Cancel)
            return;
        alsoReferences = answer == QMessageBox::Yes;
    }
    m_document->push(new RemoveJobCommand(m_document.get(), job, alsoReferences));
}

void EditController::addStage(const QString &name, int index)
{
    if (!m_document)
        return;
    QStringList stages = listedStages();
    stages.insert(index < 0 || index > stages.size() ? stages.size() : index, name.trimmed());
    m_document->push(new SetStagesCommand(m_document.get(), stages));
}

void EditController::renameStage(const QString &stage, const QString &newName)
{
    if (!m_document || newName.trimmed().isEmpty() || newName.trimmed() == stage)
        return;
    QStringList stages = listedStages();
    const qsizetype i = stages.indexOf(stage);
    if (i < 0)
        return;
    stages[i] = newName.trimmed();
    m_document->push(new SetStagesCommand(m_document.get(), stages, {{stage, newName.trimmed()}}));
}

void EditController::moveStage(const QString &stage, int delta)
{
    if (!m_document)
        return;
    QStringList stages = listedStages();
    const qsizetype i = stages.indexOf(stage);
    const qsizetype j = i + delta;
    if (i < 0 || j < 0 || j >= stages.size())
        return;
    stages.move(i, j);
    m_document->push(new SetStagesCommand(m_document.get(), stages));
}

void EditController::removeStage(const QString &stage)
{
    if (!m_document)
        return;
    QStringList stages = listedStages();
    stages.removeAll(stage);
    m_document->push(new SetStagesCommand(m_document.get(), stages));
}

void EditController::askAddStage(int index)
{
    bool ok = false;
    const QString name =
        QInputDialog::getText(m_window, tr("Add stage"), tr("Stage name:"), QLineEdit::Normal, {}, &ok).trimmed();
    if (ok && !name.isEmpty())
        addStage(name, index);
}

void EditController::addStageActions(QMenu &menu, const QString &stage)
{
    if (!m_document)
        return;
    const QStringList stages = listedStages();
    const qsizetype i = stages.indexOf(stage);
    if (stage.isEmpty() || i < 0) {
        if (!stage.isEmpty())
            menu.addAction(tr("Add job to '%1'…").arg(stage), this, [this, stage] { addJob(stage); });
        menu.addAction(tr("Add stage…"), this, [this] { askAddStage(-1); });
        menu.addAction(m_addJob);
        return;
    }
    menu.addAction(tr("Add job to '%1'…").arg(stage), this, [this, stage] { addJob(stage); });
    menu.addSeparator();
    menu.addAction(tr("Add stage before…"), this, [this, i] { askAddStage(int(i)); });
    menu.addAction(tr("Add stage after…"), this, [this, i] { askAddStage(int(i) + 1); });
    menu.addAction(tr("Rename stage…"), this, [this, stage] {
        bool ok = false;
        const QString name = QInputDialog::getText(m_window, tr("Rename stage"), tr("New name of '%1':").arg(stage),
                                                   QLineEdit::Normal, stage, &ok);
        if (ok)
            renameStage(stage, name);
    });
    menu.addAction(tr("Move left"), this, [this, stage] { moveStage(stage, -1); })->setEnabled(i > 0);
    menu.addAction(tr("Move right"), this, [this, stage] { moveStage(stage, 1); })->setEnabled(i + 1 < stages.size());
    bool empty = true;
    for (const core::Job &job : m_document->pipeline().jobs)
        empty = empty && job.stage != stage;
    QAction *remove = menu.addAction(tr("Remove stage"), this, [this, stage] { removeStage(stage); });
    remove->setEnabled(empty);
    if (!empty)
        remove->setToolTip(tr("Move or delete the stage's jobs first"));
}

void EditController::addJobActions(QMenu &menu, const QString &job)
{
    if (!m_document || !m_document->pipeline().job(job))
        return;
    PipelineDocument *doc = m_document.get();
    menu.addSeparator();
    menu.addAction(tr("Duplicate"), this, [doc, job] { doc->push(new DuplicateJobCommand(doc, job)); });
    menu.addAction(tr("Rename…"), this, [this, doc, job] {
        bool ok = false;
        const QString name = QInputDialog::getText(m_window, tr("Rename job"), tr("New name of '%1':").arg(job),
                                                   QLineEdit::Normal, job, &ok)
                                 .trimmed();
        if (ok && !name.isEmpty() && name != job)
            doc->push(new RenameJobCommand(doc, job, name));
    });
    QMenu *stages = menu.addMenu(tr("Move to stage"));
    for (const QString &s : doc->pipeline().stages) {
        if (s != doc->pipeline().job(job)->stage)
            stages->addAction(s, this, [doc, job, s] { doc->push(new MoveJobToStageCommand(doc, job, s)); });
    }
    QMenu *addNeed = menu.addMenu(tr("Add need"));
    for (const core::Job &other : doc->pipeline().jobs) {
        if (other.name != job)
            addNeed->addAction(other.name, this,
                               [doc, job, n = other.name] { doc->push(new AddNeedCommand(doc, job, n)); });
    }
    if (const auto &needs = doc->pipeline().job(job)->needs; needs && !needs->empty()) {
        QMenu *removeNeed = menu.addMenu(tr("Remove need"));
        for (const core::Need &n : *needs)
            removeNeed->addAction(n.job, this,
                                  [doc, job, n = n.job] { doc->push(new RemoveNeedCommand(doc, job, n)); });
    }
    menu.addAction(tr("Delete"), this, [this, job] { deleteJob(job); });
}

bool EditController::maybeSave()
{
    if (!m_document || !m_document->isModified())
        return true;
    const auto answer = QMessageBox::question(m_window, tr("Unsaved changes"),
                                              tr("%1 has unsaved changes. Save them?").arg(m_document->filePath()),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save) {
        if (auto saved = m_document->save(); !saved) {
            QMessageBox::warning(m_window, tr("Cannot save"), saved.error().toString());
            return false;
        }
    }
    return true;
}

} // namespace trainyard::ui
