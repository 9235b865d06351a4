// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "pki/OpenSslPtr.h"
#include "util/Result.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QStringList>

namespace ndes::pki {

// Key usage bits as X.509 defines them (values of OpenSSL's KU_* flags).
enum class KeyUsage : quint32 {
    DigitalSignature = 0x0080,
    NonRepudiation = 0x0040,
    KeyEncipherment = 0x0020,
    DataEncipherment = 0x0010,
    KeyAgreement = 0x0008,
    KeyCertSign = 0x0004,
    CrlSign = 0x0002,
};

// Microsoft certificate template information (extension 1.3.6.1.4.1.311.21.7).
struct TemplateInfo {
    QString oid;
    int majorVersion = -1;
    int minorVersion = -1;
};

// An X.509 certificate. Copies share the OpenSSL object (reference counted); it is never modified.
class Certificate {
public:
    Certificate() = default;
    explicit Certificate(X509Ptr cert)
        : m_cert(std::move(cert)) {}
    Certificate(const Certificate& other);
    Certificate& operator=(const Certificate& other);
    Certificate(Certificate&&) noexcept = default;
    Certificate& operator=(Certificate&&) noexcept = default;

    static Result<Certificate> fromDer(const QByteArray& der);
    static Result<Certificate> fromPem(const QByteArray& pem);
    // All certificates in a PEM bundle (at least one, else an error).
    static Result<QList<Certificate>> listFromPem(const QByteArray& pem);
    // Takes a new reference to an OpenSSL certificate owned elsewhere.
    static Certificate fromBorrowed(X509* cert);

    [[nodiscard]] bool isNull() const { return !m_cert; }
    [[nodiscard]] X509* get() const { return m_cert.get(); }

    [[nodiscard]] QString subject() const;
    [[nodiscard]] QString issuer() const;
    [[nodiscard]] QString commonName() const;
    [[nodiscard]] QString serialHex() const;
    [[nodiscard]] QDateTime notBefore() const;
    [[nodiscard]] QDateTime notAfter() const;
    [[nodiscard]] bool isValidAt(const QDateTime& when) const;
    [[nodiscard]] qint64 daysLeft(const QDateTime& now) const;

    [[nodiscard]] bool hasKeyUsageExtension() const;
    [[nodiscard]] bool hasKeyUsage(KeyUsage usage) const;
    [[nodiscard]] QStringList keyUsageNames() const;
    // The EKUs as people know them, "Client Authentication (1.3.6.1.5.5.7.3.2)"; unknown ones as their OID.
    [[nodiscard]] QStringList extendedKeyUsageNames() const;
    [[nodiscard]] static QString extendedKeyUsageName(const QString& oid);
    // The OID of an EKU named as Windows names it ("Client Authentication", any case); an OID or an unknown name
    // comes back as given.
    [[nodiscard]] static QString extendedKeyUsageOid(const QString& nameOrOid);
    [[nodiscard]] QStringList extendedKeyUsages() const; // dotted OIDs
    [[nodiscard]] bool hasExtendedKeyUsage(const char* oid) const;
    [[nodiscard]] bool isCa() const;
    [[nodiscard]] bool isSelfSigned() const;
    [[nodiscard]] QStringList dnsNames() const;
    [[nodiscard]] QStringList ipAddresses() const;
    [[nodiscard]] QStringList crlDistributionPoints() const; // URIs of the full names (http, ldap, file)
    [[nodiscard]] QString templateName() const;              // empty when the extension is absent
    [[nodiscard]] TemplateInfo templateInfo() const;         // oid empty when absent
    [[nodiscard]] int publicKeyBits() const;
    [[nodiscard]] EVP_PKEY* publicKey() const; // owned by the certificate
    [[nodiscard]] QString signatureAlgorithm() const;

    [[nodiscard]] QByteArray sha1() const;
    [[nodiscard]] QByteArray sha256() const;
    [[nodiscard]] QByteArray md5() const;
    // Upper-case hex with no separators, the form NDES and certutil print.
    static QString hex(const QByteArray& digest);

    [[nodiscard]] QByteArray toDer() const;
    [[nodiscard]] QByteArray toPem() const;

    friend bool operator==(const Certificate& a, const Certificate& b);

private:
    static const QHash<QString, QString>& ekuNames();
    [[nodiscard]] QByteArray digest(const EVP_MD* md) const;
    X509Ptr m_cert;
};

} // namespace ndes::pki
