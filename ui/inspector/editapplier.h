#pragma once

#include "common/error.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <optional>

class QUndoCommand;

namespace trainyard::ui {

class MessageBar;
class PipelineDocument;

/// Pushes the inspector's edits onto a document's undo stack and explains the ones the document
/// refuses in a MessageBar. When an alias or merge key shared with other jobs is what stands in
/// the way, and inlining the key for the job can be made, the bar offers "Inline for this job":
/// that inlines and re-applies the edit as one undo step (a macro).
class EditApplier final : public QObject
{
    Q_OBJECT

public:
    /// Builds the undo command of an edit; called again when the edit is re-applied after inlining.
    using MakeCommand = std::function<QUndoCommand *()>;

    explicit EditApplier(MessageBar *bar, QObject *parent = nullptr);

    void setDocument(PipelineDocument *document);
    /// Pushes the command `make` builds for `job`. True when the edit was made; on a refusal the bar
    /// says why, offers inlining `inlineKey` where that helps, and refused() is emitted.
    bool apply(const QString &job, const MakeCommand &make, const QString &inlineKey = {});
    /// Hides the bar and forgets an offered inlining.
    void clear();
    /// True while an edit is being pushed (problems reported meanwhile are this applier's).
    bool isApplying() const { return m_applying; }

Q_SIGNALS:
    /// An edit was refused: the document did not change, so forms should show it again.
    void refused();

private:
    void inlineAndApply();
    /// Pushes `command` (built by `make`, so that a refusal in its constructor is caught too) and
    /// returns the refusal, if any.
    std::optional<core::Error> push(const MakeCommand &make);

    MessageBar *m_bar;
    QPointer<PipelineDocument> m_document;
    QMetaObject::Connection m_problems;
    bool m_applying = false;
    std::optional<core::Error> m_refusal;
    struct PendingInline
    {
        QString job;
        QString key;
        MakeCommand make;
    };
    std::optional<PendingInline> m_pending;
};

} // namespace trainyard::ui
