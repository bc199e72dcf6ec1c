#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

namespace trainyard::core {

/// Replaces secret values with `[MASKED]` in every text that leaves a job (logs, records, exports).
///
/// Logs arrive line by line, so a value of several lines (a PEM key, a JSON key file) is masked
/// line by line, as GitLab does: every line of it that holds anything but punctuation. A value
/// (or a line of one) under MinimumLength characters cannot be masked without masking ordinary
/// words; unmaskable() says which, so that the caller warns or refuses to run.
class SecretMasker final
{
public:
    static constexpr qsizetype MinimumLength = 4;

    SecretMasker() = default;
    explicit SecretMasker(const QStringList &secrets);

    void add(const QString &secret);
    QString mask(const QString &text) const;
    bool isEmpty() const { return m_secrets.isEmpty(); }

    /// Why `value` cannot be masked safely, or empty. `multiLineOnly`: only the lines of a value
    /// of several lines (a short line would print part of a key); a short one-line value is the
    /// caller's to warn about.
    static QString unmaskable(const QString &value, bool multiLineOnly = false);

private:
    QStringList m_secrets; // longest first, so a secret that contains another is masked whole
};

} // namespace trainyard::core
