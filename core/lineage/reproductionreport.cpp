// The words of a reproduction: its report (RunReproducer's result) and the data differences
// that refuse one.
#include "runreproducer.h"

#include <algorithm>

namespace trainyard::core {

namespace {

QString orMissing(const QString &hash)
{
    return hash.isEmpty() ? QStringLiteral("(missing)") : hash;
}

/// Rows of cells as aligned columns (two spaces apart, the last column not padded).
QString table(const std::vector<QStringList> &rows)
{
    std::vector<qsizetype> widths;
    for (const QStringList &row : rows) {
        widths.resize(std::max(widths.size(), size_t(row.size())));
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[size_t(i)] = std::max(widths[size_t(i)], row[i].size());
    }
    QString out;
    for (const QStringList &row : rows) {
        QString line = QStringLiteral("  ");
        for (qsizetype i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row[i].leftJustified(widths[size_t(i)]) + QStringLiteral("  ") : row[i];
        out += line + u'\n';
    }
    return out;
}

QString sizeText(qint64 files, qint64 bytes)
{
    return QStringLiteral("%1 file(s), %2 bytes").arg(files).arg(bytes);
}

} // namespace

QString ReproductionReport::errorOf(const RunRecord &record, const QString &failure)
{
    if (!failure.isEmpty())
        return failure;
    for (const QString &name : record.jobOrder) {
        const auto job = record.jobs.find(name);
        if (job != record.jobs.end() && job->second.couldNotRun)
            return QStringLiteral("job %1 could not be run: %2").arg(name, job->second.reason);
    }
    return {};
}

QString ReproductionReport::toText() const
{
    if (identical)
        return QStringLiteral("identical: %1 %2 of run %3 %4 the same SHA-256 in its reproduction %5\n")
            .arg(comparedArtifacts)
            .arg(comparedArtifacts == 1 ? QStringLiteral("artifact") : QStringLiteral("artifacts"), originalRunId,
                 comparedArtifacts == 1 ? QStringLiteral("has") : QStringLiteral("have"), reproductionRunId);
    if (errored)
        return QStringLiteral("errored: the reproduction %1 of run %2 could not run its jobs, so nothing was compared "
                              "(no verdict): %3\n")
            .arg(reproductionRunId.isEmpty() ? QStringLiteral("(not started)") : reproductionRunId, originalRunId,
                 failure);
    QString out = QStringLiteral("different: run %1 and its reproduction %2 (%3)\n")
                      .arg(originalRunId, reproductionRunId, reproductionStatus);
    if (!differences.empty()) {
        out += QStringLiteral("%1 of %2 artifacts differ:\n").arg(differences.size()).arg(comparedArtifacts);
        std::vector<QStringList> rows{
            {QStringLiteral("JOB"), QStringLiteral("PATH"), QStringLiteral("ORIGINAL"), QStringLiteral("REPRODUCED")}};
        for (const ArtifactDifference &d : differences)
            rows.push_back({d.job, d.path, orMissing(d.originalSha256), orMissing(d.reproducedSha256)});
        out += table(rows);
    }
    if (!jobDifferences.empty()) {
        out += QStringLiteral("%1 job(s) ended differently:\n").arg(jobDifferences.size());
        std::vector<QStringList> rows{
            {QStringLiteral("JOB"), QStringLiteral("ORIGINAL"), QStringLiteral("REPRODUCED")}};
        for (const JobDifference &d : jobDifferences)
            rows.push_back({d.job, d.originalStatus,
                            d.reproducedStatus.isEmpty() ? QStringLiteral("(not run)") : d.reproducedStatus});
        out += table(rows);
    }
    return out;
}

QString RunReproducer::dataDifferencesText(const QString &runId, const std::vector<DataDifference> &differences)
{
    QString out = QStringLiteral("run %1 is not reproduced: %2 data input(s) are not what it read\n")
                      .arg(runId)
                      .arg(differences.size());
    for (const DataDifference &d : differences) {
        out += QStringLiteral("  data input '%1' at %2\n").arg(d.name, d.path);
        out += QStringLiteral("    recorded  %1  %2\n")
                   .arg(orMissing(d.recordedHash), sizeText(d.recordedFiles, d.recordedBytes));
        if (!d.problem.isEmpty())
            out += QStringLiteral("    now       %1\n").arg(d.problem);
        else
            out +=
                QStringLiteral("    now       %1  %2\n").arg(d.currentHash, sizeText(d.currentFiles, d.currentBytes));
        if (!d.changedFiles.isEmpty())
            out += QStringLiteral("    modified since the run: %1\n").arg(d.changedFiles.join(QStringLiteral(", ")));
    }
    out += QStringLiteral("Restore the data (or run the pipeline anew to record the new version).");
    return out;
}

} // namespace trainyard::core
