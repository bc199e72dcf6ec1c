#include "provenanceexport.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

namespace trainyard::core {

namespace {

QString rfc3339(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

QString mark(ChecklistItem::State s)
{
    switch (s) {
    case ChecklistItem::State::Passed:
        return QStringLiteral("PASS");
    case ChecklistItem::State::Failed:
        return QStringLiteral("FAIL");
    case ChecklistItem::State::Unknown:
        break;
    }
    return QStringLiteral("UNKNOWN");
}

/// Escapes what Markdown would read as table syntax or markup inside a cell.
QString cell(const QString &text)
{
    QString s = text;
    s.replace(u'\\', QStringLiteral("\\\\")).replace(u'|', QStringLiteral("\\|")).replace(u'\n', u' ');
    return s;
}

/// A report as a list of sections, each a title and rows of cells: rendered as Markdown or HTML.
struct Section
{
    QString title;
    QStringList header;
    std::vector<QStringList> rows;
};

std::vector<Section> sections(const ArtifactProvenance &p, const ReleaseChecklist &checklist,
                              const std::vector<SignOffStatus> &signOffs)
{
    std::vector<Section> out;
    Section check{QStringLiteral("Checklist"),
                  {QStringLiteral("Check"), QStringLiteral("Result"), QStringLiteral("Details")},
                  {}};
    for (const ChecklistItem &i : checklist.items)
        check.rows.push_back({i.title, mark(i.state), i.details.join(QStringLiteral("; "))});
    out.push_back(check);

    Section runs{QStringLiteral("Runs"),
                 {QStringLiteral("Run"), QStringLiteral("Branch"), QStringLiteral("Commit"), QStringLiteral("Dirty"),
                  QStringLiteral("User"), QStringLiteral("Trigger"), QStringLiteral("Engine"), QStringLiteral("Status"),
                  QStringLiteral("Started"), QStringLiteral("Finished")},
                 {}};
    for (const LineageRun &r : p.runs)
        runs.rows.push_back({r.id, r.branch, r.commitSha,
                             r.dirty ? QStringLiteral("yes (diff %1)").arg(r.diffHash.left(12)) : QStringLiteral("no"),
                             r.user, r.trigger, r.engine, r.status, rfc3339(r.started), rfc3339(r.finished)});
    out.push_back(runs);

    Section commits{
        QStringLiteral("Commits"), {QStringLiteral("Commit"), QStringLiteral("Author"), QStringLiteral("Message")}, {}};
    for (const LineageCommit &c : p.commits)
        commits.rows.push_back(
            {c.sha, QStringLiteral("%1 <%2>").arg(c.authorName, c.authorEmail), c.message.section(u'\n', 0, 0)});
    out.push_back(commits);

    Section jobs{QStringLiteral("Jobs"),
                 {QStringLiteral("Job"), QStringLiteral("Run"), QStringLiteral("Status"), QStringLiteral("Exit"),
                  QStringLiteral("Attempts"), QStringLiteral("Image"), QStringLiteral("GPUs"),
                  QStringLiteral("Started"), QStringLiteral("Finished")},
                 {}};
    for (const LineageJob &j : p.jobs)
        jobs.rows.push_back({j.name, j.runId, j.status, QString::number(j.exitCode), QString::number(j.attempts),
                             j.image, j.cpuFallback ? QStringLiteral("CPU fallback") : j.gpus.join(u','),
                             rfc3339(j.started), rfc3339(j.finished)});
    out.push_back(jobs);

    Section images{QStringLiteral("Images"),
                   {QStringLiteral("Reference"), QStringLiteral("Image ID"), QStringLiteral("Repo digests"),
                    QStringLiteral("Build context sha256")},
                   {}};
    for (const LineageImage &i : p.images)
        images.rows.push_back({i.reference, i.imageId, i.repoDigests.join(QStringLiteral(", ")), i.buildContextHash});
    out.push_back(images);

    Section data{QStringLiteral("Data"),
                 {QStringLiteral("Input"), QStringLiteral("Path"), QStringLiteral("sha256"), QStringLiteral("Files"),
                  QStringLiteral("Bytes"), QStringLiteral("DVC md5")},
                 {}};
    for (const LineageDataVersion &d : p.data)
        data.rows.push_back({d.name, d.path, d.hash, QString::number(d.fileCount), QString::number(d.totalBytes),
                             d.dvcMd5.isEmpty() ? QString() : QStringLiteral("%1 (%2)").arg(d.dvcMd5, d.dvcSource)});
    out.push_back(data);

    Section inputs{
        QStringLiteral("Artifacts handed from job to job (staged into the job that used them)"),
        {QStringLiteral("Job"), QStringLiteral("From job"), QStringLiteral("Path"), QStringLiteral("sha256")},
        {}};
    for (const LineageConsumption &c : p.inputs)
        inputs.rows.push_back({c.job, c.producerJob, c.path, c.sha256});
    out.push_back(inputs);

    Section gates{QStringLiteral("Gates"),
                  {QStringLiteral("Job"), QStringLiteral("Gate"), QStringLiteral("Value"), QStringLiteral("Outcome")},
                  {}};
    for (const LineageGate &g : p.gates)
        gates.rows.push_back({g.job, QStringLiteral("%1 %2 %3").arg(g.metric, g.op).arg(g.threshold),
                              g.value ? QString::number(*g.value) : QStringLiteral("-"), g.outcome});
    out.push_back(gates);

    Section metrics{QStringLiteral("Metrics reported in files"),
                    {QStringLiteral("Job"), QStringLiteral("Metric"), QStringLiteral("Value"), QStringLiteral("File")},
                    {}};
    for (const LineageMetric &m : p.metrics)
        metrics.rows.push_back({m.job, m.name, QString::number(m.value, 'g', 10), m.source});
    if (!metrics.rows.empty())
        out.push_back(metrics);

    Section signs{QStringLiteral("Sign-offs"),
                  {QStringLiteral("When"), QStringLiteral("Reviewer"), QStringLiteral("Decision"),
                   QStringLiteral("Comment"), QStringLiteral("Current")},
                  {}};
    for (const SignOffStatus &s : signOffs)
        signs.rows.push_back(
            {rfc3339(s.signOff.signedAt), s.signOff.reviewer, s.signOff.decision, s.signOff.comment,
             (s.stale ? QStringLiteral("stale: the lineage changed since") : QStringLiteral("yes")) +
                 (s.otherRun ? QStringLiteral(" (given for run %1, which made the same bytes)").arg(s.signOff.runId)
                             : QString())});
    out.push_back(signs);
    return out;
}

QString heading(const ArtifactProvenance &p)
{
    return QStringLiteral("Release review: %1").arg(p.artifact.path);
}

QString summary(const ArtifactProvenance &p, const ReleaseChecklist &checklist)
{
    return QStringLiteral("sha256 %1, %2 bytes, produced by job %3 in run %4. Checklist: %5.")
        .arg(p.artifact.sha256)
        .arg(p.artifact.size)
        .arg(p.artifact.job, p.artifact.runId,
             checklist.passed() ? QStringLiteral("nothing failed") : QStringLiteral("some checks failed"));
}

/// The resolved dependency of a run's git commit.
QJsonObject commitDependency(const LineageRun &r)
{
    QJsonObject annotations{{QStringLiteral("branch"), r.branch}, {QStringLiteral("dirty"), r.dirty}};
    if (r.dirty)
        annotations.insert(QStringLiteral("diffSha256"), r.diffHash);
    return QJsonObject{
        {QStringLiteral("uri"),
         QStringLiteral("git+%1@refs/heads/%2").arg(QUrl::fromLocalFile(r.projectDir).toString(), r.branch)},
        {QStringLiteral("digest"), QJsonObject{{QStringLiteral("gitCommit"), r.commitSha}}},
        {QStringLiteral("annotations"), annotations}};
}

/// The resolved dependency of an image (its digest: the sha256 of the image ID), with its bill of
/// materials by digest when one was made (`sbom`, else null).
QJsonObject imageDependency(const LineageImage &i, const LineageImageSbom *sbom)
{
    QJsonObject digest;
    if (i.imageId.startsWith(QLatin1String("sha256:")))
        digest.insert(QStringLiteral("sha256"), i.imageId.mid(7));
    QJsonObject annotations{{QStringLiteral("imageId"), i.imageId},
                            {QStringLiteral("repoDigests"), QJsonArray::fromStringList(i.repoDigests)}};
    if (!i.buildContextHash.isEmpty())
        annotations.insert(QStringLiteral("buildContextSha256"), i.buildContextHash);
    if (sbom)
        annotations.insert(
            QStringLiteral("sbom"),
            QJsonObject{{QStringLiteral("mediaType"), QStringLiteral("application/vnd.cyclonedx+json")},
                        {QStringLiteral("specVersion"), QStringLiteral("1.5")},
                        {QStringLiteral("digest"), QJsonObject{{QStringLiteral("sha256"), sbom->sbomSha256}}}});
    QJsonObject dep{{QStringLiteral("name"), i.reference},
                    {QStringLiteral("uri"), QString(QStringLiteral("docker-image://") + i.reference)},
                    {QStringLiteral("annotations"), annotations}};
    if (!digest.isEmpty())
        dep.insert(QStringLiteral("digest"), digest);
    return dep;
}

/// The resolved dependency of a data version (`projectDir`: where its path is relative to).
QJsonObject dataDependency(const LineageDataVersion &d, const QString &projectDir)
{
    QJsonObject digest;
    if (!d.hash.isEmpty())
        digest.insert(QStringLiteral("sha256"), d.hash);
    if (!d.dvcMd5.isEmpty())
        digest.insert(QStringLiteral("md5"), d.dvcMd5.section(u'.', 0, 0));
    QJsonObject dep{{QStringLiteral("name"), QString(QStringLiteral("data/") + d.name)},
                    {QStringLiteral("uri"), QUrl::fromLocalFile(QDir(projectDir).absoluteFilePath(d.path)).toString()},
                    {QStringLiteral("annotations"), QJsonObject{{QStringLiteral("files"), d.fileCount},
                                                                {QStringLiteral("bytes"), d.totalBytes},
                                                                {QStringLiteral("dvcSource"), d.dvcSource}}}};
    if (!digest.isEmpty())
        dep.insert(QStringLiteral("digest"), digest);
    return dep;
}

/// The resolved dependency of an artifact a job was staged.
QJsonObject stagedArtifactDependency(const LineageConsumption &c)
{
    return QJsonObject{{QStringLiteral("name"), c.path},
                       {QStringLiteral("digest"), QJsonObject{{QStringLiteral("sha256"), c.sha256}}},
                       {QStringLiteral("annotations"), QJsonObject{{QStringLiteral("producerJob"), c.producerJob},
                                                                   {QStringLiteral("consumerJob"), c.job},
                                                                   {QStringLiteral("run"), c.runId}}}};
}

/// `buildDefinition.resolvedDependencies`: the commits, images, data versions and staged artifacts.
QJsonArray resolvedDependencies(const ArtifactProvenance &p)
{
    const LineageRun &run = p.run();
    QJsonArray dependencies;
    for (const LineageRun &r : p.runs) {
        if (r.commitSha.isEmpty())
            continue;
        dependencies.append(commitDependency(r));
    }
    for (const LineageImage &i : p.images) {
        const auto sbom = p.imageSboms.constFind(i.imageId);
        dependencies.append(imageDependency(i, sbom == p.imageSboms.constEnd() ? nullptr : &*sbom));
    }
    for (const LineageDataVersion &d : p.data)
        dependencies.append(dataDependency(d, run.projectDir));
    for (const LineageConsumption &c : p.inputs)
        dependencies.append(stagedArtifactDependency(c));
    return dependencies;
}

/// The names of the jobs, those of other runs than `run` with their run.
QJsonArray jobNames(const ArtifactProvenance &p, const LineageRun &run)
{
    QJsonArray names;
    for (const LineageJob &j : p.jobs)
        names.append(j.runId == run.id ? j.name : QStringLiteral("%1 (run %2)").arg(j.name, j.runId));
    return names;
}

/// The run-wide variables of `run`.
QJsonObject runVariables(const ArtifactProvenance &p, const LineageRun &run)
{
    QJsonObject variables;
    for (const LineageVariable &v : p.variables) {
        if (v.job.isEmpty() && v.runId == run.id)
            variables.insert(v.name, v.value);
    }
    return variables;
}

/// `runDetails.byproducts`: the jobs' log files.
QJsonArray logByproducts(const ArtifactProvenance &p, const LineageRun &run)
{
    QJsonArray byproducts;
    for (const LineageJob &j : p.jobs) {
        if (!j.logFile.isEmpty())
            byproducts.append(
                QJsonObject{{QStringLiteral("name"), j.logFile},
                            {QStringLiteral("uri"),
                             QUrl::fromLocalFile(QDir(run.projectDir).absoluteFilePath(j.logFile)).toString()}});
    }
    return byproducts;
}

/// The predicate's `buildDefinition`: build type, external and internal parameters, resolved dependencies.
QJsonObject buildDefinition(const ArtifactProvenance &p)
{
    const LineageRun &run = p.run();
    return QJsonObject{
        {QStringLiteral("buildType"), QLatin1String(ProvenanceExport::kBuildType)},
        {QStringLiteral("externalParameters"), QJsonObject{{QStringLiteral("pipeline"), run.pipelineFile},
                                                           {QStringLiteral("branch"), run.branch},
                                                           {QStringLiteral("job"), p.artifact.job},
                                                           {QStringLiteral("jobs"), jobNames(p, run)},
                                                           {QStringLiteral("variables"), runVariables(p, run)}}},
        {QStringLiteral("internalParameters"), QJsonObject{{QStringLiteral("engine"), run.engine},
                                                           {QStringLiteral("trigger"), run.trigger},
                                                           {QStringLiteral("user"), run.user},
                                                           {QStringLiteral("host"), run.host}}},
        {QStringLiteral("resolvedDependencies"), resolvedDependencies(p)}};
}

/// The predicate's `runDetails`: the builder, the run's id, start and end, and the log files.
QJsonObject runDetails(const ArtifactProvenance &p)
{
    const LineageRun &run = p.run();
    return QJsonObject{
        {QStringLiteral("builder"), QJsonObject{{QStringLiteral("id"), QLatin1String(ProvenanceExport::kBuilderId)}}},
        {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("invocationId"), run.id},
                                                 {QStringLiteral("startedOn"), rfc3339(run.started)},
                                                 {QStringLiteral("finishedOn"), rfc3339(run.finished)}}},
        {QStringLiteral("byproducts"), logByproducts(p, run)}};
}

} // namespace

