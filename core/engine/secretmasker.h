#pragma once

#include <QString>
#include <QStringList>

namespace trainyard::core {

/// Replaces secret values with `[MASKED]` in every text that leaves a job (logs, records, exports).
class SecretMasker final
{
public:
    SecretMasker() = default;
    explicit SecretMasker(QStringList secrets);

    void add(const QString &secret);
    QString mask(const QString &text) const;
    bool isEmpty() const { return m_secrets.isEmpty(); }

private:
    QStringList m_secrets; // longest first, so a secret that contains another is masked whole
};

} // namespace trainyard::core
