// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AdminPage.h"
#include "LabCertificateAuthority.h"
#include "LabEventLog.h"
#include "LabHttpServer.h"
#include "LabPki.h"
#include "LabUsers.h"
#include "NdesSettings.h"
#include "PasswordCache.h"

#include <QObject>
#include <memory>

namespace ndes::lab {

// Faults the lab can show on demand (set at start, switchable at run time).
struct LabFaults {
    bool raExpired = false;       // behave as NDES with an expired RA certificate: enrollment fails (500, event 10)
    bool templateMissing = false; // the CA refuses the template (FAILURE, event 31)
    bool appPoolStopped = false;  // every request answers 503
    int slowMs = 0;               // every answer is late
    bool hang = false;            // no answer at all
    bool cacheFull = false;       // the admin page says the password cache is full
    bool garbageReply = false;    // PKIOperation answers bytes that are no SCEP message
    bool staleCrl = false;        // the CAs' CRLs at /CertEnroll/ are past their nextUpdate (not republished)

    // Applies "name" or "name:value" (or "-name" to clear); false for an unknown fault.
    bool apply(const QString& spec);
    [[nodiscard]] QStringList active() const;
};

// One virtual NDES server: SCEP at /certsrv/mscep/mscep.dll, the admin page at /certsrv/mscep_admin/, and a
// local control interface at /ndes-lab/control/ (approve, deny, pending, fault, clock, events): POST only, with the
// lab's own loopback address in Host and no Origin, so that no web page in a local browser can drive it.
class NdesLabServer : public QObject {
    Q_OBJECT
public:
    struct Options {
        LabPki::Options pki;
        NdesSettings settings;
        QString usersFile; // empty: the admin page is open to anyone (lab convenience)
        bool basicAuth = false;
        bool https = false;
        AdminPage::Encoding adminEncoding = AdminPage::Encoding::Utf16Le;
        LabFaults faults;
        QString eventsXml;
        int readTimeoutMs = 10000;
        QString syslog; // host:port of an RFC 5424 receiver over TCP
        QString keytab; // Kerberos keytab with HTTP/<host> for Negotiate
        QStringList unpublishedTemplates;
        QString tlsName;   // the HTTPS certificate's name (default localhost, 127.0.0.1, ::1)
        int tlsDays = 365; // the HTTPS certificate's validity; negative: expired that many days ago
    };

    static Result<std::unique_ptr<NdesLabServer>> create(const Options& options, QObject* parent = nullptr);
    ~NdesLabServer() override;

    bool listen(const QHostAddress& address, quint16 port, QString* error);
    [[nodiscard]] QString baseUrl() const { return m_http->baseUrl(); }
    [[nodiscard]] quint16 port() const { return m_http->port(); }
    [[nodiscard]] LabFaults& faults() { return m_faults; }
    [[nodiscard]] LabEventLog& events() { return m_events; }
    [[nodiscard]] LabCertificateAuthority& ca() { return m_ca; }
    [[nodiscard]] const LabPki& pki() const { return m_pki; }

    // The whole handling of one request, without sockets (the HTTP server calls it; so does the fuzz target).
    LabHttpResponse handle(const LabHttpRequest& request);

private:
    NdesLabServer(const Options& options, LabPki pki, LabUsers users, QObject* parent);
    LabHttpResponse handleScep(const LabHttpRequest& request);
    LabHttpResponse handlePkiOperation(const QByteArray& message);
    LabHttpResponse handleAdmin(const LabHttpRequest& request);
    LabHttpResponse handleControl(const LabHttpRequest& request);
    LabHttpResponse handleCrl(const QString& path);
    LabHttpResponse certRep(const struct CertRepSpec& spec);
    [[nodiscard]] bool raUsable() const;

    Options m_options;
    LabPki m_pki;
    LabUsers m_users;
    PasswordCache m_passwords;
    LabCertificateAuthority m_ca;
    LabEventLog m_events;
    LabFaults m_faults;
    LabHttpServer* m_http = nullptr;
    std::unique_ptr<class WindowsAuthenticator> m_auth;
    QMap<quint64, QString> m_authenticated; // connection -> account, as IIS binds Windows authentication
    QList<pki::Certificate> m_expiredRa;    // built when the ra-expired fault first shows
    struct CachedCrl {
        QByteArray der;
        QDateTime builtAt;
        bool stale = false;
    };
    QMap<QString, CachedCrl> m_crls; // file name -> CRL, rebuilt each minute
    qint64 m_crlNumber = 0;
};

} // namespace ndes::lab
