// SPDX-License-Identifier: Apache-2.0
#include "NdesLabServer.h"

#include "LabClock.h"
#include "SyslogSender.h"
#include "WindowsAuthenticator.h"
#include "pki/CertificateBuilder.h"
#include "pki/ChainVerifier.h"
#include "pki/Crl.h"
#include "pki/Oids.h"
#include "pki/Pkcs7CertsOnly.h"
#include "scep/CertRep.h"
#include "scep/PkiRequest.h"
#include "util/Clock.h"

#include <openssl/rand.h>

#include <QCoreApplication>

#include <QRegularExpression>
#include <QUrlQuery>
#include <cstdio>
#include <cstring>
#include <optional>

namespace ndes::lab {

using namespace ndes::pki;
using namespace ndes::scep;

// What one CertRep answer carries.
struct CertRepSpec {
    const PkiRequest* request = nullptr;
    PkiStatus status = PkiStatus::Failure;
    FailInfo failInfo = FailInfo::BadRequest;
    Certificate issued;
};

namespace {

LabHttpResponse contentResponse(const QByteArray& type, QByteArray body) {
    LabHttpResponse r;
    r.headers.append(qMakePair(QByteArray("Content-Type"), type));
    r.body = std::move(body);
    return r;
}

ContentCipher cipherFromOid(const QString& oid) {
    if (oid == QLatin1String("2.16.840.1.101.3.4.1.2"))
        return ContentCipher::Aes128Cbc;
    if (oid == QLatin1String("2.16.840.1.101.3.4.1.42"))
        return ContentCipher::Aes256Cbc;
    return ContentCipher::Des3Cbc; // what NDES answers older clients with
}

DigestChoice digestFromName(const QString& name) {
    if (name == QLatin1String("SHA512"))
        return DigestChoice::Sha512;
    if (name == QLatin1String("SHA1"))
        return DigestChoice::Sha1;
    return DigestChoice::Sha256;
}

const QList<QPair<QString, QString>> noData;

QList<QPair<QString, QString>> errorData(const QString& code, const QString& message) {
    return {{QStringLiteral("ErrorCode"), code}, {QStringLiteral("ErrorMessage"), message}};
}

// A header value as it may be quoted in an error page: printable ASCII, at most 80 characters.
QString shown(const QByteArray& value) {
    QString out;
    for (const char ch : value.left(80))
        out += ch >= 0x20 && ch < 0x7f ? QLatin1Char(ch) : QLatin1Char('?');
    return value.size() > 80 ? out + QStringLiteral("...") : out;
}

// True when `host` (a Host header) names the lab itself: a 127.0.0.0/8 literal, localhost or [::1], with the port
// the request came in on (or none when that port is the scheme's default, as clients then omit it).
bool isOwnLoopbackHost(const QByteArray& host, quint16 localPort, bool https) {
    static const QRegularExpression form(
        QStringLiteral(
            "^(?:127\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})|localhost|\\[::1\\])(?::([0-9]{1,5}))?\\z"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = form.match(QString::fromLatin1(host));
    if (!m.hasMatch() || localPort == 0)
        return false;
    for (int octet = 1; octet <= 3; ++octet)
        if (!m.captured(octet).isEmpty() && m.captured(octet).toInt() > 255)
            return false;
    const int port = m.captured(4).isEmpty() ? (https ? 443 : 80) : m.captured(4).toInt();
    return port == localPort;
}

// The control interface changes the lab (faults, approvals, its clock), so a web page open in a browser on this
// machine must not be able to drive it: POST only (a link, an image or a redirect cannot send one); the Host header
// must name the lab's own loopback address and port (DNS rebinding sends the attacker's host name); and no Origin
// header or cross-site Sec-Fetch-Site (a cross-site form POST keeps Host 127.0.0.1, but browsers add those).
// Returns the refusal, or nothing when the request may go on.
std::optional<LabHttpResponse> refuseControlRequest(const LabHttpRequest& request, bool https) {
    const QString howTo = QStringLiteral("Use ndes-lab fault|approve|deny --url URL, or curl -X POST.");
    if (request.method != "POST") {
        LabHttpResponse r = iisError(
            405, "Method Not Allowed",
            QStringLiteral("ndes-lab control requests must use POST, not %1. %2").arg(shown(request.method), howTo));
        r.headers.append(qMakePair(QByteArray("Allow"), QByteArray("POST")));
        return r;
    }
    const QByteArray host = request.headers.value("host");
    if (!isOwnLoopbackHost(host, request.localPort, https))
        return iisError(403, "Forbidden",
                        QStringLiteral("ndes-lab control requests must be addressed to the lab's own loopback address: "
                                       "the Host header must be 127.0.0.1:%1 (or another 127.x.x.x address), "
                                       "localhost:%1 or [::1]:%1, but it was %2.")
                            .arg(QString::number(request.localPort),
                                 request.headers.contains("host") ? QLatin1Char('"') + shown(host) + QLatin1Char('"')
                                                                  : QStringLiteral("missing")));
    if (request.headers.contains("origin"))
        return iisError(403, "Forbidden",
                        QStringLiteral("ndes-lab control requests from web pages are refused: this one carries an "
                                       "Origin header (\"%1\"), which browsers add to requests that pages send. %2")
                            .arg(shown(request.headers.value("origin")), howTo));
    if (request.headers.contains("sec-fetch-site")) {
        const QByteArray site = request.headers.value("sec-fetch-site").toLower();
        if (site != "none" && site != "same-origin")
            return iisError(403, "Forbidden",
                            QStringLiteral("ndes-lab control requests from web pages are refused: this one carries "
                                           "Sec-Fetch-Site: %1 (only none and same-origin are accepted). %2")
                                .arg(shown(request.headers.value("sec-fetch-site")), howTo));
    }
    return std::nullopt;
}

} // namespace

bool LabFaults::apply(const QString& specText) {
    QString spec = specText.trimmed();
    const bool clear = spec.startsWith(QLatin1Char('-'));
    if (clear)
        spec.remove(0, 1);
    const QString name = spec.section(QLatin1Char(':'), 0, 0);
    const QString value = spec.section(QLatin1Char(':'), 1);
    if (name == QLatin1String("ra-expired"))
        raExpired = !clear;
    else if (name == QLatin1String("template-missing"))
        templateMissing = !clear;
    else if (name == QLatin1String("app-pool-stopped"))
        appPoolStopped = !clear;
    else if (name == QLatin1String("hang"))
        hang = !clear;
    else if (name == QLatin1String("cache-full"))
        cacheFull = !clear;
    else if (name == QLatin1String("garbage-reply"))
        garbageReply = !clear;
    else if (name == QLatin1String("stale-crl"))
        staleCrl = !clear;
    else if (name == QLatin1String("slow")) {
        bool ok = false;
        const int ms = value.toInt(&ok);
        if (!clear && (!ok || ms < 0 || ms > 600000))
            return false;
        slowMs = clear ? 0 : ms;
    } else if (name == QLatin1String("none")) {
        *this = LabFaults();
    } else {
        return false;
    }
    return true;
}

QStringList LabFaults::active() const {
    QStringList out;
    if (raExpired)
        out << QStringLiteral("ra-expired");
    if (templateMissing)
        out << QStringLiteral("template-missing");
    if (appPoolStopped)
        out << QStringLiteral("app-pool-stopped");
    if (slowMs > 0)
        out << QStringLiteral("slow:%1").arg(slowMs);
    if (hang)
        out << QStringLiteral("hang");
    if (cacheFull)
        out << QStringLiteral("cache-full");
    if (garbageReply)
        out << QStringLiteral("garbage-reply");
    if (staleCrl)
        out << QStringLiteral("stale-crl");
    return out;
}

Result<std::unique_ptr<NdesLabServer>> NdesLabServer::create(const Options& options, QObject* parent) {
    auto pki = LabPki::openOrCreate(options.pki);
    if (!pki)
        return pki.error();
    LabUsers users;
    if (!options.usersFile.isEmpty()) {
        auto loaded = LabUsers::load(options.usersFile);
        if (!loaded)
            return loaded.error();
        users = std::move(*loaded);
    }
    std::unique_ptr<WindowsAuthenticator> auth;
    if (!users.isEmpty()) {
        auto created = WindowsAuthenticator::create(users, options.keytab);
        if (!created)
            return created.error();
        auth = std::move(*created);
    }
    std::unique_ptr<NdesLabServer> server(new NdesLabServer(options, std::move(*pki), std::move(users), parent));
    server->m_auth = std::move(auth);
    return server;
}

NdesLabServer::NdesLabServer(const Options& options, LabPki pki, LabUsers users, QObject* parent)
    : QObject(parent)
    , m_options(options)
    , m_pki(std::move(pki))
    , m_users(std::move(users))
    , m_passwords(options.settings.passwordMax, options.settings.passwordValidity, options.settings.passwordLength,
                  options.settings.useSinglePassword)
    , m_ca(&m_pki)
    , m_events(m_pki.hostName + QStringLiteral(".lab.example"))
    , m_faults(options.faults) {
    m_events.setXmlFile(options.eventsXml);
    if (!options.syslog.isEmpty()) {
        const qsizetype colon = options.syslog.lastIndexOf(QLatin1Char(':'));
        m_events.setSyslog(new SyslogSender(QHostAddress(options.syslog.left(colon)),
                                            quint16(options.syslog.mid(colon + 1).toUInt()), this));
    }
    for (const QString& t : {options.settings.signatureTemplate, options.settings.encryptionTemplate,
                             options.settings.generalPurposeTemplate})
        m_ca.publish(t);
    for (const QString& t : options.unpublishedTemplates)
        m_ca.unpublish(t);
    m_ca.setManualApproval(options.settings.manualApproval);
    m_http = new LabHttpServer([this](const LabHttpRequest& r) { return handle(r); }, this);
    connect(m_http, &LabHttpServer::connectionClosed, this, [this](quint64 id) {
        m_authenticated.remove(id);
        if (m_auth)
            m_auth->dropConnection(id);
    });
    LabHttpServer::Limits limits;
    limits.headerTimeoutMs = options.readTimeoutMs;
    m_http->setLimits(limits);
    if (options.https) {
        // The TLS certificate is issued by the lab CA for the loopback names.
        auto tlsKey = PrivateKey::generateRsa(2048);
        const QDateTime now = Clock::instance().now();
        const bool named = !options.tlsName.isEmpty();
        const QDateTime tlsNotAfter = now.addDays(options.tlsDays);
        auto tlsCert =
            tlsKey ? CertificateBuilder()
                         .setSubject(QStringLiteral("CN=%1,O=NDES Console Lab")
                                         .arg(named ? options.tlsName : QStringLiteral("localhost")))
                         .setDnsNames({named ? options.tlsName : QStringLiteral("localhost")})
                         .setIpAddresses(named ? QStringList()
                                               : QStringList{QStringLiteral("127.0.0.1"), QStringLiteral("::1")})
                         .setValidity(options.tlsDays > 0 ? now.addDays(-1) : tlsNotAfter.addDays(-365), tlsNotAfter)
                         .setKeyUsage(static_cast<quint32>(KeyUsage::DigitalSignature) |
                                      static_cast<quint32>(KeyUsage::KeyEncipherment))
                         .setExtendedKeyUsages({QString::fromLatin1(oid::serverAuth)})
                         .build(tlsKey->get(), m_pki.issuingKey, m_pki.issuing)
                   : Result<Certificate>(tlsKey.error());
        if (tlsCert)
            m_http->setTls(QSslCertificate(tlsCert->toPem()), QSslKey(tlsKey->toPem().bytes(), QSsl::Rsa, QSsl::Pem),
                           {QSslCertificate(m_pki.issuing.toPem())});
    }
    m_events.log(1, LabEventLog::Level::Information, noData); // the service started
}

NdesLabServer::~NdesLabServer() = default;

bool NdesLabServer::listen(const QHostAddress& address, quint16 port, QString* error) {
    if (!m_http->listen(address, port, error))
        return false;
    // The CRLs are published on this server, as an AD CS CA publishes them under http://HOST/CertEnroll/.
    if (Status s = m_pki.setCrlBaseUrl(baseUrl() + QStringLiteral("/CertEnroll/")); !s) {
        if (error)
            *error = s.error().message;
        return false;
    }
    return true;
}

LabHttpResponse NdesLabServer::handleCrl(const QString& path) {
    const QString file = QUrl::fromPercentEncoding(path.mid(int(std::strlen("/certenroll/"))).toUtf8());
    const Certificate* ca = nullptr;
    const PrivateKey* key = nullptr;
    if (file.compare(LabPki::crlFileName(m_pki.issuing), Qt::CaseInsensitive) == 0) {
        ca = &m_pki.issuing;
        key = &m_pki.issuingKey;
    } else if (file.compare(LabPki::crlFileName(m_pki.root), Qt::CaseInsensitive) == 0) {
        ca = &m_pki.root;
        key = &m_pki.rootKey;
    } else {
        return iisError(404, "Not Found", QStringLiteral("No such CRL: %1").arg(file));
    }
    const QDateTime now = Clock::instance().now();
    CachedCrl& cached = m_crls[file.toLower()];
    const qint64 age = cached.builtAt.isValid() ? cached.builtAt.secsTo(now) : -1;
    if (cached.der.isEmpty() || cached.stale != m_faults.staleCrl || age < 0 || age > 60) {
        // AD CS: a base CRL valid one week; a stale one was last published nine days ago.
        Crl::BuildParams params;
        params.thisUpdate = m_faults.staleCrl ? now.addDays(-9) : now.addSecs(-3600);
        params.nextUpdate = m_faults.staleCrl ? now.addDays(-2) : now.addDays(7);
        params.crlNumber = ++m_crlNumber;
        auto crl = Crl::build(*ca, *key, params);
        if (!crl)
            return iisError(500, "Internal Server Error", crl.error().message);
        cached = {crl->toDer(), now, m_faults.staleCrl};
    }
    return contentResponse("application/pkix-crl", cached.der);
}

bool NdesLabServer::raUsable() const {
    const QDateTime now = Clock::instance().now();
    return !m_faults.raExpired && m_pki.raSign.isValidAt(now) && m_pki.raEnc.isValidAt(now);
}

LabHttpResponse NdesLabServer::handle(const LabHttpRequest& request) {
    const QString path = request.url.path().toLower();
    if (path.startsWith(QLatin1String("/ndes-lab/control/")))
        return handleControl(request);

    // CertEnroll is its own virtual directory: it keeps serving when the SCEP application pool is stopped.
    if (path.startsWith(QLatin1String("/certenroll/")) && path.endsWith(QLatin1String(".crl"))) {
        LabHttpResponse crl = handleCrl(path);
        crl.delayMs = m_faults.slowMs;
        crl.hang = m_faults.hang;
        return crl;
    }
    LabHttpResponse r;
    if (m_faults.appPoolStopped) {
        r = iisError(503, "Service Unavailable", QStringLiteral("HTTP Error 503. The service is unavailable."));
    } else if (path == QLatin1String("/certsrv/mscep/mscep.dll") ||
               path == QLatin1String("/certsrv/mscep/mscep.dll/pkiclient.exe")) {
        r = handleScep(request);
    } else if (path == QLatin1String("/certsrv/mscep_admin") || path == QLatin1String("/certsrv/mscep_admin/") ||
               path == QLatin1String("/certsrv/mscep_admin/default.aspx")) {
        r = handleAdmin(request);
    } else {
        r = iisError(404, "Not Found",
                     QStringLiteral("The resource you are looking for has been removed, had its name "
                                    "changed, or is temporarily unavailable."));
    }
    r.delayMs = m_faults.slowMs;
    r.hang = m_faults.hang;
    return r;
}

LabHttpResponse NdesLabServer::handleScep(const LabHttpRequest& request) {
    const QUrlQuery query(request.url);
    QString operation;
    for (const auto& [k, v] : query.queryItems(QUrl::FullyDecoded))
        if (k.compare(QLatin1String("operation"), Qt::CaseInsensitive) == 0)
            operation = v;
    if (operation.isEmpty())
        return contentResponse("text/html", QByteArray("<HTML><Head><Title>Network Device Enrollment Service</Title>"
                                                       "</Head><Body>Network Device Enrollment Service</Body></HTML>"));
    if (operation.compare(QLatin1String("GetCACaps"), Qt::CaseInsensitive) == 0)
        return contentResponse("text/plain", m_options.settings.capabilities.join(QLatin1Char('\n')).toLatin1());
    if (operation.compare(QLatin1String("GetCACert"), Qt::CaseInsensitive) == 0) {
        QList<Certificate> ra{m_pki.raEnc, m_pki.raSign};
        if (m_faults.raExpired) {
            // NDES with expired RA certificates still hands them out; the probe and the devices see the dates.
            if (m_expiredRa.isEmpty()) {
                auto copies = m_pki.expiredRaCopies();
                if (copies)
                    m_expiredRa = *copies;
            }
            if (m_expiredRa.size() == 2)
                ra = m_expiredRa;
        }
        auto bundle = Pkcs7CertsOnly::build({ra[0], m_pki.root, ra[1], m_pki.issuing});
        if (!bundle) {
            m_events.log(7, LabEventLog::Level::Error, errorData(QStringLiteral("0x80004005"), bundle.error().message));
            return iisError(500, "Internal Server Error", bundle.error().message);
        }
        return contentResponse("application/x-x509-ca-ra-cert", *bundle);
    }
    if (operation.compare(QLatin1String("PKIOperation"), Qt::CaseInsensitive) == 0) {
        if (request.method == "POST")
            return handlePkiOperation(request.body);
        QString message = query.queryItemValue(QStringLiteral("message"), QUrl::FullyDecoded);
        message.replace(QLatin1Char(' '), QLatin1Char('+')); // clients that forgot to encode '+'
        return handlePkiOperation(QByteArray::fromBase64(message.toLatin1()));
    }
    return iisError(400, "Bad Request", QStringLiteral("Unknown SCEP operation"));
}

LabHttpResponse NdesLabServer::certRep(const CertRepSpec& spec) {
    CertRep::BuildParams b;
    b.status = spec.status;
    b.failInfo = spec.failInfo;
    b.transactionId = spec.request->transactionId;
    b.recipientNonce = spec.request->senderNonce;
    b.senderNonce = PkiRequest::newNonce();
    b.recipient = spec.request->signer;
    b.cipher = cipherFromOid(spec.request->cipherOid);
    b.digest = digestFromName(spec.request->digestAlgorithm);
    b.signer = m_pki.raSign;
    b.signerKey = m_pki.raSignKey;
    b.extraCertificates = {m_pki.raSign};
    if (spec.status == PkiStatus::Success)
        b.issued = {spec.issued};
    auto der = CertRep::build(b);
    if (!der)
        return iisError(500, "Internal Server Error", der.error().message);
    return contentResponse("application/x-pki-message", *der);
}

LabHttpResponse NdesLabServer::handlePkiOperation(const QByteArray& message) {
    if (m_faults.garbageReply) {
        QByteArray junk(512, '\0');
        RAND_bytes(reinterpret_cast<unsigned char*>(junk.data()), int(junk.size()));
        return contentResponse("application/x-pki-message", junk);
    }
    if (!raUsable()) {
        m_events.log(10, LabEventLog::Level::Error,
                     errorData(QStringLiteral("0x800b0101"),
                               QStringLiteral("A required certificate is not within its validity period when "
                                              "verifying against the current system clock or the timestamp in the "
                                              "signed file.")));
        return iisError(500, "Internal Server Error", QStringLiteral("The RA certificates cannot be used."));
    }
    auto parsed = PkiRequest::parseOuter(message);
    if (!parsed) {
        m_events.log(message.isEmpty() ? 16 : 17, LabEventLog::Level::Error,
                     errorData(QStringLiteral("0x80091004"), QStringLiteral("Invalid cryptographic message type.")));
        return iisError(500, "Internal Server Error", parsed.error().message);
    }
    PkiRequest& req = *parsed;
    if (Status s = req.decryptInner(m_pki.raEncKey, m_pki.raEnc); !s) {
        m_events.log(18, LabEventLog::Level::Error,
                     errorData(QStringLiteral("0x80090005"), QStringLiteral("Bad Data.")));
        return certRep({&req, PkiStatus::Failure, FailInfo::BadMessageCheck, {}});
    }

    const QDateTime now = Clock::instance().now();
    if (req.type == MessageType::CertPoll) {
        const auto d = m_ca.poll(req.transactionId);
        if (d.outcome == LabCertificateAuthority::Outcome::Issued)
            return certRep({&req, PkiStatus::Success, FailInfo::BadRequest, d.certificate});
        if (d.outcome == LabCertificateAuthority::Outcome::Pending)
            return certRep({&req, PkiStatus::Pending, FailInfo::BadRequest, {}});
        return certRep({&req, PkiStatus::Failure, FailInfo::BadCertId, {}});
    }
    if (req.type != MessageType::PKCSReq && req.type != MessageType::RenewalReq)
        return certRep({&req, PkiStatus::Failure, FailInfo::BadRequest, {}});

    if (req.type == MessageType::RenewalReq) {
        // A renewal is signed with a still-valid certificate this CA issued.
        const Status chain = ChainVerifier({m_pki.issuing}).verify(req.signer, now);
        if (!chain || req.signer.isSelfSigned())
            return certRep({&req, PkiStatus::Failure, FailInfo::BadRequest, {}});
    } else if (m_options.settings.enforcePassword) {
        const SecretBytes challenge = req.csr.challengePassword();
        if (m_passwords.consume(challenge.bytes(), now) != PasswordCache::Verdict::Accepted) {
            m_events.log(29, LabEventLog::Level::Error,
                         errorData(QStringLiteral("0x80070057"),
                                   QStringLiteral("The password in the certificate request cannot be verified. It "
                                                  "may have been used already. Obtain a new password to submit with "
                                                  "this request.")));
            return certRep({&req, PkiStatus::Failure, FailInfo::BadRequest, {}});
        }
    }

    // The template follows the request's key usage, as NDES picks it from the three MSCEP values.
    const quint32 ku = req.csr.keyUsage();
    const bool sign = ku & static_cast<quint32>(KeyUsage::DigitalSignature);
    const bool encipher =
        ku & (static_cast<quint32>(KeyUsage::KeyEncipherment) | static_cast<quint32>(KeyUsage::DataEncipherment));
    const NdesSettings& s = m_options.settings;
    const QString templ = sign && !encipher   ? s.signatureTemplate
                          : encipher && !sign ? s.encryptionTemplate
                                              : s.generalPurposeTemplate;
    if (m_faults.templateMissing || !m_ca.isPublished(templ)) {
        m_events.log(31, LabEventLog::Level::Error,
                     errorData(QStringLiteral("0x80094800"),
                               QStringLiteral("The requested certificate template is not supported by this CA. "
                                              "Template: %1")
                                   .arg(templ)));
        return certRep({&req, PkiStatus::Failure, FailInfo::BadRequest, {}});
    }
    const auto d = m_ca.submit(req.transactionId, req.csr, templ);
    switch (d.outcome) {
    case LabCertificateAuthority::Outcome::Issued:
        return certRep({&req, PkiStatus::Success, FailInfo::BadRequest, d.certificate});
    case LabCertificateAuthority::Outcome::Pending:
        return certRep({&req, PkiStatus::Pending, FailInfo::BadRequest, {}});
    case LabCertificateAuthority::Outcome::Refused:
        m_events.log(31, LabEventLog::Level::Error, errorData(QStringLiteral("0x80094800"), d.reason));
        break;
    }
    return certRep({&req, PkiStatus::Failure, FailInfo::BadRequest, {}});
}

LabHttpResponse NdesLabServer::handleAdmin(const LabHttpRequest& request) {
    const LabUsers::User* user = nullptr;
    QByteArray mutualToken; // Negotiate's last token, sent with the answer
    if (!m_users.isEmpty()) {
        const QByteArray auth = request.headers.value("authorization");
        const qsizetype space = auth.indexOf(' ');
        const QByteArray scheme = space > 0 ? auth.left(space).toLower() : auth.toLower();
        const QByteArray token = space > 0 ? auth.mid(space + 1).trimmed() : QByteArray();
        auto unauthorized = [this](const QByteArray& challenge = {}) {
            LabHttpResponse r = iisError(401, "Unauthorized",
                                         QStringLiteral("401 - Unauthorized: Access is denied due "
                                                        "to invalid credentials."));
            if (!challenge.isEmpty()) {
                r.headers.append(qMakePair(QByteArray("WWW-Authenticate"), challenge));
                return r;
            }
            r.headers.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Negotiate")));
            r.headers.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("NTLM")));
            if (m_options.basicAuth)
                r.headers.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Basic realm=\"ndes-lab\"")));
            return r;
        };
        auto accountToUser = [this](const QString& account) -> const LabUsers::User* {
            const qsizetype slash = account.indexOf(QLatin1Char('\\'));
            if (slash >= 0)
                return m_users.find(account.left(slash), account.mid(slash + 1));
            return m_users.find({}, account.section(QLatin1Char('@'), 0, 0));
        };
        if (scheme == "basic" && m_options.basicAuth) {
            QByteArray decoded = QByteArray::fromBase64(token);
            const qsizetype colon = decoded.indexOf(':');
            if (colon > 0 && !m_users.check(QString::fromUtf8(decoded.left(colon)), decoded.mid(colon + 1), &user))
                user = nullptr;
            SecretBytes::cleanse(decoded);
        } else if ((scheme == "ntlm" || scheme == "negotiate") && m_auth && !token.isEmpty()) {
            const auto kind =
                scheme == "ntlm" ? WindowsAuthenticator::Scheme::Ntlm : WindowsAuthenticator::Scheme::Negotiate;
            const auto step = m_auth->accept(request.connectionId, kind, QByteArray::fromBase64(token));
            const QByteArray name = scheme == "ntlm" ? QByteArray("NTLM") : QByteArray("Negotiate");
            if (step.state == WindowsAuthenticator::Step::State::Continue)
                return unauthorized(name + ' ' + step.outputToken.toBase64());
            if (step.state == WindowsAuthenticator::Step::State::Failed) {
                std::fprintf(stderr, "ndes-lab: %s authentication failed: %s\n", name.constData(),
                             step.error.toLocal8Bit().constData());
                return unauthorized();
            }
            user = accountToUser(step.account);
            if (!user)
                std::fprintf(stderr, "ndes-lab: authenticated account %s is not in the users file\n",
                             step.account.toLocal8Bit().constData());
            if (user) {
                m_authenticated.insert(request.connectionId, step.account);
                if (!step.outputToken.isEmpty())
                    mutualToken = name + ' ' + step.outputToken.toBase64();
            }
        } else if (auth.isEmpty() && m_authenticated.contains(request.connectionId)) {
            user = accountToUser(m_authenticated.value(request.connectionId));
        }
        if (!user)
            return unauthorized();
    }
    const AdminPage::Encoding enc = m_options.adminEncoding;
    LabHttpResponse r;
    r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("text/html")));
    r.headers.append(qMakePair(QByteArray("Cache-Control"), QByteArray("private")));
    if (!mutualToken.isEmpty())
        r.headers.append(qMakePair(QByteArray("WWW-Authenticate"), mutualToken));
    if (user && !user->mayEnroll) {
        m_events.log(6, LabEventLog::Level::Error,
                     errorData(QStringLiteral("0x80070005"), QStringLiteral("Access is denied.")));
        r.body = AdminPage::insufficientPermission(enc);
        return r;
    }
    if (m_faults.cacheFull) {
        r.body = AdminPage::cacheFull(m_options.settings.passwordMax, enc);
        return r;
    }
    auto password = m_passwords.issue(Clock::instance().now());
    if (!password) {
        r.body = AdminPage::cacheFull(m_options.settings.passwordMax, enc);
        return r;
    }
    r.body = AdminPage::success(AdminPage::thumbprintGroups(m_pki.issuing.md5()), *password,
                                m_options.settings.passwordValidity, m_options.settings.useSinglePassword, enc);
    SecretBytes::cleanse(*password);
    return r;
}

