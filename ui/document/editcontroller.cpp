#include "editcontroller.h"

#include "pipelinecommands.h"
#include "pipelinedocument.h"

#include <QAction>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
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
        if (auto saved = m_document->save(); !saved)
            QMessageBox::warning(m_window, tr("Cannot save"), saved.error().toString());
    });
    connect(m_addJob, &QAction::triggered, this, &EditController::addJob);
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
        connect(m_document.get(), &PipelineDocument::problem, this, [this](const core::Error &e) {
            // Window-modal but not blocking: the edit was refused, nothing waits on the answer.
            auto *box = new QMessageBox(QMessageBox::Information, tr("This edit cannot be made"), e.toString(),
                                        QMessageBox::Ok, m_window);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        });
    }
    updateActions();
    Q_EMIT modifiedChanged(m_document && m_document->isModified());
}

void EditController::updateActions()
{
    QUndoStack *stack = m_document ? m_document->undoStack() : nullptr;
    m_undo->setEnabled(stack && stack->canUndo());
    m_undo->setText(stack && stack->canUndo() ? tr("&Undo %1").arg(stack->undoText()) : tr("&Undo"));
    m_redo->setEnabled(stack && stack->canRedo());
    m_redo->setText(stack && stack->canRedo() ? tr("&Redo %1").arg(stack->redoText()) : tr("&Redo"));
    m_save->setEnabled(m_document != nullptr);
    m_addJob->setEnabled(m_document != nullptr);
}

void EditController::addJob()
{
    if (!m_document)
        return;
    QStringList stages;
    for (const QString &s : m_document->pipeline().stages) {
        if (s != QLatin1String(".pre") && s != QLatin1String(".post"))
            stages << s;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(m_window, tr("Add job"), tr("Job name:"), QLineEdit::Normal, {}, &ok).trimmed();
    if (!ok || name.isEmpty())
        return;
    const QString stage = QInputDialog::getItem(m_window, tr("Add job"), tr("Stage of '%1':").arg(name), stages, 0, false, &ok);
    if (ok)
        m_document->push(new AddJobCommand(m_document.get(), name, stage));
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
                                                   QLineEdit::Normal, job, &ok).trimmed();
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
            addNeed->addAction(other.name, this, [doc, job, n = other.name] { doc->push(new AddNeedCommand(doc, job, n)); });
    }
    if (const auto &needs = doc->pipeline().job(job)->needs; needs && !needs->empty()) {
        QMenu *removeNeed = menu.addMenu(tr("Remove need"));
        for (const core::Need &n : *needs)
            removeNeed->addAction(n.job, this, [doc, job, n = n.job] { doc->push(new RemoveNeedCommand(doc, job, n)); });
    }
    menu.addAction(tr("Delete"), this, [this, doc, job] {
        bool referenced = false;
        for (const core::Job &other : doc->pipeline().jobs) {
            if (other.needs)
                for (const core::Need &n : *other.needs)
                    referenced = referenced || n.job == job;
        }
        bool alsoReferences = false;
        if (referenced) {
            const auto answer = QMessageBox::question(
                m_window, tr("Delete job"), tr("Other jobs need '%1'. Remove those needs too?").arg(job),
                QMessageBox::Yes | QMessageBox::No | QMessageBox::Cancel);
            if (answer == QMessageBox::Cancel)
                return;
            alsoReferences = answer == QMessageBox::Yes;
        }
        doc->push(new RemoveJobCommand(doc, job, alsoReferences));
    });
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
