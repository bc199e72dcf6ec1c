#include "job.h"

#include <QRegularExpression>

namespace trainyard::core {

std::vector<Artifacts::ReportFile> Artifacts::reportFiles() const
{
    std::vector<ReportFile> files;
    if (!reports.isMap())
        return files;
    for (const QString &kind : {QStringLiteral("metrics"), QStringLiteral("dotenv")}) {
        const YamlNode *node = reports.find(kind);
        if (!node)
            continue;
        const QStringList paths = node->isScalar() ? QStringList{node->toString()} : node->toStringList();
        for (const QString &p : paths) {
            if (!p.trimmed().isEmpty())
                files.push_back(ReportFile{kind, p.trimmed()});
        }
    }
    return files;
}

QString whenToString(When when)
{
    switch (when) {
    case When::OnSuccess:
        return QStringLiteral("on_success");
    case When::OnFailure:
        return QStringLiteral("on_failure");
    case When::Always:
        return QStringLiteral("always");
    case When::Manual:
        return QStringLiteral("manual");
    case When::Never:
        return QStringLiteral("never");
    case When::Delayed:
        return QStringLiteral("delayed");
    }
    return {};
}

std::optional<When> whenFromString(const QString &text)
{
    static const std::pair<const char *, When> table[] = {
        {"on_success", When::OnSuccess}, {"on_failure", When::OnFailure}, {"always", When::Always},
        {"manual", When::Manual},        {"never", When::Never},          {"delayed", When::Delayed},
    };
    for (const auto &[name, value] : table) {
        if (text == QLatin1String(name))
            return value;
    }
    return std::nullopt;
}

bool Job::needsGpu() const
{
    if (trainyard.gpus != 0)
        return true;
    // The seed's convention: a job tagged for a GPU runner ("gpu-runner", "gpu", "nvidia-gpu").
    static const QRegularExpression gpuTag(QStringLiteral("(^|[^a-z])gpus?([^a-z]|$)"),
                                           QRegularExpression::CaseInsensitiveOption);
    for (const QString &tag : tags) {
        if (gpuTag.match(tag).hasMatch())
            return true;
    }
    return false;
}

int Job::gpuCount() const
{
    if (trainyard.gpus != 0)
        return trainyard.gpus;
    return needsGpu() ? 1 : 0;
}

} // namespace trainyard::core
