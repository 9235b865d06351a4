// SPDX-License-Identifier: Apache-2.0
#include "pki/Certificate.h"

#include <QHash>
#include <QRegularExpression>

#include "pki/Asn1Time.h"
#include "pki/DistinguishedName.h"
#include "pki/Oids.h"
#include "pki/OpenSslError.h"
#include "pki/SubjectAltNames.h"
#include "util/Clock.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <QCoreApplication>
#include <QHostAddress>
#include <QTimeZone>

namespace ndes::pki {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("Certificate", text);
}

QString oidText(const ASN1_OBJECT* obj) {
    char buf[128];
    const int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    return n > 0 ? QString::fromLatin1(buf, qMin(n, int(sizeof buf) - 1)) : QString();
}

// The DER value of the extension with the given OID, or empty.
QByteArray extensionValue(X509* cert, const char* oid) {
    Asn1ObjectPtr obj(OBJ_txt2obj(oid, 1));
    if (!obj)
        return {};
    const int idx = X509_get_ext_by_OBJ(cert, obj.get(), -1);
    if (idx < 0)
        return {};
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
    return QByteArray(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)), ASN1_STRING_length(data));
}

QString asn1StringToQString(const ASN1_STRING* s) {
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n < 0)
        return {};
    QString out = QString::fromUtf8(reinterpret_cast<const char*>(utf8), n);
    OPENSSL_free(utf8);
    return out;
}

} // namespace

Certificate::Certificate(const Certificate& other) {
    *this = other;
}

Certificate& Certificate::operator=(const Certificate& other) {
    if (this != &other) {
        if (other.m_cert)
            X509_up_ref(other.m_cert.get());
        m_cert.reset(other.m_cert.get());
    }
    return *this;
}

Result<Certificate> Certificate::fromDer(const QByteArray& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    X509* raw = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    if (!raw)
        return openSslError(ErrorKind::BadReply, tr("The data is not a DER X.509 certificate."));
    return Certificate(X509Ptr(raw));
}

Result<Certificate> Certificate::fromPem(const QByteArray& pem) {
    BioPtr bio = memoryBio(pem);
    X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (!raw)
        return openSslError(ErrorKind::Usage, tr("The file does not hold a PEM certificate."));
    return Certificate(X509Ptr(raw));
}

Result<QList<Certificate>> Certificate::listFromPem(const QByteArray& pem) {
    BioPtr bio = memoryBio(pem);
    QList<Certificate> out;
    while (X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        out.append(Certificate(X509Ptr(raw)));
    ERR_clear_error(); // the read that ends the loop leaves "no start line"
    if (out.isEmpty())
        return makeError(ErrorKind::Usage, tr("The file holds no PEM certificate."));
    return out;
}

Certificate Certificate::fromBorrowed(X509* cert) {
    if (cert)
        X509_up_ref(cert);
    return Certificate(X509Ptr(cert));
}

QString Certificate::subject() const {
    return m_cert ? DistinguishedName::toString(X509_get_subject_name(m_cert.get())) : QString();
}

QString Certificate::issuer() const {
    return m_cert ? DistinguishedName::toString(X509_get_issuer_name(m_cert.get())) : QString();
}

QString Certificate::commonName() const {
    return m_cert ? DistinguishedName::commonName(X509_get_subject_name(m_cert.get())) : QString();
}

QString Certificate::serialHex() const {
    if (!m_cert)
        return {};
    BigNumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(m_cert.get()), nullptr));
    if (!bn)
        return {};
    char* hexText = BN_bn2hex(bn.get());
    QString out = QString::fromLatin1(hexText);
    OPENSSL_free(hexText);
    return out;
}

QDateTime Certificate::notBefore() const {
    return m_cert ? fromAsn1Time(X509_get0_notBefore(m_cert.get())) : QDateTime();
}

QDateTime Certificate::notAfter() const {
    return m_cert ? fromAsn1Time(X509_get0_notAfter(m_cert.get())) : QDateTime();
}

bool Certificate::isValidAt(const QDateTime& when) const {
    return m_cert && notBefore() <= when && when <= notAfter();
}

qint64 Certificate::daysLeft(const QDateTime& now) const {
    return daysBetween(now, notAfter());
}

bool Certificate::hasKeyUsageExtension() const {
    return m_cert && (X509_get_extension_flags(m_cert.get()) & EXFLAG_KUSAGE);
}

bool Certificate::hasKeyUsage(KeyUsage usage) const {
    return hasKeyUsageExtension() && (X509_get_key_usage(m_cert.get()) & static_cast<quint32>(usage));
}

