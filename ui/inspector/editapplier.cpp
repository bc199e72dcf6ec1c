#include "editapplier.h"

#include "messagebar.h"

#include "document/pipelinecommands.h"
#include "document/pipelinedocument.h"

#include <QUndoStack>

namespace trainyard::ui {

EditApplier::EditApplier(MessageBar *bar, QObject *parent)
    : QObject(parent)
    , m_bar(bar)
{
    connect(m_bar, &MessageBar::actionTriggered, this, &EditApplier::inlineAndApply);
}

void EditApplier::setDocument(PipelineDocument *document)
{
    disconnect(m_problems);
    m_document = document;
    clear();
    if (document) {
        m_problems = connect(document, &PipelineDocument::problem, this, [this](const core::Error &error) {
            if (m_applying)
                m_refusal = error;
        });
    }
}

void EditApplier::clear()
{
    m_bar->hide();
    m_pending.reset();
}

std::optional<core::Error> EditApplier::push(const MakeCommand &make)
{
    m_refusal.reset();
    m_applying = true;
    m_document->push(make());
    m_applying = false;
    std::optional<core::Error> refusal = m_refusal;
    m_refusal.reset();
    return refusal;
}

bool EditApplier::apply(const QString &job, const MakeCommand &make, const QString &inlineKey)
{
    if (!m_document || job.isEmpty())
        return false;
    clear();
    const auto refusal = push(make);
    if (!refusal)
        return true;
    // Inlining helps when an alias or a merge key shared with other jobs is in the way, and only
    // if it can be made: it is tried on a copy of the text first.
    const QString &message = refusal->message;
    bool offer = false;
    if (!inlineKey.isEmpty() &&
        (message.contains(QLatin1String("alias")) || message.contains(QLatin1String("anchor")) ||
         message.contains(QLatin1String("'<<'")))) {
        core::YamlEditor copy = m_document->editor();
        offer = copy.inlineKey(job, inlineKey).has_value() && copy.text() != m_document->text();
    }
    if (offer) {
        m_pending = PendingInline{job, inlineKey, make};
        m_bar->showMessage(tr("%1\nInlining gives this job its own copy of '%2', so that the edit changes this job "
                              "only.")
                               .arg(message, inlineKey),
                           tr("Inline for this job"));
    } else {
        m_bar->showMessage(message);
    }
    Q_EMIT refused();
    return false;
}

void EditApplier::inlineAndApply()
{
    if (!m_pending || !m_document)
        return;
    const PendingInline pending = *m_pending;
    m_pending.reset();
    QUndoStack *stack = m_document->undoStack();
    stack->beginMacro(tr("Inline %1 for %2 and edit it").arg(pending.key, pending.job));
    auto refusal = push([&] { return new InlineKeyCommand(m_document, pending.job, pending.key); });
    if (!refusal)
        refusal = push(pending.make);
    stack->endMacro();
    if (refusal) {
        // Half an edit is no edit: take the inlining back too.
        stack->undo();
        m_bar->showMessage(refusal->message);
        Q_EMIT refused();
        return;
    }
    m_bar->hide();
}

} // namespace trainyard::ui
