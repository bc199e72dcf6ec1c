#pragma once

#include <QString>

#include <functional>

namespace trainyard::core {

/// Makes Docker's classic build output readable when most steps come from the build cache: a
/// step whose result was cached ("Step 3/6 : …", " ---> Using cache", " ---> 42c7533ae22f")
/// prints nothing, and finish() says how many were. Everything else is passed on at once, the
/// step's own line just before its first output, so a long RUN step still streams.
class BuildLogCondenser final
{
public:
    explicit BuildLogCondenser(std::function<void(const QString &)> emit)
        : m_emit(std::move(emit))
    {}

    void addLine(const QString &line);
    /// Ends the build: "N of M build step(s) came from the build cache" when any did (FROM is no
    /// build step). A failed build (`ok` false) shows the step it stopped in (Docker reports the
    /// error itself separately) and no summary.
    void finish(bool ok = true);

    int cachedSteps() const { return m_cached; }
    int steps() const { return m_steps; }

private:
    void closeStep();

    std::function<void(const QString &)> m_emit;
    QString m_pendingStep; ///< the current step's line, not printed yet
    bool m_stepShown = false;
    bool m_stepCached = false;
    bool m_stepIsFrom = false;
    int m_steps = 0;
    int m_cached = 0;
};

} // namespace trainyard::core
