#pragma once

// What `trainyard sbom` and `trainyard scan` share: the project's lineage store (created when the
// project has none yet: an image can be read before any run) and its artifact store.

#include "command.h"

#include "lineage/lineagestore.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <atomic>
#include <csignal>
#include <functional>
#include <memory>

#include <unistd.h>

namespace trainyard::app {

/// The lineage store of the project `-C` names, opened writable (created if needed); null after
/// saying why on err.
inline std::unique_ptr<core::LineageStore> openLineageForImages(const QCommandLineParser &p, QTextStream &err,
                                                                const QString &command)
{
    const QString project = p.value(QStringLiteral("C"));
    if (!QFileInfo(project).isDir()) {
        err << "trainyard " << command << ": " << project << " is not a folder\n";
        return nullptr;
    }
    auto store = core::LineageStore::open(core::LineageStore::defaultPath(project));
    if (!store) {
        err << "trainyard " << command << ": " << store.error().toString() << "\n";
        return nullptr;
    }
    if ((*store)->isReadOnly()) {
        err << "trainyard " << command << ": " << (*store)->readOnlyReason() << "\n";
        return nullptr;
    }
    return std::move(*store);
}

/// Progress of a long step on a terminal, one line rewritten in place; nothing when err is not a
/// terminal (a log or a pipe gets the result only).
inline std::function<void(const QString &)> terminalProgress(QTextStream &err)
{
    if (!isatty(STDERR_FILENO))
        return {};
    return [&err](const QString &message) {
        err << "\r\x1b[K" << message;
        err.flush();
    };
}

/// Ends the progress line terminalProgress() wrote.
inline void endProgress(QTextStream &err)
{
    if (isatty(STDERR_FILENO))
        err << "\r\x1b[K";
}

/// While it lives, Ctrl-C (SIGINT) or SIGTERM sets flag(): the long step (an image's export, the
/// advisories being read) stops at its next check and cleans up (the container it made is
/// removed) instead of the process dying with it.
class CancelOnInterrupt final
{
public:
    CancelOnInterrupt()
    {
        s_flag = false;
        std::signal(SIGINT, &CancelOnInterrupt::onSignal);
        std::signal(SIGTERM, &CancelOnInterrupt::onSignal);
    }
    ~CancelOnInterrupt()
    {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
    }
    CancelOnInterrupt(const CancelOnInterrupt &) = delete;
    CancelOnInterrupt &operator=(const CancelOnInterrupt &) = delete;
    const std::atomic_bool *flag() const { return &s_flag; }

private:
    static void onSignal(int) { s_flag = true; } // a lock-free atomic store is async-signal-safe
    static inline std::atomic_bool s_flag{false};
};

/// `<project>/.trainyard/artifacts`.
inline QString artifactRootOf(const QCommandLineParser &p)
{
    return QDir(p.value(QStringLiteral("C"))).absoluteFilePath(QStringLiteral(".trainyard/artifacts"));
}

} // namespace trainyard::app
