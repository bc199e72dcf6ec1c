#include "welcomepage.h"

#include <QDir>

namespace trainyard::ui {

WelcomePage::WelcomePage(QWidget *parent)
    : QLabel(parent)
{
    setAlignment(Qt::AlignCenter);
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextBrowserInteraction);
    connect(this, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link == QLatin1String("open"))
            Q_EMIT openRequested();
        else if (link == QLatin1String("create"))
            Q_EMIT createRequested();
        else if (link == QLatin1String("demo"))
            Q_EMIT demoRequested();
        else if (link == QLatin1String("reload"))
            Q_EMIT reloadRequested();
        else if (link.startsWith(QLatin1String("recent:")))
            Q_EMIT recentRequested(link.mid(7));
    });
}

void WelcomePage::showStart(const QStringList &recentProjects, const std::vector<core::CheckItem> &machineCheck)
{
    QString recent;
    for (const QString &dir : recentProjects) {
        recent += QStringLiteral("<br><a href=\"recent:%1\">%2</a>")
                      .arg(dir.toHtmlEscaped(), QDir::toNativeSeparators(dir).toHtmlEscaped());
    }
    if (!recent.isEmpty())
        recent = tr("<p><b>Recent projects</b>%1</p>").arg(recent);
    const QString check = machineCheck.empty() ? tr("<p><i>Checking this machine…</i></p>")
                                               : tr("<p><b>This machine</b></p>%1").arg(machineCheckHtml(machineCheck));
    setText(tr("<h2>Trainyard</h2><p>Open a project folder that holds a <tt>.gitlab-ci.yml</tt> "
               "to see its pipeline, or drop the folder here.</p>"
               "<p><a href=\"open\">Open project…</a> (Ctrl+O) &nbsp;·&nbsp; "
               "<a href=\"demo\">Try the demo</a> — a small real training pipeline that runs offline</p>"
               "%1%2")
                .arg(recent, check));
}

void WelcomePage::showNoPipeline(const QString &dir)
{
    setText(tr("<h3>%1 has no .gitlab-ci.yml</h3><p>Trainyard reads a project's pipeline from "
               "<tt>.gitlab-ci.yml</tt> in its top folder.</p>"
               "<p><a href=\"create\">Create pipeline</a> — stages test, train, evaluate and "
               "export to start from &nbsp;·&nbsp; <a href=\"open\">Open another project…</a></p>")
                .arg(QDir::toNativeSeparators(dir).toHtmlEscaped()));
}

void WelcomePage::showUnreadable(const QString &name, const QStringList &problems)
{
    // Wrapped (an error names the file, the line and the line's text): nothing runs off the page.
    setText(tr("<h3>%1 cannot be read</h3><p style=\"white-space:pre-wrap; font-family:monospace\">%2</p>"
               "<p>Fix it in your editor: Trainyard reads it again "
               "when it is saved. <a href=\"reload\">Reload now</a> &nbsp;·&nbsp; "
               "<a href=\"open\">Open another project…</a></p>")
                .arg(name, problems.join(u'\n').toHtmlEscaped()));
}

QString WelcomePage::machineCheckHtml(const std::vector<core::CheckItem> &items)
{
    QString rows;
    for (const core::CheckItem &item : items) {
        const QString mark =
            item.state == core::CheckItem::State::Ok ? QStringLiteral("<span style=\"color:#2da44e\">\u2713</span>")
            : item.state == core::CheckItem::State::Warning
                ? QStringLiteral("<span style=\"color:#d29922\">\u25cb</span>")
            : item.state == core::CheckItem::State::NotNeeded
                ? QStringLiteral("<span style=\"color:#8c959f\">\u2013</span>") // neutral: nothing to do
                : QStringLiteral("<span style=\"color:#cf222e\">\u2717</span>");
        rows +=
            QStringLiteral("<tr><td>%1</td><td><b>%2</b>: %3%4</td></tr>")
                .arg(mark, item.name.toHtmlEscaped(), item.detail.toHtmlEscaped(),
                     item.fix.isEmpty() ? QString() : QStringLiteral("<br><i>%1</i>").arg(item.fix.toHtmlEscaped()));
    }
    return QStringLiteral("<table cellspacing=\"4\" align=\"center\">%1</table>").arg(rows); // under the centred title
}

} // namespace trainyard::ui
