#include "scalartailer.h"

#include <QFileInfo>

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_map>

namespace trainyard::core {

namespace {
constexpr qint64 BulkReadBytes = 1 << 20;
// A point takes at least about this many bytes of an event file (a record's 16 bytes of framing
// and an event of a step, a wall time and a value), so new bytes give a bound of new points: not
// a limit (a series grows on past it), an estimate of room to reserve.
constexpr qint64 BytesPerPointAtLeast = 32;
// A series this long in a bulk read gets room for its share of the bound at once.
constexpr qsizetype LongSeriesPoints = 16384;
// At most this much room ahead (256 MiB of address space a column): a file of tens of GB must not
// ask for mappings a strict overcommit policy refuses; past it a series grows on as before.
constexpr qint64 MaxRoomAheadPoints = qint64(32) << 20;
} // namespace

struct ScalarTailer::RunState
{
    RunScalars scalars;
    EventDecoder decoder; ///< one per run: a tag's metadata may be in an earlier file of the run
    std::vector<EventFileReader> files;
    std::vector<ScalarSeries *> seriesByTag; ///< by the decoder's tag id; null until a first point
    std::vector<bool> tagRefused;            ///< by the decoder's tag id: Options::acceptTag said no

    /// Options::acceptTag's answer for a tag, asked once per tag and run: from the decoding
    /// thread, or from a file's second reading thread (EventFileReader), one at a time.
    bool accepts(const std::function<bool(const QString &)> &acceptTag, const std::string &tag)
    {
        std::lock_guard lock(acceptedMutex);
        const auto [it, added] = accepted.try_emplace(tag, false);
        if (added)
            it->second = acceptTag(QString::fromStdString(tag));
        return it->second;
    }
    std::mutex acceptedMutex;
    std::unordered_map<std::string, bool> accepted;

    bool hasFile(const QString &path) const
    {
        return std::any_of(files.begin(), files.end(), [&](const EventFileReader &f) { return f.path() == path; });
    }
};

ScalarTailer::ScalarTailer(QString logdir, Options options)
    : m_logdir(std::move(logdir))
    , m_options(std::move(options))
{}

ScalarTailer::ScalarTailer(QString logdir)
    : ScalarTailer(std::move(logdir), Options{})
{}

ScalarTailer::~ScalarTailer() = default;

ScalarTailer::RunState &ScalarTailer::runState(const RunLocation &location)
{
    const auto it = std::lower_bound(
        m_runs.begin(), m_runs.end(), location.name,
        [](const std::unique_ptr<RunState> &r, const QString &name) { return r->scalars.name < name; });
    if (it != m_runs.end() && (*it)->scalars.name == location.name)
        return **it;
    auto state = std::make_unique<RunState>();
    state->scalars.name = location.name;
    state->scalars.directory = location.directory;
    return **m_runs.insert(it, std::move(state));
}

// Room for a series that is full in a bulk read. Short ones double (each point copied about
// once); a long one gets room for its share of every point the new bytes could hold, at once:
// that much room is a mapping of its own (ScalarSeries), in which only the pages written are
// ever backed, so it costs address space, not memory; the series never moves or copies again,
// its pages can be huge ones, and the squeeze after the read gives the rest back in place.
void ScalarTailer::reserveAhead(const RunState &run, ScalarSeries &series, qint64 newBytes)
{
    qsizetype room = 2 * series.size() + 1024;
    if (series.size() >= LongSeriesPoints) {
        const qint64 seriesCount = std::max<qint64>(
            1, std::count_if(run.seriesByTag.begin(), run.seriesByTag.end(), [](const ScalarSeries *s) { return s; }));
        const qint64 share = std::min(newBytes / BytesPerPointAtLeast / seriesCount, MaxRoomAheadPoints);
        room = std::max(room, series.size() + qsizetype(share));
    }
    series.reserve(room);
}

Result<ReadReport> ScalarTailer::readNew()
{
    const Result<std::vector<RunLocation>> locations = LogdirScanner::scan(m_logdir);
    if (!locations)
        return tl::make_unexpected(locations.error());
    ReadReport report;
    for (const RunLocation &location : *locations) {
        if (m_options.acceptRun && !m_options.acceptRun(location.name))
            continue;
        RunState &run = runState(location);
        // Files appear in name order; one that shows up later is read after those already known.
        for (const QString &path : location.eventFiles) {
            if (!run.hasFile(path))
                run.files.emplace_back(path, m_options.checkCrc, m_options.readAheadFromBytes);
        }
        // A bulk read (a finished run, or a first look at a long one) grows series by doubling,
        // which copies each point about once, and gives the slack back at the end; the small
        // appends of tailing use the series' own bounded growth.
        qint64 newBytes = 0;
        for (const EventFileReader &file : run.files)
            newBytes += std::max<qint64>(0, QFileInfo(file.path()).size() - file.offset());
        const bool bulk = newBytes >= BulkReadBytes;

        const EventDecoder::Sink sink = [&run, bulk, newBytes, this](int tagId, const ScalarPoint &point) {
            if (size_t(tagId) >= run.seriesByTag.size()) {
                run.seriesByTag.resize(size_t(tagId) + 1, nullptr);
                run.tagRefused.resize(size_t(tagId) + 1, false);
            }
            ScalarSeries *&series = run.seriesByTag[size_t(tagId)];
            if (!series) {
                if (run.tagRefused[size_t(tagId)])
                    return;
                const std::string &tag = run.decoder.tag(tagId);
                if (m_options.acceptTag && !run.accepts(m_options.acceptTag, tag)) {
                    run.tagRefused[size_t(tagId)] = true;
                    return;
                }
                series = &run.scalars.series[QString::fromStdString(tag)];
            }
            if (bulk && series->size() == series->capacity())
                reserveAhead(run, *series, newBytes);
            series->append(point);
        };
        EventFileReader::TagFilter keepTag;
        if (m_options.acceptTag)
            keepTag = [&run, this](const std::string &tag) { return run.accepts(m_options.acceptTag, tag); };
        const qint64 pointsBefore = report.pointsAdded;
        for (EventFileReader &file : run.files)
            file.readNew(run.decoder, sink, report, keepTag);
        if (!bulk || report.pointsAdded == pointsBefore)
            continue;
        for (ScalarSeries *series : run.seriesByTag) {
            if (series && series->capacity() > series->size())
                series->squeeze();
        }
    }
    return report;
}

std::vector<const RunScalars *> ScalarTailer::runs() const
{
    std::vector<const RunScalars *> result;
    result.reserve(m_runs.size());
    for (const auto &run : m_runs)
        result.push_back(&run->scalars);
    return result;
}

const RunScalars *ScalarTailer::run(const QString &name) const
{
    for (const auto &run : m_runs) {
        if (run->scalars.name == name)
            return &run->scalars;
    }
    return nullptr;
}

QStringList ScalarTailer::watchedPaths() const
{
    QStringList paths{m_logdir};
    for (const auto &run : m_runs) {
        paths.append(run->scalars.directory);
        for (const EventFileReader &file : run->files)
            paths.append(file.path());
    }
    paths.removeDuplicates();
    return paths;
}

} // namespace trainyard::core
