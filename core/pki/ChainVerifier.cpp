// SPDX-License-Identifier: Apache-2.0
#include "pki/ChainVerifier.h"

#include <openssl/err.h>

#include <QCoreApplication>

namespace ndes::pki {

Status ChainVerifier::verify(const Certificate& leaf, const QDateTime& at) const {
    if (leaf.isNull())
        return makeError(ErrorKind::Verification,
                         QCoreApplication::translate("ChainVerifier", "No certificate to verify."));
    if (m_anchors.isEmpty())
        return makeError(ErrorKind::Verification,
                         QCoreApplication::translate("ChainVerifier", "No trusted CA certificate to verify against."));
    X509StorePtr store(X509_STORE_new());
    for (const Certificate& a : m_anchors)
        X509_STORE_add_cert(store.get(), a.get());
    X509StackPtr untrusted(sk_X509_new_null());
    for (const Certificate& c : m_intermediates) {
        X509_up_ref(c.get());
        sk_X509_push(untrusted.get(), c.get());
    }
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1)
        return makeError(ErrorKind::Crypto,
                         QCoreApplication::translate("ChainVerifier", "Could not set up chain verification."));
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at.toSecsSinceEpoch()));
    const int rc = X509_verify_cert(ctx.get());
    ERR_clear_error();
    if (rc == 1)
        return {};
    const int err = X509_STORE_CTX_get_error(ctx.get());
    Error e = makeError(
        ErrorKind::Verification,
        QCoreApplication::translate("ChainVerifier", "The certificate \"%1\" does not chain to the trusted CA: %2.")
            .arg(leaf.subject(), QString::fromLatin1(X509_verify_cert_error_string(err))));
    e.detail = QStringLiteral("X509_V_ERR %1 at depth %2").arg(err).arg(X509_STORE_CTX_get_error_depth(ctx.get()));
    return e;
}

} // namespace ndes::pki