QString ProvenanceExport::markdown(const ArtifactProvenance &p, const ReleaseChecklist &checklist,
                                   const std::vector<SignOffStatus> &signOffs)
{
    QString md = QStringLiteral("# %1\n\n%2\n").arg(cell(heading(p)), summary(p, checklist));
    for (const Section &s : sections(p, checklist, signOffs)) {
        md += QStringLiteral("\n## %1\n\n").arg(s.title);
        if (s.rows.empty()) {
            md += QStringLiteral("(none)\n");
            continue;
        }
        QStringList header;
        for (const QString &h : s.header)
            header << cell(h);
        md += u"| " + header.join(QStringLiteral(" | ")) + u" |\n|" +
              QStringLiteral(" --- |").repeated(s.header.size()) + u'\n';
        for (const QStringList &row : s.rows) {
            QStringList cells;
            for (const QString &c : row)
                cells << cell(c);
            md += u"| " + cells.join(QStringLiteral(" | ")) + u" |\n";
        }
    }
    return md;
}

QString ProvenanceExport::html(const ArtifactProvenance &p, const ReleaseChecklist &checklist,
                               const std::vector<SignOffStatus> &signOffs)
{
    QString h =
        QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%1</title>\n"
                       "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
                       "padding:2px 6px;text-align:left;vertical-align:top}.PASS{color:#080}.FAIL{color:#b00}"
                       ".UNKNOWN{color:#a60}</style></head><body>\n<h1>%1</h1>\n<p>%2</p>\n")
            .arg(heading(p).toHtmlEscaped(), summary(p, checklist).toHtmlEscaped());
    for (const Section &s : sections(p, checklist, signOffs)) {
        h += QStringLiteral("<h2>%1</h2>\n").arg(s.title.toHtmlEscaped());
        if (s.rows.empty()) {
            h += QStringLiteral("<p>(none)</p>\n");
            continue;
        }
        h += QStringLiteral("<table><tr>");
        for (const QString &c : s.header)
            h += QStringLiteral("<th>%1</th>").arg(c.toHtmlEscaped());
        h += QStringLiteral("</tr>\n");
        for (const QStringList &row : s.rows) {
            h += QStringLiteral("<tr>");
            for (const QString &c : row) {
                const bool verdict =
                    c == QLatin1String("PASS") || c == QLatin1String("FAIL") || c == QLatin1String("UNKNOWN");
                h += verdict ? QStringLiteral("<td class=\"%1\">%1</td>").arg(c)
                             : QStringLiteral("<td>%1</td>").arg(c.toHtmlEscaped());
            }
            h += QStringLiteral("</tr>\n");
        }
        h += QStringLiteral("</table>\n");
    }
    return h + QStringLiteral("</body></html>\n");
}

