#include "runrecordimport.h"

#include "lineagestore.h"
#include "runrecordmapping.h"

#include "engine/artifactstore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace trainyard::core {

Result<bool> RunRecordImport::importRecord(LineageStore &store, const RunRecord &record)
{
    auto existing = store.run(record.id);
    if (!existing)
        return tl::unexpected(existing.error());
    if (*existing)
        return false;
    if (auto written = write(store, record); !written)
        return tl::unexpected(written.error());
    return true;
}

Result<void> RunRecordImport::write(LineageStore &store, const RunRecord &record)
{
    return store.transaction([&]() -> Result<void> {
        if (!record.commitSha.isEmpty()) {
            // Only the sha is known from the record; the recorder adds author and message.
            if (auto found = store.commit(record.commitSha); found && !*found)
                if (auto r = store.recordCommit(LineageCommit{record.commitSha, {}, {}, {}, {}}); !r)
                    return r;
        }
        if (auto r = store.recordRun(RunRecordMapping::toLineageRun(record)); !r)
            return r;
        for (const auto &[name, job] : record.jobs) {
            if (auto r = store.recordJob(RunRecordMapping::toLineageJob(record.id, job, nullptr)); !r)
                return r;
            if (!job.artifacts.isEmpty()) {
                auto set = ArtifactStore::fromJson(job.artifacts);
                if (!set)
                    return tl::unexpected(set.error());
                std::vector<LineageArtifact> artifacts;
                for (const auto &f : set->files)
                    artifacts.push_back(LineageArtifact{record.id, name, f.path, f.sha256, f.size, f.executable, {}});
                if (auto r = store.recordArtifacts(record.id, name, artifacts); !r)
                    return r;
            }
            if (!job.image.isEmpty() && !job.imageId.isEmpty())
                if (auto r = store.recordImage(LineageImage{record.id, job.image, job.imageId, job.repoDigests, {}});
                    !r)
                    return r;
        }
        return {};
    });
}

RunRecordImport::Report RunRecordImport::importProject(LineageStore &store, const QString &projectDir)
{
    Report report;
    const RunExport runs(projectDir);
    const QDir dir(runs.runsDir());
    for (const QString &file : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        const QString id = file.chopped(5);
        auto record = runs.load(id);
        if (!record) {
            report.problems << record.error().toString();
            continue;
        }
        auto imported = importRecord(store, *record);
        if (!imported)
            report.problems << QStringLiteral("%1: %2").arg(dir.filePath(file), imported.error().message);
        else if (*imported)
            ++report.imported;
        else
            ++report.present;
    }
    return report;
}

Result<RunRecordImport::Rebuilt> RunRecordImport::rebuildDatabase(const QString &projectDir)
{
    const QString path = LineageStore::defaultPath(projectDir);
    Rebuilt rebuilt;
    if (QFileInfo::exists(path)) {
        LineageStore::Options check;
        check.recoverInterrupted = false;
        check.integrity = LineageStore::IntegrityCheck::Full; // every page: damage anywhere is worth a rebuild
        if (auto store = LineageStore::open(path, check); store && !(*store)->isReadOnly())
            return tl::unexpected(Error::error(
                QStringLiteral("the lineage database opens fine: nothing to rebuild (a rebuild keeps only what the run "
                               "records hold, not sign-offs, data versions or reproductions)"),
                SourceLocation{path}));
        rebuilt.keptAs = path + QStringLiteral(".damaged-") +
                         QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
            if (QFileInfo::exists(path + suffix) && !QFile::rename(path + suffix, rebuilt.keptAs + suffix))
                return tl::unexpected(Error::error(QStringLiteral("cannot move %1 aside to %2; nothing was changed")
                                                       .arg(path + suffix, rebuilt.keptAs + suffix),
                                                   SourceLocation{path}));
        }
    }
    auto store = LineageStore::open(path);
    if (!store)
        return tl::unexpected(store.error());
    rebuilt.report = importProject(**store, projectDir);
    return rebuilt;
}

} // namespace trainyard::core
