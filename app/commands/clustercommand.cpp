#include "command.h"

#include "engine/slurmclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

QJsonObject toJson(const SlurmJobState &j)
{
    return QJsonObject{{QStringLiteral("id"), j.id},
                       {QStringLiteral("name"), j.name},
                       {QStringLiteral("state"), j.state},
                       {QStringLiteral("reason"), j.reason},
                       {QStringLiteral("waiting"), j.waitingWhy()},
                       {QStringLiteral("nodes"), j.nodes},
                       {QStringLiteral("gpus"), j.gpus},
                       {QStringLiteral("partition"), j.partition}};
}

QByteArray toJson(const SlurmClusterInfo &info)
{
    QJsonArray partitions;
    for (const SlurmPartition &p : info.partitions)
        partitions.append(QJsonObject{{QStringLiteral("name"), p.name},
                                      {QStringLiteral("state"), p.state},
                                      {QStringLiteral("nodes"), p.nodes},
                                      {QStringLiteral("cpus"), p.totalCpus},
                                      {QStringLiteral("default"), p.isDefault}});
    QJsonArray nodes;
    for (const SlurmNode &n : info.nodes)
        nodes.append(QJsonObject{{QStringLiteral("name"), n.name},
                                 {QStringLiteral("state"), n.state},
                                 {QStringLiteral("reason"), n.reason},
                                 {QStringLiteral("cpus"), n.cpus},
                                 {QStringLiteral("cpus_allocated"), n.cpusAllocated},
                                 {QStringLiteral("memory_mib"), n.memoryMiB},
                                 {QStringLiteral("memory_allocated_mib"), n.memoryAllocatedMiB},
                                 {QStringLiteral("gpus"), n.gpus},
                                 {QStringLiteral("gpus_used"), n.gpusUsed},
                                 {QStringLiteral("gpus_free"), std::max(0, n.gpus - n.gpusUsed)},
                                 {QStringLiteral("partitions"), QJsonArray::fromStringList(n.partitions)}});
    QJsonArray queue;
    for (const SlurmJobState &j : info.queue)
        queue.append(toJson(j));
    const QJsonObject root{{QStringLiteral("cluster"), info.clusterName},
                           {QStringLiteral("slurm_version"), info.slurmVersion},
                           {QStringLiteral("via"), info.via},
                           {QStringLiteral("partitions"), partitions},
                           {QStringLiteral("nodes"), nodes},
                           {QStringLiteral("queue"), queue}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

void printTable(const SlurmClusterInfo &info, QTextStream &out)
{
    out << "Cluster " << (info.clusterName.isEmpty() ? QStringLiteral("(unnamed)") : info.clusterName) << ", Slurm "
        << info.slurmVersion << ", through " << info.via << "\n\n";
    out << QStringLiteral("%1  %2  %3  %4  %5\n")
               .arg(QStringLiteral("NODE"), -12)
               .arg(QStringLiteral("STATE"), -16)
               .arg(QStringLiteral("CPUS USED/ALL"), -13)
               .arg(QStringLiteral("GPUS FREE/ALL"), -13)
               .arg(QStringLiteral("PARTITIONS"));
    for (const SlurmNode &n : info.nodes) {
        QString state = n.state;
        if (!n.reason.isEmpty())
            state += QStringLiteral(" (%1)").arg(n.reason);
        out << QStringLiteral("%1  %2  %3  %4  %5\n")
                   .arg(n.name, -12)
                   .arg(state, -16)
                   .arg(QStringLiteral("%1/%2").arg(n.cpusAllocated).arg(n.cpus), -13)
                   .arg(QStringLiteral("%1/%2").arg(std::max(0, n.gpus - n.gpusUsed)).arg(n.gpus), -13)
                   .arg(n.partitions.join(u','));
    }
    out << "\nPartitions:";
    for (const SlurmPartition &p : info.partitions)
        out << " " << p.name << (p.isDefault ? "*" : "") << " (" << p.state << ", " << p.nodes << ")";
    out << "\n";
    if (info.queue.empty()) {
        out << "No job queued or running.\n";
        return;
    }
    out << "\n"
        << QStringLiteral("%1  %2  %3  %4\n")
               .arg(QStringLiteral("JOB"), -8)
               .arg(QStringLiteral("NAME"), -24)
               .arg(QStringLiteral("STATE"), -10)
               .arg(QStringLiteral("WHERE / WHY"));
    for (const SlurmJobState &j : info.queue) {
        const QString where = j.isPending() ? j.waitingWhy() : j.nodes + (j.gpus.isEmpty() ? QString() : u' ' + j.gpus);
        out << QStringLiteral("%1  %2  %3  %4\n").arg(j.id, -8).arg(j.name, -24).arg(j.state, -10).arg(where);
    }
}

} // namespace

Command clusterCommand()
{
    Command c;
    c.name = QStringLiteral("cluster");
    c.brief = QStringLiteral("Show the Slurm cluster: partitions, nodes, GPUs free and in use, and its queue.");
    c.summary = QStringLiteral(
        "Show the Slurm cluster jobs can be sent to: its partitions, nodes, GPUs free and in use, and the\n"
        "jobs queued or running (with why they wait). Through slurmrestd when SLURMRESTD_URL (or --url)\n"
        "is set, with the token in SLURM_JWT (else `scontrol token`); else through the Slurm commands.");
    c.addOptions = [](QCommandLineParser &p) {
        p.addOption(QCommandLineOption(QStringLiteral("url"),
                                       QStringLiteral("slurmrestd's address (default: $SLURMRESTD_URL)."),
                                       QStringLiteral("URL")));
        p.addOption(QCommandLineOption(QStringLiteral("json"),
                                       QStringLiteral("Print {\"cluster\", \"partitions\", \"nodes\", \"queue\"} "
                                                      "as JSON.")));
    };
    c.run = [](const QCommandLineParser &p, QTextStream &out, QTextStream &err) {
        if (!p.positionalArguments().isEmpty()) {
            err << "trainyard cluster: takes no arguments\n";
            return int(ExitUsage);
        }
        SlurmClient client(SlurmClient::fromEnvironment(p.value(QStringLiteral("url"))));
        const auto info = client.cluster();
        if (!info) {
            err << "trainyard cluster: " << info.error().message << "\n";
            return int(ExitFailed);
        }
        if (p.isSet(QStringLiteral("json")))
            out << QString::fromUtf8(toJson(*info));
        else
            printTable(*info, out);
        return int(ExitOk);
    };
    return c;
}

} // namespace trainyard::app
