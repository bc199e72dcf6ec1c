#include "datarootprompt.h"

#include "pipeline/hostaccess.h"
#include "pipeline/pipeline.h"

#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>

namespace trainyard::ui {

DataRootPrompt::DataRootPrompt(QWidget *parent)
    : QObject(parent)
    , m_parent(parent)
{
    m_ask = [this](const QString &root, const QString &input, const QString &project) {
        QMessageBox box(QMessageBox::Question, tr("Allow a data folder?"),
                        tr("<p>The pipeline of <b>%1</b> reads its data input <b>%2</b> from <tt>%3</tt>, outside the "
                           "project.</p><p>Jobs get it read-only. Allow jobs of any project to read this folder on "
                           "this machine? Settings ▸ Data folders lists what you allowed.</p>")
                            .arg(QFileInfo(project).fileName().toHtmlEscaped(), input.toHtmlEscaped(),
                                 QDir::toNativeSeparators(root).toHtmlEscaped()),
                        QMessageBox::NoButton, m_parent);
        QPushButton *allow = box.addButton(tr("&Allow this folder"), QMessageBox::AcceptRole);
        QPushButton *cancel = box.addButton(tr("&Not now"), QMessageBox::RejectRole);
        box.setDefaultButton(cancel); // opening the machine to a file is never the default
        box.setEscapeButton(cancel);
        box.exec();
        return box.clickedButton() == allow;
    };
}

bool DataRootPrompt::askFor(const QString &projectDir, const core::Pipeline &pipeline)
{
    const core::HostAccess access(projectDir, pipeline.dataRoots);
    bool allowed = false;
    for (const core::DataInput &input : pipeline.trainyard.data) {
        const QString root = access.rootToAllow(input);
        if (root.isEmpty() || access.dataSource(input) || m_asked.contains(root))
            continue;
        m_asked.insert(root);
        if (m_ask(root, input.name, projectDir)) {
            core::HostAccess::allowRoot(root);
            allowed = true;
        }
    }
    return allowed;
}

} // namespace trainyard::ui
