#include "sha256.h"

#include <openssl/evp.h>

namespace trainyard::core {

struct Sha256::Context
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256()
    : m_context(std::make_unique<Context>())
{
    // EVP_sha256 cannot fail to initialise short of running out of memory, which Qt does not survive either.
    EVP_DigestInit_ex(m_context->ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256() = default;

void Sha256::add(const void *data, qsizetype size)
{
    EVP_DigestUpdate(m_context->ctx, data, size_t(size));
}

QByteArray Sha256::hex()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context->ctx, digest, &length);
    return QByteArray(reinterpret_cast<const char *>(digest), qsizetype(length)).toHex();
}

QByteArray Sha256::hexOf(const QByteArray &data)
{
    Sha256 hash;
    hash.add(data.constData(), data.size());
    return hash.hex();
}

} // namespace trainyard::core
