#pragma once

#include "lineagequery.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace trainyard::ui {

/// The release review of one artifact, for the lead who signs it off: the checklist computed from
/// its lineage (passed, failed with the reasons, or unknown), the sign-off history (a sign-off
/// made before the lineage changed is marked stale), approve or reject with a comment, and export
/// of the report (Markdown, HTML) or the in-toto/SLSA provenance statement (JSON).
class ReleaseReviewDialog final : public QDialog
{
    Q_OBJECT

public:
    ReleaseReviewDialog(LineageQuery *query, QWidget *parent = nullptr);

    void setReview(const ArtifactReview &review);
    /// Signs off with what the form holds ("approve" or "reject").
    void decide(const QString &decision);
    /// Writes the report to `fileName` (.md, .html or .json).
    void exportTo(const QString &fileName);

    QTreeWidget *checklistTree() const { return m_checklist; }
    QTreeWidget *signOffTree() const { return m_signOffs; }
    QLineEdit *reviewerEdit() const { return m_reviewer; }
    QPlainTextEdit *commentEdit() const { return m_comment; }
    QLabel *verdictLabel() const { return m_verdict; }

private:
    /// Approve and Reject need an artifact and a reviewer's name; their tooltips say which is missing.
    void updateSignButtons();

    LineageQuery *m_query;
    std::optional<ArtifactReview> m_review;
    QLabel *m_title;
    QLabel *m_verdict;
    QTreeWidget *m_checklist;
    QTreeWidget *m_signOffs;
    QLineEdit *m_reviewer;
    QPlainTextEdit *m_comment;
    QPushButton *m_approve;
    QPushButton *m_reject;
    QPushButton *m_export;
};

} // namespace trainyard::ui
