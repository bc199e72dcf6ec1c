#include "installedscanners.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace trainyard::core {

QStringList InstalledScanners::available()
{
    QStringList found;
    for (const QString &tool : {QStringLiteral("trivy"), QStringLiteral("grype")}) {
        if (!QStandardPaths::findExecutable(tool).isEmpty())
            found << tool;
    }
    return found;
}

Result<ScannerReport> InstalledScanners::run(const QString &tool, const QString &image, const QString &dockerEndpoint,
                                             int timeoutSeconds, const std::atomic_bool *cancel)
{
    const QString exe = QStandardPaths::findExecutable(tool);
    if (exe.isEmpty())
        return tl::make_unexpected(Error::error(QStringLiteral("%1 is not installed (not on PATH)").arg(tool)));
    QTemporaryDir dir;
    if (!dir.isValid())
        return tl::make_unexpected(Error::error(QStringLiteral("cannot make a folder for %1's report").arg(tool)));
    const QString report = dir.filePath(QStringLiteral("report.json"));
    QStringList args;
    // trivy's own time limit (5 minutes by default) would stop a large image before ours; the
    // engine's copy of the image is scanned, never the registry's, for vulnerabilities only.
    if (tool == QLatin1String("trivy"))
        args = {QStringLiteral("image"),
                QStringLiteral("--quiet"),
                QStringLiteral("--format"),
                QStringLiteral("json"),
                QStringLiteral("--scanners"),
                QStringLiteral("vuln"),
                QStringLiteral("--image-src"),
                QStringLiteral("docker"),
                QStringLiteral("--timeout"),
                QStringLiteral("%1s").arg(timeoutSeconds),
                QStringLiteral("--output"),
                report,
                image};
    else if (tool == QLatin1String("grype"))
        args = {QStringLiteral("docker:") + image,
                QStringLiteral("--quiet"),
                QStringLiteral("-o"),
                QStringLiteral("json"),
                QStringLiteral("--file"),
                report};
    else
        return tl::make_unexpected(
            Error::error(QStringLiteral("%1 is not a scanner Trainyard runs (trivy, grype)").arg(tool)));
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    if (!dockerEndpoint.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DOCKER_HOST"), dockerEndpoint);
        p.setProcessEnvironment(env);
    }
    p.start(exe, args);
    if (!p.waitForStarted(10000))
        return tl::make_unexpected(Error::error(QStringLiteral("%1 did not start: %2").arg(exe, p.errorString())));
    p.closeWriteChannel();
    QElapsedTimer clock;
    clock.start();
    QByteArray output;
    while (!p.waitForFinished(250)) {
        output += p.readAll();
        if (output.size() > 64 * 1024)
            output = output.right(32 * 1024);
        const bool cancelled = cancel && cancel->load();
        if (cancelled || clock.elapsed() > qint64(timeoutSeconds) * 1000) {
            p.kill();
            p.waitForFinished(5000);
            return tl::make_unexpected(Error::error(
                cancelled
                    ? QStringLiteral("%1's scan of %2 cancelled").arg(tool, image)
                    : QStringLiteral("%1's scan of %2 took over %3 s: stopped").arg(tool, image).arg(timeoutSeconds)));
        }
    }
    output += p.readAll();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        const QStringList lines = QString::fromUtf8(output).trimmed().split(u'\n');
        return tl::make_unexpected(
            Error::error(QStringLiteral("%1 %2 failed (exit %3): %4")
                             .arg(tool, args.join(u' '))
                             .arg(p.exitCode())
                             .arg(lines.mid(std::max<qsizetype>(0, lines.size() - 5)).join(u'\n'))));
    }
    QFile file(report);
    if (!file.open(QIODevice::ReadOnly))
        return tl::make_unexpected(
            Error::error(QStringLiteral("%1 wrote no report (%2): %3").arg(tool, report, file.errorString())));
    return ScannerReport::fromJson(file.readAll(), QStringLiteral("%1's report of %2").arg(tool, image));
}

} // namespace trainyard::core
