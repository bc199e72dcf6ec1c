#include "command.h"

#include "engine/gpuinventory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

// nvidia-smi's "[N/A]" is -1 in GpuInfo; JSON says null rather than a number nobody should add up.
QJsonValue jsonNumber(qint64 value)
{
    return value < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

QByteArray toJson(const GpuInventorySnapshot &s)
{
    QJsonArray gpus;
    for (const GpuInfo &g : s.gpus) {
        gpus.append(QJsonObject{
            {QStringLiteral("index"), g.index},
            {QStringLiteral("uuid"), g.uuid},
            {QStringLiteral("name"), g.name},
            {QStringLiteral("memory_total_mib"), jsonNumber(g.memoryTotalMiB)},
            {QStringLiteral("memory_used_mib"), jsonNumber(g.memoryUsedMiB)},
            {QStringLiteral("utilization_percent"), jsonNumber(g.utilizationPercent)},
            {QStringLiteral("driver_version"), g.driverVersion},
        });
    }
    const QJsonObject root{
        {QStringLiteral("nvidia_smi"), s.nvidiaSmiFound},
        {QStringLiteral("message"), s.message},
        {QStringLiteral("gpus"), gpus},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QString orNa(qint64 value, const QString &suffix = {})
{
    return value < 0 ? QStringLiteral("n/a") : QString::number(value) + suffix;
}

} // namespace

Command gpusCommand()
{
    Command c;
    c.name = QStringLiteral("gpus");
    c.summary = QStringLiteral("List this machine's NVIDIA GPUs (from nvidia-smi on PATH).\n"
                               "No nvidia-smi, or no GPU, is reported and is not an error.");
    c.addOptions = [](QCommandLineParser &p) {
        p.addOption(QCommandLineOption(
            QStringLiteral("json"), QStringLiteral("Print {\"nvidia_smi\", \"message\", \"gpus\": [...]} as JSON.")));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        if (!p.positionalArguments().isEmpty()) {
            err << "trainyard gpus: takes no arguments\n";
            return int(ExitUsage);
        }
        const Result<GpuInventorySnapshot> snapshot = GpuInventory::query();
        if (!snapshot) {
            err << "trainyard gpus: " << snapshot.error().toString() << "\n";
            return int(ExitFailed);
        }
        if (p.isSet(QStringLiteral("json"))) {
            out << QString::fromUtf8(toJson(*snapshot));
            return int(ExitOk);
        }
        if (snapshot->gpus.empty()) {
            out << snapshot->message << "\n";
            return int(ExitOk);
        }
        int nameWidth = 4;
        for (const GpuInfo &g : snapshot->gpus)
            nameWidth = std::max(nameWidth, int(g.name.size()));
        const auto row = [&](const QString &index, const QString &name, const QString &memory, const QString &util,
                             const QString &uuid) {
            out << QStringLiteral("%1  %2  %3  %4  %5\n")
                       .arg(index, -5)
                       .arg(name, -nameWidth)
                       .arg(memory, -19)
                       .arg(util, -4)
                       .arg(uuid);
        };
        row(QStringLiteral("INDEX"), QStringLiteral("NAME"), QStringLiteral("MEMORY USED/TOTAL"),
            QStringLiteral("UTIL"), QStringLiteral("UUID"));
        for (const GpuInfo &g : snapshot->gpus) {
            row(QString::number(g.index), g.name,
                QStringLiteral("%1 / %2").arg(orNa(g.memoryUsedMiB), orNa(g.memoryTotalMiB, QStringLiteral(" MiB"))),
                orNa(g.utilizationPercent, QStringLiteral("%")), g.uuid);
        }
        out << snapshot->message << "\n";
        return int(ExitOk);
    };
    return c;
}

} // namespace trainyard::app
