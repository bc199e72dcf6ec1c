#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace trainyard::core {

/// The content-addressed store of job artifacts under `<project>/.trainyard/artifacts/`: each
/// file is kept once, at `sha256/ab/cdef…`, whatever job or path produced it. The store keeps no
/// manifests: collect() returns the ArtifactSet and the caller persists it (toJson/fromJson).
/// Holds only its root, so one instance can be used from several threads.
class ArtifactStore final
{
public:
    /// One collected file.
    struct StoredFile
    {
        QString path;   ///< relative to the workspace root, '/'-separated
        QString sha256; ///< 64 lowercase hex digits
        qint64 size = 0;
        bool executable = false;
    };

    /// A path left out of a collection on purpose.
    struct SkippedPath
    {
        QString path;   ///< relative to the workspace root
        QString reason; ///< e.g. "symlink points outside the workspace"
    };

    /// What one job's `artifacts:paths` collected.
    struct ArtifactSet
    {
        QString job;
        std::vector<StoredFile> files; ///< sorted by path, no duplicates
        qint64 totalBytes = 0;
        QStringList missing;              ///< entries of `paths` that matched nothing (GitLab warns)
        std::vector<SkippedPath> skipped; ///< symlinks out of the workspace, dangling, special files
    };

    explicit ArtifactStore(const QString &rootDir);

    QString rootDir() const { return m_root; }

    /// Collects `paths` of the workspace into the store. Each entry is a file, a directory (taken
    /// recursively) or a glob (GlobPattern, against workspace-relative paths; a matched directory
    /// is taken recursively; globs do not descend into symlinked directories). An entry that is
    /// absolute or leaves the workspace after normalisation ("../x", "a/../../x") is an Error
    /// naming the job and the entry. A symlink is stored as the file it points to when that stays
    /// inside the workspace, else skipped. `exclude` globs drop a file when they match its path or
    /// one of its parent directories.
    Result<ArtifactSet> collect(const QString &job, const QString &workspaceDir, const QStringList &paths,
                                const QStringList &exclude) const;

    /// Writes every file of `set` into the workspace at its path (creating directories, replacing
    /// what is there, restoring the executable bit). Files are copies, cloned copy-on-write where
    /// the file system can: never hard links, which a job appending to a staged file would turn
    /// into silent corruption of the store (and which cannot carry a per-copy executable bit).
    /// Refuses paths that escape the workspace, also through a symlink in the workspace.
    Result<void> stage(const ArtifactSet &set, const QString &workspaceDir) const;

    /// Writes a copy of the stored object `sha256` to `destination` (an artifact saved out of the
    /// store under a name of the user's), checking its hash on the way. `destination` is replaced
    /// only when every byte was written and the hash matched; otherwise it is left as it was.
    /// `label` names the artifact in messages (its path as collected).
    Result<void> copyOut(const QString &sha256, const QString &destination, const QString &label) const;

    /// Keeps `content` (a document Trainyard made, e.g. an image's SBOM) as an object; gives its
    /// SHA-256 (lowercase hex). Content already there costs no write.
    Result<QString> storeBytes(const QByteArray &content) const;
    /// The content of object `sha256`, checked against its hash; an Error naming `label` when it is
    /// missing or damaged.
    Result<QByteArray> readBytes(const QString &sha256, const QString &label) const;

    /// `<root>/sha256/<first 2 hex>/<remaining 62 hex>`.
    static QString objectPath(const QString &root, const QString &sha256);
    /// SHA-256 of a file's content as lowercase hex, read in 1 MiB chunks.
    static Result<QByteArray> sha256File(const QString &path);

    static QJsonObject toJson(const ArtifactSet &set);
    /// The inverse of toJson; an Error for a missing field, a bad hash or an escaping path.
    static Result<ArtifactSet> fromJson(const QJsonObject &json);

private:
    /// Stores the file at `source` (if its content is not there yet) as `rel`'s StoredFile.
    Result<StoredFile> store(const QString &source, const QString &rel, const QString &job) const;

    QString m_root;
};

} // namespace trainyard::core
