#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

namespace trainyard::core {

/// SHA-256 (OpenSSL: its SHA extensions where the CPU has them), fed chunk by chunk: the one
/// hash of artifacts, data versions and build contexts. Not thread-safe; one per stream.
class Sha256 final
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void add(const void *data, qsizetype size);
    /// The digest of everything added, as 64 lower-case hex digits; ends the stream.
    QByteArray hex();

    /// The hex digest of `data`.
    static QByteArray hexOf(const QByteArray &data);

private:
    struct Context;
    std::unique_ptr<Context> m_context;
};

} // namespace trainyard::core
