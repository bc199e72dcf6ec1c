#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace trainyard::core {
struct Job;
}

namespace trainyard::ui {

class JobOrigins;

/// The read-only "Inherits" section of the inspector: the hidden templates a job extends, and
/// each value of its merged configuration that it gets from elsewhere (a template, `default:`,
/// an anchor) with where from.
class InheritedView final : public QWidget
{
    Q_OBJECT

public:
    explicit InheritedView(QWidget *parent = nullptr);

    void setJob(const core::Job &job, const JobOrigins &origins);
    QLabel *extendsLabel() const { return m_extends; }
    QTreeWidget *tree() const { return m_tree; }

private:
    QLabel *m_extends;
    QTreeWidget *m_tree;
};

} // namespace trainyard::ui