LabHttpResponse NdesLabServer::handleControl(const LabHttpRequest& request) {
    if (std::optional<LabHttpResponse> refused = refuseControlRequest(request, m_options.https))
        return *refused;
    const QString path = request.url.path().toLower();
    const QUrlQuery query(request.url);
    if (path == QLatin1String("/ndes-lab/control/approve") || path == QLatin1String("/ndes-lab/control/deny")) {
        const QString tid = query.queryItemValue(QStringLiteral("transaction"));
        if (!m_ca.approve(tid, path.endsWith(QLatin1String("approve"))))
            return iisError(404, "Not Found", QStringLiteral("No pending request for transaction %1").arg(tid));
        return contentResponse("text/plain", "ok\n");
    }
    if (path == QLatin1String("/ndes-lab/control/pending"))
        return contentResponse("text/plain",
                               (m_ca.pendingTransactions().join(QLatin1Char('\n')) + QLatin1Char('\n')).toLatin1());
    if (path == QLatin1String("/ndes-lab/control/fault")) {
        for (const QString& spec :
             query.queryItemValue(QStringLiteral("set")).split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (!m_faults.apply(spec))
                return iisError(400, "Bad Request", QStringLiteral("Unknown fault \"%1\"").arg(spec));
        return contentResponse("text/plain",
                               (m_faults.active().join(QLatin1Char('\n')) + QLatin1Char('\n')).toLatin1());
    }
    if (path == QLatin1String("/ndes-lab/control/clock")) {
        // The lab's clock can be moved forward to show expiry (passwords, RA certificates) without waiting.
        bool ok = false;
        const qint64 secs = query.queryItemValue(QStringLiteral("advance")).toLongLong(&ok);
        if (!ok || secs < 0 || secs > 100LL * 365 * 86400)
            return iisError(400, "Bad Request", QStringLiteral("advance=SECONDS expected"));
        LabClock::instance().advance(secs);
        return contentResponse("text/plain", Clock::instance().now().toString(Qt::ISODate).toLatin1() + '\n');
    }
    if (path == QLatin1String("/ndes-lab/control/events")) {
        QByteArray out;
        for (const auto& e : m_events.events())
            out += e.xml.toUtf8() + '\n';
        return contentResponse("application/xml", out);
    }
    return iisError(404, "Not Found", QStringLiteral("Unknown control request"));
}

} // namespace ndes::lab
