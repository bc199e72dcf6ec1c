#include "secretmasker.h"

#include <algorithm>

namespace trainyard::core {

SecretMasker::SecretMasker(QStringList secrets)
{
    for (const QString &s : secrets)
        add(s);
}

void SecretMasker::add(const QString &secret)
{
    // Very short values would mask ordinary words; GitLab refuses to mask values under 8 chars.
    // We mask from 4 up and rely on the caller to warn about short secrets.
    if (secret.size() < 4 || m_secrets.contains(secret))
        return;
    m_secrets << secret;
    std::sort(m_secrets.begin(), m_secrets.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
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

} // namespace trainyard::core