QStringList Certificate::keyUsageNames() const {
    static const QList<QPair<KeyUsage, const char*>> names = {
        {KeyUsage::DigitalSignature, "digitalSignature"},
        {KeyUsage::NonRepudiation, "nonRepudiation"},
        {KeyUsage::KeyEncipherment, "keyEncipherment"},
        {KeyUsage::DataEncipherment, "dataEncipherment"},
        {KeyUsage::KeyAgreement, "keyAgreement"},
        {KeyUsage::KeyCertSign, "keyCertSign"},
        {KeyUsage::CrlSign, "cRLSign"},
    };
    QStringList out;
    for (const auto& [bit, name] : names)
        if (hasKeyUsage(bit))
            out << QString::fromLatin1(name);
    return out;
}

QStringList Certificate::extendedKeyUsages() const {
    QStringList out;
    if (!m_cert)
        return out;
    ExtKeyUsagePtr eku(
        static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(m_cert.get(), NID_ext_key_usage, nullptr, nullptr)));
    if (!eku)
        return out;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i)
        out << oidText(sk_ASN1_OBJECT_value(eku.get(), i));
    return out;
}

QString Certificate::extendedKeyUsageName(const QString& oid) {
    // The names Windows shows (certificate template "Application Policies").
    const QHash<QString, QString>& names = ekuNames();
    const auto it = names.constFind(oid);
    return it == names.constEnd() ? oid : QStringLiteral("%1 (%2)").arg(*it, oid);
}

QString Certificate::extendedKeyUsageOid(const QString& nameOrOid) {
    const QString wanted = nameOrOid.trimmed();
    // "Client Authentication (1.3.6.1.5.5.7.3.2)", as extendedKeyUsageName writes it, gives its OID back.
    static const QRegularExpression withOid(QStringLiteral("\\(([0-9.]+)\\)$"));
    if (const auto m = withOid.match(wanted); m.hasMatch())
        return m.captured(1);
    const QHash<QString, QString>& names = ekuNames();
    for (auto it = names.begin(); it != names.end(); ++it)
        if (it.value().compare(wanted, Qt::CaseInsensitive) == 0)
            return it.key();
    return wanted;
}

const QHash<QString, QString>& Certificate::ekuNames() {
    static const QHash<QString, QString> names{
        {QStringLiteral("1.3.6.1.5.5.7.3.1"), QStringLiteral("Server Authentication")},
        {QStringLiteral("1.3.6.1.5.5.7.3.2"), QStringLiteral("Client Authentication")},
        {QStringLiteral("1.3.6.1.5.5.7.3.3"), QStringLiteral("Code Signing")},
        {QStringLiteral("1.3.6.1.5.5.7.3.4"), QStringLiteral("Secure Email")},
        {QStringLiteral("1.3.6.1.5.5.7.3.8"), QStringLiteral("Time Stamping")},
        {QStringLiteral("1.3.6.1.5.5.7.3.9"), QStringLiteral("OCSP Signing")},
        {QStringLiteral("1.3.6.1.5.5.7.3.17"), QStringLiteral("IP security IKE")},
        {QStringLiteral("1.3.6.1.5.5.8.2.2"), QStringLiteral("IP security IKE intermediate")},
        {QStringLiteral("1.3.6.1.4.1.311.20.2.1"), QStringLiteral("Certificate Request Agent")},
        {QStringLiteral("1.3.6.1.4.1.311.20.2.2"), QStringLiteral("Smart Card Logon")},
        {QStringLiteral("1.3.6.1.4.1.311.10.3.4"), QStringLiteral("Encrypting File System")},
        {QStringLiteral("1.3.6.1.4.1.311.10.3.12"), QStringLiteral("Document Signing")},
        {QStringLiteral("1.3.6.1.5.2.3.5"), QStringLiteral("KDC Authentication")},
        {QStringLiteral("2.5.29.37.0"), QStringLiteral("Any Purpose")},
    };
    return names;
}

QStringList Certificate::extendedKeyUsageNames() const {
    QStringList out;
    for (const QString& oid : extendedKeyUsages())
        out << extendedKeyUsageName(oid);
    return out;
}

bool Certificate::hasExtendedKeyUsage(const char* oid) const {
    return extendedKeyUsages().contains(QString::fromLatin1(oid));
}

bool Certificate::isCa() const {
    return m_cert && X509_check_ca(m_cert.get()) > 0;
}

bool Certificate::isSelfSigned() const {
    return m_cert && (X509_get_extension_flags(m_cert.get()) & EXFLAG_SS);
}

QStringList Certificate::dnsNames() const {
    if (!m_cert)
        return {};
    GeneralNamesPtr names(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(m_cert.get(), NID_subject_alt_name, nullptr, nullptr)));
    return SubjectAltNames::dnsNames(names.get());
}

QStringList Certificate::ipAddresses() const {
    if (!m_cert)
        return {};
    GeneralNamesPtr names(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(m_cert.get(), NID_subject_alt_name, nullptr, nullptr)));
    return SubjectAltNames::ipAddresses(names.get());
}