QJsonObject ProvenanceExport::inTotoStatement(const ArtifactProvenance &p)
{
    const QJsonObject predicate{{QStringLiteral("buildDefinition"), buildDefinition(p)},
                                {QStringLiteral("runDetails"), runDetails(p)}};

    return QJsonObject{{QStringLiteral("_type"), QLatin1String(kStatementType)},
                       {QStringLiteral("subject"),
                        QJsonArray{QJsonObject{
                            {QStringLiteral("name"), p.artifact.path},
                            {QStringLiteral("digest"), QJsonObject{{QStringLiteral("sha256"), p.artifact.sha256}}}}}},
                       {QStringLiteral("predicateType"), QLatin1String(kPredicateType)},
                       {QStringLiteral("predicate"), predicate}};
}

Result<QByteArray> ProvenanceExport::render(const QString &fileName, const ArtifactProvenance &p,
                                            const ReleaseChecklist &checklist,
                                            const std::vector<SignOffStatus> &signOffs)
{
    const QString lower = fileName.toLower();
    if (lower.endsWith(QLatin1String(".md")) || lower.endsWith(QLatin1String(".markdown")))
        return markdown(p, checklist, signOffs).toUtf8();
    if (lower.endsWith(QLatin1String(".html")) || lower.endsWith(QLatin1String(".htm")))
        return html(p, checklist, signOffs).toUtf8();
    if (lower.endsWith(QLatin1String(".json")))
        return QJsonDocument(inTotoStatement(p)).toJson(QJsonDocument::Indented);
    return tl::unexpected(Error::error(
        QStringLiteral("cannot tell the export format of '%1': name it .md, .html or .json (in-toto provenance)")
            .arg(fileName),
        SourceLocation{fileName}));
}

} // namespace trainyard::core
