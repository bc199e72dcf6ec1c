#include "gpuinventory.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QStringList>

namespace trainyard::core {

namespace {

constexpr int FieldCount = 7;

// nvidia-smi writes "[N/A]", "[Not Supported]", "[Unknown Error]"… for values a card cannot give;
// older drivers wrote a bare "N/A". None of them is a reason to refuse the whole listing.
bool isUnavailable(const QString &value)
{
    return (value.startsWith(u'[') && value.endsWith(u']')) || value == QLatin1String("N/A");
}

QString textField(const QString &value)
{
    return isUnavailable(value) ? QString() : value;
}

Result<qint64> numberField(const QString &value, const char *field, int line)
{
    if (isUnavailable(value))
        return -1;
    bool ok = false;
    const qint64 n = value.toLongLong(&ok);
    if (ok)
        return n;
    // nounits values are integers today; accept "12.5" in case a driver starts printing decimals.
    const double d = value.toDouble(&ok);
    if (ok)
        return qRound64(d);
    return tl::make_unexpected(
        Error::error(QStringLiteral("line %1: %2 '%3' is not a number").arg(line).arg(QLatin1String(field), value)));
}

GpuInventorySnapshot noGpu(bool found, const QString &path, const QString &why)
{
    GpuInventorySnapshot s;
    s.nvidiaSmiFound = found;
    s.nvidiaSmiPath = path;
    s.message = QStringLiteral("no NVIDIA GPU found (%1)").arg(why);
    return s;
}

} // namespace

const char *GpuInventory::queryFields()
{
    return "index,uuid,name,memory.total,memory.used,utilization.gpu,driver_version";
}

Result<std::vector<GpuInfo>> GpuInventory::parseCsv(const QByteArray &csv)
{
    std::vector<GpuInfo> gpus;
    const QList<QByteArray> lines = csv.split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        const int lineNumber = i + 1;
        const QString line = QString::fromUtf8(lines.at(i)).trimmed(); // also drops a '\r'
        if (line.isEmpty())
            continue;
        QStringList fields = line.split(u',');
        if (fields.size() < FieldCount) {
            return tl::make_unexpected(
                Error::error(QStringLiteral("line %1: expected %2 comma-separated fields (%3), found %4: '%5'")
                                 .arg(lineNumber)
                                 .arg(FieldCount)
                                 .arg(QLatin1String(queryFields()))
                                 .arg(fields.size())
                                 .arg(line)));
        }
        for (QString &f : fields)
            f = f.trimmed();
        // Only the name is free text; should one ever hold a comma, the fixed fields around it
        // still tell where it starts and ends.
        const qsizetype extra = fields.size() - FieldCount;
        const QString name = fields.mid(2, 1 + extra).join(QStringLiteral(", "));
        const QStringList tail = fields.mid(3 + extra);

        GpuInfo gpu;
        bool ok = false;
        gpu.index = fields.at(0).toInt(&ok);
        if (!ok || gpu.index < 0) {
            return tl::make_unexpected(Error::error(QStringLiteral("line %1: GPU index '%2' is not a number: '%3'")
                                                        .arg(lineNumber)
                                                        .arg(fields.at(0), line)));
        }
        gpu.uuid = textField(fields.at(1));
        gpu.name = textField(name);
        const auto total = numberField(tail.at(0), "memory.total", lineNumber);
        if (!total)
            return tl::make_unexpected(total.error());
        const auto used = numberField(tail.at(1), "memory.used", lineNumber);
        if (!used)
            return tl::make_unexpected(used.error());
        const auto utilization = numberField(tail.at(2), "utilization.gpu", lineNumber);
        if (!utilization)
            return tl::make_unexpected(utilization.error());
        gpu.memoryTotalMiB = *total;
        gpu.memoryUsedMiB = *used;
        gpu.utilizationPercent = int(*utilization);
        gpu.driverVersion = textField(tail.at(3));
        gpus.push_back(std::move(gpu));
    }
    return gpus;
}

Result<GpuInventorySnapshot> GpuInventory::query(const QString &nvidiaSmi, int timeoutMs)
{
    QString path = nvidiaSmi;
    if (path.isEmpty() || !path.contains(u'/')) {
        const QString name = path.isEmpty() ? QStringLiteral("nvidia-smi") : path;
        path = QStandardPaths::findExecutable(name);
        if (path.isEmpty())
            return noGpu(false, {}, QStringLiteral("%1 is not on PATH").arg(name));
    } else if (!QFileInfo(path).isExecutable()) {
        return noGpu(false, {}, QStringLiteral("no executable nvidia-smi at %1").arg(path));
    }

    const QDeadlineTimer deadline(timeoutMs);
    QProcess process;
    process.start(path, {QStringLiteral("--query-gpu=") + QLatin1String(queryFields()),
                         QStringLiteral("--format=csv,noheader,nounits")});
    if (!process.waitForStarted(int(deadline.remainingTime()))) {
        return noGpu(true, path, QStringLiteral("%1 could not be started: %2").arg(path, process.errorString()));
    }
    if (!process.waitForFinished(int(deadline.remainingTime()))) {
        // A wedged driver makes nvidia-smi hang for minutes; a listing is not worth waiting that long.
        process.kill();
        process.waitForFinished(1000);
        return noGpu(true, path,
                     QStringLiteral("%1 did not answer within %2 ms and was killed").arg(path).arg(timeoutMs));
    }
    const QByteArray out = process.readAllStandardOutput();
    if (process.exitStatus() != QProcess::NormalExit)
        return noGpu(true, path, QStringLiteral("%1 crashed").arg(path));
    if (process.exitCode() != 0) {
        // nvidia-smi prints "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA
        // driver…" (exit 9) or "No devices were found" (exit 6) to stdout on some versions.
        QString detail = QString::fromLocal8Bit(process.readAllStandardError()).simplified();
        if (detail.isEmpty())
            detail = QString::fromLocal8Bit(out).simplified();
        QString why = QStringLiteral("nvidia-smi failed with exit code %1").arg(process.exitCode());
        if (!detail.isEmpty())
            why += QStringLiteral(": ") + detail;
        return noGpu(true, path, why);
    }

    auto gpus = parseCsv(out);
    if (!gpus) {
        Error e = gpus.error();
        e.message = QStringLiteral("unexpected output from %1: %2").arg(path, e.message);
        return tl::make_unexpected(e);
    }
    if (gpus->empty())
        return noGpu(true, path, QStringLiteral("nvidia-smi lists none"));

    GpuInventorySnapshot s;
    s.nvidiaSmiFound = true;
    s.nvidiaSmiPath = path;
    s.gpus = std::move(*gpus);
    const QString driver = s.gpus.front().driverVersion;
    s.message = QStringLiteral("%1 NVIDIA GPU%2 found")
                    .arg(s.gpus.size())
                    .arg(s.gpus.size() == 1 ? QString() : QStringLiteral("s"));
    if (!driver.isEmpty())
        s.message += QStringLiteral(" (driver %1)").arg(driver);
    return s;
}

} // namespace trainyard::core
