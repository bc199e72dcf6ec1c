#include "buildlogcondenser.h"

#include <QRegularExpression>

namespace trainyard::core {

void BuildLogCondenser::closeStep()
{
    // A step that printed nothing of its own was cached (or is a FROM, whose " ---> " names the base).
    if (!m_pendingStep.isEmpty() && !m_stepShown && !m_stepIsFrom)
        ++m_cached;
    m_pendingStep.clear();
    m_stepShown = false;
    m_stepCached = false;
    m_stepIsFrom = false;
}

void BuildLogCondenser::addLine(const QString &line)
{
    static const QRegularExpression step(QStringLiteral("^Step \\d+/\\d+ : "));
    static const QRegularExpression result(QStringLiteral("^ ---> [0-9a-f]*$"));
    if (const auto m = step.match(line); m.hasMatch()) {
        closeStep();
        m_stepIsFrom = line.mid(m.capturedEnd()).startsWith(QLatin1String("FROM "), Qt::CaseInsensitive);
        if (!m_stepIsFrom)
            ++m_steps;
        m_pendingStep = line;
        return;
    }
    if (line.startsWith(QLatin1String("Successfully built ")) || line.startsWith(QLatin1String("Successfully tagged ")))
        closeStep(); // the last step is over
    if (!m_pendingStep.isEmpty() && !m_stepShown) {
        if (line == QLatin1String(" ---> Using cache")) {
            m_stepCached = true;
            return;
        }
        if (result.match(line).hasMatch() && (m_stepCached || line.trimmed() == QLatin1String("--->")))
            return; // the cached (or base) image's id
        m_emit(m_pendingStep);
        m_stepShown = true;
    }
    m_emit(line);
}

void BuildLogCondenser::finish(bool ok)
{
    if (!ok && !m_pendingStep.isEmpty() && !m_stepShown) {
        m_emit(m_pendingStep); // where it stopped
        m_stepShown = true;
    }
    closeStep();
    if (ok && m_cached > 0)
        m_emit(QStringLiteral("%1 of %2 build step(s) came from the build cache").arg(m_cached).arg(m_steps));
    m_steps = 0;
    m_cached = 0;
}

} // namespace trainyard::core
