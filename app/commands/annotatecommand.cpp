// `trainyard annotate RUN`: a run's name, notes and tags, kept in the lineage database.
#include "command.h"
#include "lineagecli.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

void addAnnotateOptions(QCommandLineParser &p)
{
    addProjectOption(p);
    p.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("The run (its id, or #N for pipeline number N)."));
    p.addOption(QCommandLineOption(QStringLiteral("name"), QStringLiteral("Name the run (\"\" removes the name)."),
                                   QStringLiteral("TEXT")));
    p.addOption(QCommandLineOption(QStringLiteral("notes"), QStringLiteral("Set the run's notes (\"\" removes them)."),
                                   QStringLiteral("TEXT")));
    p.addOption(
        QCommandLineOption(QStringLiteral("tag"), QStringLiteral("Add a tag (repeatable)."), QStringLiteral("TAG")));
    p.addOption(QCommandLineOption(QStringLiteral("untag"), QStringLiteral("Remove a tag (repeatable)."),
                                   QStringLiteral("TAG")));
    p.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print the run's annotation as JSON.")));
}

/// The run `arg` names: an id, or `#N` / `N` for the pipeline number N (the newest run so numbered).
std::optional<LineageRun> findRun(const LineageStore &store, const QString &arg, QTextStream &err)
{
    QString number = arg.startsWith(u'#') ? arg.mid(1) : arg;
    bool isNumber = false;
    const qint64 iid = number.toLongLong(&isNumber);
    if (auto run = store.run(arg); run && *run)
        return **run;
    if (isNumber) {
        if (auto runs = store.runs(); runs) {
            for (const LineageRun &r : *runs) {
                if (r.pipelineIid == iid)
                    return r;
            }
        }
    }
    err << "trainyard annotate: no run '" << arg << "' in the lineage database (see `trainyard runs`)\n";
    return std::nullopt;
}

int runAnnotate(const QCommandLineParser &p, QTextStream &out, QTextStream &err)
{
    if (p.positionalArguments().size() != 1) {
        err << "trainyard annotate: name one run (its id or #N)\n";
        return int(ExitUsage);
    }
    const auto store = openLineage(p, err, QStringLiteral("annotate"));
    if (!store)
        return int(ExitFailed);
    const auto run = findRun(*store, p.positionalArguments().front(), err);
    if (!run)
        return int(ExitFailed);
    LineageRunAnnotation a = run->annotation;
    if (p.isSet(QStringLiteral("name")))
        a.name = p.value(QStringLiteral("name"));
    if (p.isSet(QStringLiteral("notes")))
        a.notes = p.value(QStringLiteral("notes"));
    a.tags += p.values(QStringLiteral("tag"));
    for (const QString &t : p.values(QStringLiteral("untag")))
        a.tags.removeAll(t.trimmed());
    const bool changes = p.isSet(QStringLiteral("name")) || p.isSet(QStringLiteral("notes")) ||
                         p.isSet(QStringLiteral("tag")) || p.isSet(QStringLiteral("untag"));
    if (changes) {
        if (store->isReadOnly()) {
            err << "trainyard annotate: the lineage database is read-only: " << store->readOnlyReason() << "\n";
            return int(ExitFailed);
        }
        if (auto ok = store->annotateRun(run->id, a); !ok) {
            err << "trainyard annotate: " << ok.error().message << "\n";
            return int(ExitFailed);
        }
    }
    const auto saved = store->run(run->id);
    if (!saved || !*saved) {
        err << "trainyard annotate: run " << run->id << " cannot be read back\n";
        return int(ExitFailed);
    }
    const LineageRunAnnotation &now = (*saved)->annotation;
    if (p.isSet(QStringLiteral("json"))) {
        const QJsonObject o{{QStringLiteral("id"), run->id},
                            {QStringLiteral("pipeline_iid"), run->pipelineIid},
                            {QStringLiteral("name"), now.name},
                            {QStringLiteral("notes"), now.notes},
                            {QStringLiteral("tags"), QJsonArray::fromStringList(now.tags)}};
        out << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
        return int(ExitOk);
    }
    out << "run " << run->id << " (#" << run->pipelineIid << ")\n";
    out << "  name:  " << (now.name.isEmpty() ? QStringLiteral("-") : now.name) << "\n";
    out << "  tags:  " << (now.tags.isEmpty() ? QStringLiteral("-") : now.tags.join(QStringLiteral(", "))) << "\n";
    out << "  notes: " << (now.notes.isEmpty() ? QStringLiteral("-") : now.notes) << "\n";
    return int(ExitOk);
}

} // namespace

Command annotateCommand()
{
    Command c;
    c.name = QStringLiteral("annotate");
    c.summary = QStringLiteral("Name a recorded run, and give it notes and tags (kept in the lineage database; the\n"
                               "window's Runs list edits the same). Without options, prints them.\n"
                               "Exit status: 0 done, 1 no such run or it cannot be written, 2 invalid arguments.");
    c.brief = QStringLiteral("Name a recorded run, and give it notes and tags.");
    c.arguments = QStringLiteral("RUN");
    c.addOptions = addAnnotateOptions;
    c.run = runAnnotate;
    return c;
}

} // namespace trainyard::app