QStringList Certificate::crlDistributionPoints() const {
    QStringList out;
    if (!m_cert)
        return out;
    std::unique_ptr<CRL_DIST_POINTS, OpenSslDeleter<CRL_DIST_POINTS_free>> points(
        static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(m_cert.get(), NID_crl_distribution_points, nullptr, nullptr)));
    if (!points)
        return out;
    for (int i = 0; i < sk_DIST_POINT_num(points.get()); ++i) {
        const DIST_POINT* dp = sk_DIST_POINT_value(points.get(), i);
        if (!dp->distpoint || dp->distpoint->type != 0)
            continue;
        const GENERAL_NAMES* names = dp->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
            const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, j);
            if (gn->type == GEN_URI)
                out << QString::fromUtf8(
                    reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier)),
                    ASN1_STRING_length(gn->d.uniformResourceIdentifier));
        }
    }
    return out;
}

QString Certificate::templateName() const {
    if (!m_cert)
        return {};
    const QByteArray der = extensionValue(m_cert.get(), oid::certificateTemplateName);
    if (der.isEmpty())
        return {};
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    Asn1TypePtr value(d2i_ASN1_TYPE(nullptr, &p, static_cast<long>(der.size())));
    if (!value)
        return {};
    switch (value->type) {
    case V_ASN1_BMPSTRING:
    case V_ASN1_UTF8STRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_IA5STRING:
        return asn1StringToQString(value->value.asn1_string);
    default:
        return {};
    }
}

TemplateInfo Certificate::templateInfo() const {
    TemplateInfo info;
    if (!m_cert)
        return info;
    const QByteArray der = extensionValue(m_cert.get(), oid::certificateTemplateInfo);
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    const unsigned char* const end = p + der.size();
    long len = 0;
    int tag = 0;
    int cls = 0;
    // SEQUENCE { templateID OID, templateMajorVersion INTEGER, templateMinorVersion INTEGER OPTIONAL }
    if (der.isEmpty() || (ASN1_get_object(&p, &len, &tag, &cls, end - p) & 0x80) || tag != V_ASN1_SEQUENCE)
        return info;
    const unsigned char* seqEnd = p + len;
    if (seqEnd > end)
        return info;
    Asn1ObjectPtr obj(d2i_ASN1_OBJECT(nullptr, &p, seqEnd - p));
    if (!obj)
        return info;
    info.oid = oidText(obj.get());
    for (int* field : {&info.majorVersion, &info.minorVersion}) {
        if (p >= seqEnd)
            break;
        Asn1IntegerPtr n(d2i_ASN1_INTEGER(nullptr, &p, seqEnd - p));
        if (!n)
            break;
        *field = static_cast<int>(ASN1_INTEGER_get(n.get()));
    }
    return info;
}

int Certificate::publicKeyBits() const {
    EVP_PKEY* key = publicKey();
    return key ? EVP_PKEY_get_bits(key) : 0;
}

EVP_PKEY* Certificate::publicKey() const {
    return m_cert ? X509_get0_pubkey(m_cert.get()) : nullptr;
}

QString Certificate::signatureAlgorithm() const {
    if (!m_cert)
        return {};
    return QString::fromLatin1(OBJ_nid2ln(X509_get_signature_nid(m_cert.get())));
}

QByteArray Certificate::digest(const EVP_MD* md) const {
    if (!m_cert || !md)
        return {};
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(m_cert.get(), md, buf, &n) != 1)
        return {};
    return QByteArray(reinterpret_cast<const char*>(buf), static_cast<qsizetype>(n));
}

QByteArray Certificate::sha1() const {
    return digest(EVP_sha1());
}

QByteArray Certificate::sha256() const {
    return digest(EVP_sha256());
}

QByteArray Certificate::md5() const {
    return digest(EVP_md5());
}

QString Certificate::hex(const QByteArray& digest) {
    return QString::fromLatin1(digest.toHex()).toUpper();
}

QByteArray Certificate::toDer() const {
    if (!m_cert)
        return {};
    unsigned char* out = nullptr;
    const int n = i2d_X509(m_cert.get(), &out);
    if (n <= 0)
        return {};
    QByteArray der(reinterpret_cast<const char*>(out), n);
    OPENSSL_free(out);
    return der;
}

QByteArray Certificate::toPem() const {
    if (!m_cert)
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), m_cert.get());
    return bioContents(bio.get());
}

bool operator==(const Certificate& a, const Certificate& b) {
    if (!a.m_cert || !b.m_cert)
        return a.m_cert == b.m_cert;
    return X509_cmp(a.m_cert.get(), b.m_cert.get()) == 0;
}

} // namespace ndes::pki
