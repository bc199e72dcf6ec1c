#pragma once

#include "common/error.h"
#include "trainyardsettings.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace trainyard::core {

/// What of the host machine a pipeline file may reach. The file is written by whoever can push
/// to the repository; the person who runs it decides what of the machine it may see, as a GitLab
/// Runner's administrator does with `volumes`:
/// - a data input inside the project may be mounted (not the project's own `.trainyard/`, which
///   holds the secrets and the lineage database);
/// - one outside the project only under a root this user allowed on this machine
///   (`TRAINYARD_DATA_ROOTS`, colon-separated, and the setting the window keeps);
/// - sockets, devices, system folders (`/`, `/etc`, `/proc`, `/sys`, `/dev`, `/run`, `/var/run`,
///   `/boot`, Docker's and Podman's storage), the home folder itself and its credential folders
///   (`.ssh`, `.docker`, …) are always refused, as is a folder that holds one of them;
/// - an image's build context and its Dockerfile must be inside the project.
/// Paths are compared after resolving symbolic links, so a link in the project cannot lead out.
class HostAccess final
{
public:
    /// `allowedRoots`: folders outside the project that data inputs may use (absolute paths).
    HostAccess(const QString &projectDir, const QStringList &allowedRoots);

    /// The roots this user allowed on this machine: `$TRAINYARD_DATA_ROOTS`, then the setting.
    static QStringList machineRoots();
    /// The roots in the user's setting only (the window lists and edits them).
    static QStringList settingRoots();
    /// Adds a root to, or removes one from, the user's setting.
    static void allowRoot(const QString &root);
    static void forgetRoot(const QString &root);

    /// The host path a data input mounts (symbolic links resolved), or why it may not.
    Result<QString> dataSource(const DataInput &input) const;
    /// The folder an image is built from (resolved), or why it may not be.
    Result<QString> buildContext(const ImageBuild &build) const;
    /// Every refusal in `.trainyard:` (data inputs, image builds), at the line of the setting.
    std::vector<Error> check(const TrainyardSettings &settings) const;

    /// `<project>/.trainyard`, where Trainyard keeps secrets, logs, artifacts and the lineage
    /// database, must be the project's own folder: a symbolic link (one a repository could
    /// carry) would send every write elsewhere. An Error naming the link and its target.
    static Result<void> checkStateFolder(const QString &projectDir);

    /// The folder to offer the user for a data input that is refused only because it lies
    /// outside the project and every allowed root; empty when it is refused for another reason.
    QString rootToAllow(const DataInput &input) const;

private:
    /// Absolute, with every existing part's symbolic links resolved.
    QString resolve(const QString &path) const;
    /// Why `resolved` may never be mounted, or empty.
    QString forbiddenReason(const QString &resolved) const;

    QString m_projectDir; ///< resolved
    QStringList m_roots;  ///< resolved
};

} // namespace trainyard::core
