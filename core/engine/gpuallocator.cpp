#include "gpuallocator.h"

#include <QLoggingCategory>
#include <QMutexLocker>

#include <algorithm>

namespace trainyard::core {

namespace {

Q_LOGGING_CATEGORY(lcGpu, "trainyard.gpu")

QString needsText(int count)
{
    if (count < 0)
        return QStringLiteral("all GPUs");
    return count == 1 ? QStringLiteral("1 GPU") : QStringLiteral("%1 GPUs").arg(count);
}

QString joinIndexes(const QList<int> &indexes)
{
    QStringList parts;
    parts.reserve(indexes.size());
    for (int i : indexes)
        parts << QString::number(i);
    return parts.join(u',');
}

} // namespace

GpuAllocator::GpuAllocator(std::vector<GpuInfo> gpus, QString inventoryMessage)
    : m_gpus(std::move(gpus))
    , m_inventoryMessage(std::move(inventoryMessage))
    , m_busy(m_gpus.size(), false)
{}

GpuAllocator::GpuAllocator(const GpuInventorySnapshot &snapshot)
    : GpuAllocator(snapshot.gpus, snapshot.message)
{}

std::optional<Error> GpuAllocator::impossible(const GpuRequest &request) const
{
    // m_gpus never changes after construction, so this needs no lock.
    if (request.count < -1) {
        return Error::error(QStringLiteral("job '%1' asks for %2 GPUs; ask for a positive number, or -1 for all")
                                .arg(request.job)
                                .arg(request.count),
                            {}, request.job);
    }
    if (request.count == 0)
        return std::nullopt;
    const QString needs = QStringLiteral("job '%1' needs %2; ").arg(request.job, needsText(request.count));
    if (m_gpus.empty()) {
        const QString found = m_inventoryMessage.isEmpty() ? QStringLiteral("no NVIDIA GPU found") : m_inventoryMessage;
        return Error::error(needs + found, {}, request.job);
    }
    if (request.count > int(m_gpus.size())) {
        QStringList found;
        for (const GpuInfo &g : m_gpus)
            found << QStringLiteral("%1 %2").arg(g.index).arg(g.name);
        return Error::error(needs +
                                QStringLiteral("found %1: %2").arg(m_gpus.size()).arg(found.join(QStringLiteral(", "))),
                            {}, request.job);
    }
    return std::nullopt;
}

Result<std::optional<QList<int>>> GpuAllocator::tryAcquire(const GpuRequest &request)
{
    if (std::optional<Error> e = impossible(request))
        return tl::make_unexpected(*e);
    if (request.count == 0)
        return std::optional<QList<int>>(QList<int>());

    QMutexLocker lock(&m_mutex);
    const qsizetype wanted = request.count < 0 ? qsizetype(m_gpus.size()) : request.count;
    // Lowest free index first: predictable for people reading `nvidia-smi` next to a run.
    std::vector<size_t> picked;
    for (size_t i = 0; i < m_gpus.size() && qsizetype(picked.size()) < wanted; ++i) {
        if (!m_busy[i])
            picked.push_back(i);
    }
    if (qsizetype(picked.size()) < wanted)
        return std::optional<QList<int>>();
    QList<int> indexes;
    for (size_t i : picked) {
        m_busy[i] = true;
        indexes << m_gpus[i].index;
    }
    return std::optional<QList<int>>(indexes);
}

void GpuAllocator::release(const QList<int> &indexes)
{
    QMutexLocker lock(&m_mutex);
    for (int index : indexes) {
        bool found = false;
        for (size_t i = 0; i < m_gpus.size(); ++i) {
            if (m_gpus[i].index != index)
                continue;
            found = true;
            if (!m_busy[i])
                qCWarning(lcGpu) << "GPU" << index << "released but not held";
            m_busy[i] = false;
        }
        if (!found)
            qCWarning(lcGpu) << "GPU" << index << "released but not known";
    }
}

int GpuAllocator::freeCount() const
{
    QMutexLocker lock(&m_mutex);
    return int(std::count(m_busy.begin(), m_busy.end(), false));
}

QStringList GpuAllocator::environmentFor(const QList<int> &indexes, bool shellEngine)
{
    if (indexes.isEmpty())
        return {};
    const QString name =
        shellEngine ? QStringLiteral("CUDA_VISIBLE_DEVICES") : QStringLiteral("NVIDIA_VISIBLE_DEVICES");
    return {name + u'=' + joinIndexes(indexes)};
}

} // namespace trainyard::core
