#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;

namespace trainyard::ui {

class PipelineDocument;
class VariablesTable;

/// What the inspector shows when no job is selected (a click on the empty canvas): the settings
/// of the whole pipeline. Its `variables:` (every job inherits them) and default image are edited
/// here, each change an undo step on the document's stack; its stages and Trainyard's
/// `.trainyard:` data inputs, images and secrets are listed.
class PipelineSettingsView final : public QWidget
{
    Q_OBJECT

public:
    explicit PipelineSettingsView(QWidget *parent = nullptr);

    /// The document shown; it is not owned. refresh() reads it again.
    void setDocument(PipelineDocument *document);
    void refresh();

    VariablesTable *variables() const { return m_variables; }
    QLineEdit *defaultImage() const { return m_image; }
    QLabel *stages() const { return m_stages; }
    QLabel *trainyardSettings() const { return m_trainyard; }

private:
    PipelineDocument *m_document = nullptr;
    QLabel *m_title;
    VariablesTable *m_variables;
    QLineEdit *m_image;
    QLabel *m_stages;
    QLabel *m_trainyard;
};

} // namespace trainyard::ui
