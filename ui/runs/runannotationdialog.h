#pragma once

#include "lineage/lineagerecords.h"

#include <QDialog>

class QLineEdit;
class QPlainTextEdit;

namespace trainyard::ui {

/// Edits what people say about a run: its name (one line), tags (comma-separated) and notes.
/// The caller writes the result to the lineage database (RunsList::annotate).
class RunAnnotationDialog final : public QDialog
{
    Q_OBJECT

public:
    /// `title` names the run ("Run #3").
    RunAnnotationDialog(const QString &title, const core::LineageRunAnnotation &annotation, QWidget *parent = nullptr);

    core::LineageRunAnnotation annotation() const;
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *tagsEdit() const { return m_tags; }
    QPlainTextEdit *notesEdit() const { return m_notes; }

    /// "a, b ,, c" → {a, b, c}: trimmed, each once, in the order written.
    static QStringList parseTags(const QString &text);

private:
    QLineEdit *m_name = nullptr;
    QLineEdit *m_tags = nullptr;
    QPlainTextEdit *m_notes = nullptr;
};

} // namespace trainyard::ui
