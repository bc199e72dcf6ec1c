#include "secretmasker.h"

#include <QRegularExpression>

#include <algorithm>

namespace trainyard::core {

namespace {

bool isMultiLine(const QString &value)
{
    return value.contains(u'\n') || value.contains(u'\r');
}

QStringList splitLines(const QString &value)
{
    static const QRegularExpression lineBreak(QStringLiteral("\r\n|\r|\n"));
    return value.split(lineBreak);
}

/// Whether a line of a secret says anything of it: lines of only punctuation (`{`, `},`) do not.
bool isMeaningful(const QString &line)
{
    return std::any_of(line.begin(), line.end(), [](QChar c) { return c.isLetterOrNumber(); });
}

/// The lines of a value of several lines that carry something, trimmed.
QStringList meaningfulLines(const QString &value)
{
    QStringList out;
    for (const QString &line : splitLines(value))
        if (isMeaningful(line))
            out << line.trimmed();
    return out;
}

} // namespace

SecretMasker::SecretMasker(const QStringList &secrets)
{
    for (const QString &s : secrets)
        add(s);
}

void SecretMasker::add(const QString &secret)
{
    const QStringList parts = isMultiLine(secret) ? meaningfulLines(secret) : QStringList{secret};
    for (const QString &part : parts) {
        // Very short values would mask ordinary words (GitLab refuses to mask values under 8
        // characters); those are reported by unmaskable() when the secrets are loaded.
        if (part.size() < MinimumLength || m_secrets.contains(part))
            continue;
        m_secrets << part;
    }
    std::sort(m_secrets.begin(), m_secrets.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
}

QString SecretMasker::mask(const QString &text) const
{
    if (m_secrets.isEmpty())
        return text;
    QString out = text;
    for (const QString &s : m_secrets)
        out.replace(s, QStringLiteral("[MASKED]"));
    return out;
}

QString SecretMasker::unmaskable(const QString &value, bool multiLineOnly)
{
    if (!isMultiLine(value)) {
        if (multiLineOnly || value.isEmpty() || value.size() >= MinimumLength)
            return {};
        return QStringLiteral("it is shorter than %1 characters, so it cannot be masked: it will show in logs as it is")
            .arg(MinimumLength);
    }
    const QStringList lines = splitLines(value);
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (isMeaningful(lines[i]) && lines[i].trimmed().size() < MinimumLength)
            return QStringLiteral("line %1 of its %2 lines is shorter than %3 characters, so it cannot be masked "
                                  "without masking ordinary text")
                .arg(i + 1)
                .arg(lines.size())
                .arg(MinimumLength);
    }
    return {};
}

} // namespace trainyard::core
