// SPDX-License-Identifier: Apache-2.0
#include "LabSnapshot.h"

#include "LabEventLog.h"
#include "LabPki.h"
#include "audit/WindowsText.h"
#include "pki/CertificateBuilder.h"
#include "pki/Oids.h"
#include "pki/PrivateKey.h"
#include "setup/RegWriter.h"
#include "util/AtomicFile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ndes::lab {

namespace {
using pki::Certificate;

// The lab's service account and the SID the collector would resolve it to (a fixed example domain SID).
const QString account = QStringLiteral("LAB\\svc-ndes");
const QString accountSid = QStringLiteral("S-1-5-21-3623811015-3361044348-30300820-1105");

QByteArray utf16Reg(const QString& text) {
    QString crlf = QStringLiteral("Windows Registry Editor Version 5.00\n\n") + text;
    crlf.replace(QLatin1Char('\n'), QStringLiteral("\r\n"));
    return audit::encodeWindowsText(crlf);
}

Status put(const QString& root, const QString& name, const QByteArray& bytes) {
    const QString path = root + QLatin1Char('/') + name;
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return makeError(ErrorKind::Io, QStringLiteral("Cannot create the folder for %1.").arg(path));
    return AtomicFile::write(path, bytes, AtomicFile::Access::WorldReadable);
}

QByteArray json(const QJsonObject& o) {
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

QString appHostConfig(const NdesLabServer::Options& o) {
    const QString sslFlags = o.https ? QStringLiteral("Ssl") : QStringLiteral("None");
    return QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<!-- ndes-lab snapshot: IIS as a default NDES setup configures it -->\n"
                          "<configuration>\n"
                          "    <system.applicationHost>\n"
                          "        <applicationPools>\n"
                          "            <add name=\"DefaultAppPool\" />\n"
                          "            <add name=\"SCEP\" managedPipelineMode=\"Classic\">\n"
                          "                <processModel identityType=\"SpecificUser\" userName=\"%1\" "
                          "idleTimeout=\"00:00:00\" />\n"
                          "            </add>\n"
                          "        </applicationPools>\n"
                          "        <sites>\n"
                          "            <site name=\"Default Web Site\" id=\"1\">\n"
                          "                <application path=\"/\" />\n"
                          "                <application path=\"/CertSrv/mscep_admin\" applicationPool=\"SCEP\" />\n"
                          "                <application path=\"/CertSrv/mscep\" applicationPool=\"SCEP\" />\n"
                          "                <bindings>\n"
                          "                    <binding protocol=\"http\" bindingInformation=\"*:80:\" />\n%2"
                          "                </bindings>\n"
                          "            </site>\n"
                          "        </sites>\n"
                          "    </system.applicationHost>\n"
                          "    <system.webServer>\n"
                          "        <security>\n"
                          "            <authentication>\n"
                          "                <anonymousAuthentication enabled=\"true\" userName=\"IUSR\" />\n"
                          "                <windowsAuthentication enabled=\"false\" />\n"
                          "                <basicAuthentication enabled=\"false\" />\n"
                          "            </authentication>\n"
                          "            <requestFiltering>\n"
                          "                <requestLimits maxUrl=\"65534\" maxQueryString=\"65534\" />\n"
                          "            </requestFiltering>\n"
                          "        </security>\n"
                          "    </system.webServer>\n"
                          "    <location path=\"Default Web Site/CertSrv/mscep_admin\">\n"
                          "        <system.webServer>\n"
                          "            <security>\n"
                          "                <access sslFlags=\"%3\" />\n"
                          "                <authentication>\n"
                          "                    <windowsAuthentication enabled=\"%4\">\n"
                          "                        <providers>\n"
                          "                            <clear />\n"
                          "                            <add value=\"Negotiate\" />\n"
                          "                            <add value=\"NTLM\" />\n"
                          "                        </providers>\n"
                          "                    </windowsAuthentication>\n"
                          "                    <anonymousAuthentication enabled=\"%5\" />\n"
                          "                    <basicAuthentication enabled=\"%6\" />\n"
                          "                </authentication>\n"
                          "            </security>\n"
                          "        </system.webServer>\n"
                          "    </location>\n"
                          "</configuration>\n")
        .arg(account,
             o.https
                 ? QStringLiteral("                    <binding protocol=\"https\" bindingInformation=\"*:443:\" />\n")
                 : QString(),
             sslFlags,
             // Without --users the lab's admin page is open to anyone: as IIS with anonymous authentication.
             o.usersFile.isEmpty() ? QStringLiteral("false") : QStringLiteral("true"),
             o.usersFile.isEmpty() ? QStringLiteral("true") : QStringLiteral("false"),
             o.basicAuth ? QStringLiteral("true") : QStringLiteral("false"));
}
} // namespace

Status writeLabSnapshot(const NdesLabServer::Options& o, const QString& outDir, const QDateTime& now) {
    QDir out(outDir);
    if (out.exists() && !out.isEmpty())
        return makeError(ErrorKind::Usage,
                         QStringLiteral("%1 is not empty; give a new folder for the snapshot.").arg(outDir));
    if (!QDir().mkpath(outDir))
        return makeError(ErrorKind::Io, QStringLiteral("Cannot create %1.").arg(outDir));
    const QString root = QFileInfo(outDir).absoluteFilePath();
    auto pkiResult = LabPki::openOrCreate(o.pki);
    if (!pkiResult)
        return pkiResult.error();
    const LabPki& lab = *pkiResult;
    const NdesSettings& st = o.settings;

    // Registry, as reg export writes it: the MSCEP key through the setup wizard's .reg writer (the real layout).
    setup::SetupPlan plan;
    plan.signatureTemplate = st.signatureTemplate;
    plan.encryptionTemplate = st.encryptionTemplate;
    plan.generalPurposeTemplate = st.generalPurposeTemplate;
    plan.caConfig = st.caConfiguration;
    plan.enforcePassword = st.enforcePassword;
    plan.useSinglePassword = st.useSinglePassword;
    plan.passwordLength = st.passwordLength;
    plan.passwordMax = st.passwordMax;
    plan.passwordValidity = st.passwordValidity;
    plan.caCapabilitiesAlgorithms.clear();
    for (const QString& c : st.capabilities)
        if (c.startsWith(QLatin1String("SHA")) || c == QLatin1String("AES") || c == QLatin1String("DES3"))
            plan.caCapabilitiesAlgorithms << c;
    QList<Status> writes;
    writes << put(root, QStringLiteral("registry/mscep.reg"), setup::RegWriter::file(plan));
    writes << put(root, QStringLiteral("registry/ndes-role.reg"),
                  utf16Reg(QStringLiteral("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\ADCS\\NDES]\n"
                                          "\"ConfigurationStatus\"=dword:00000002\n")));
    writes << put(
        root, QStringLiteral("registry/http-parameters.reg"),
        utf16Reg(QStringLiteral("[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters]\n"
                                "\"MaxFieldLength\"=dword:0000fffe\n\"MaxRequestBytes\"=dword:0000fffe\n")));
    writes << put(root, QStringLiteral("iis/applicationHost.config"), appHostConfig(o).toUtf8());

    // Certificates: the RA pair (the expired copies under the ra-expired fault), the CA chain, the TLS certificate.
    QList<Certificate> ra{lab.raSign, lab.raEnc};
    if (o.faults.raExpired) {
        auto copies = lab.expiredRaCopies();
        if (!copies)
            return copies.error();
        ra = *copies;
    }
    const QString sddl = QStringLiteral("O:SYG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x120089;;;%1)").arg(accountSid);
    auto addCert = [&](const QString& store, const Certificate& c, QJsonObject info) {
        const QString thumb = Certificate::hex(c.sha1());
        writes << put(root, QStringLiteral("certificates/%1/%2.cer").arg(store, thumb), c.toDer());
        info.insert(QStringLiteral("kind"), QStringLiteral("certificate-info"));
        info.insert(QStringLiteral("store"), store);
        info.insert(QStringLiteral("thumbprint"), thumb);
        writes << put(root, QStringLiteral("certificates/%1/%2.json").arg(store, thumb), json(info));
    };
    for (const Certificate& c : ra)
        addCert(QStringLiteral("My"), c,
                {{QStringLiteral("hasPrivateKey"), true},
                 {QStringLiteral("keyProvider"), QStringLiteral("Microsoft Strong Cryptographic Provider")},
                 {QStringLiteral("keyStorage"), QStringLiteral("CryptoAPI")},
                 {QStringLiteral("keyExportable"), false},
                 {QStringLiteral("keyFileSddl"), sddl}});
    addCert(QStringLiteral("Root"), lab.root, {{QStringLiteral("hasPrivateKey"), false}});
    const QString fqdn = o.tlsName.isEmpty() ? QStringLiteral("localhost") : o.tlsName;
    QString sslcert = QStringLiteral("\nSSL Certificate bindings:\n-------------------------\n\n");
    if (o.https) {
        auto key = pki::PrivateKey::generateRsa(2048);
        if (!key)
            return key.error();
        const QDateTime notAfter = now.addDays(o.tlsDays);
        auto tls = pki::CertificateBuilder()
                       .setSubject(QStringLiteral("CN=%1,O=NDES Console Lab").arg(fqdn))
                       .setDnsNames({fqdn})
                       .setValidity(o.tlsDays > 0 ? now.addDays(-1) : notAfter.addDays(-365), notAfter)
                       .setKeyUsage(static_cast<quint32>(pki::KeyUsage::DigitalSignature) |
                                    static_cast<quint32>(pki::KeyUsage::KeyEncipherment))
                       .setExtendedKeyUsages({QString::fromLatin1(pki::oid::serverAuth)})
                       .build(key->get(), lab.issuingKey, lab.issuing);
        if (!tls)
            return tls.error();
        addCert(QStringLiteral("My"), *tls, {{QStringLiteral("hasPrivateKey"), true}});
        sslcert += QStringLiteral("    IP:port                      : 0.0.0.0:443\n"
                                  "    Certificate Hash             : %1\n"
                                  "    Application ID               : {4dc3e181-e14b-4a21-b022-59fc669b0914}\n"
                                  "    Certificate Store Name       : My\n\n")
                       .arg(Certificate::hex(tls->sha1()).toLower());
    }
    writes << put(root, QStringLiteral("sslcert.txt"), sslcert.toUtf8());

    // Host, groups, rights, services.
    writes << put(root, QStringLiteral("host.json"),
                  json({{QStringLiteral("kind"), QStringLiteral("host")},
                        {QStringLiteral("computerName"), lab.hostName},
                        {QStringLiteral("fqdn"), fqdn},
                        {QStringLiteral("domainRole"), 3},
                        {QStringLiteral("installedFeatures"),
                         QJsonArray{QStringLiteral("Web-Server"), QStringLiteral("ADCS-Device-Enrollment")}},
                        {QStringLiteral("scepPoolIdentity"), account},
                        {QStringLiteral("scepPoolIdentitySid"), accountSid}}));
    const QJsonArray admins{
        QJsonObject{{QStringLiteral("name"), QStringLiteral("LAB\\Domain Admins")},
                    {QStringLiteral("sid"), QStringLiteral("S-1-5-21-3623811015-3361044348-30300820-512")}}};
    const QJsonArray iisUsers{QJsonObject{{QStringLiteral("name"), account}, {QStringLiteral("sid"), accountSid}}};
    writes << put(root, QStringLiteral("local-groups.json"),
                  json({{QStringLiteral("kind"), QStringLiteral("local-groups")},
                        {QStringLiteral("groups"), QJsonObject{{QStringLiteral("Administrators"), admins},
                                                               {QStringLiteral("IIS_IUSRS"), iisUsers}}}}));
    const QString rights =
        QStringLiteral("[Unicode]\r\nUnicode=yes\r\n[Privilege Rights]\r\n"
                       "SeImpersonatePrivilege = *S-1-5-19,*S-1-5-20,*S-1-5-32-544,*S-1-5-6\r\n"
                       "SeBatchLogonRight = *S-1-5-32-544,*S-1-5-32-551,*S-1-5-32-559,*S-1-5-32-568\r\n"
                       "[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n");
    writes << put(root, QStringLiteral("user-rights.inf"), audit::encodeWindowsText(rights));
    writes << put(root, QStringLiteral("services.json"),
                  json({{QStringLiteral("kind"), QStringLiteral("services")},
                        {QStringLiteral("services"),
                         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("W3SVC")},
                                                {QStringLiteral("status"), QStringLiteral("Running")}}}},
                        {QStringLiteral("appPools"),
                         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("SCEP")},
                                                {QStringLiteral("state"), o.faults.appPoolStopped
                                                                              ? QStringLiteral("Stopped")
                                                                              : QStringLiteral("Started")}}}}}));

    // Events NDES logs at start: 1, and with expired RA certificates 2 and 10.
    LabEventLog events(lab.hostName);
    const QString eventsFile = root + QStringLiteral("/events/ndes-application.xml");
    QDir().mkpath(QFileInfo(eventsFile).absolutePath());
    events.setXmlFile(eventsFile);
    if (o.faults.raExpired) {
        events.log(10, LabEventLog::Level::Error,
                   {{QStringLiteral("ErrorCode"), QStringLiteral("0x800b0101")},
                    {QStringLiteral("ErrorMessage"),
                     QStringLiteral("A required certificate is not within its validity period.")}});
        events.log(2, LabEventLog::Level::Error,
                   {{QStringLiteral("ErrorCode"), QStringLiteral("0x800b0101")},
                    {QStringLiteral("ErrorMessage"), QStringLiteral("The RA certificates have expired.")}});
    } else {
        events.log(1, LabEventLog::Level::Information, {});
    }
    for (const Status& s : writes)
        if (!s)
            return s;

    // The manifest, last, with every file's SHA-256.
    QJsonArray files;
    QStringList names;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        names << QDir(root).relativeFilePath(it.next());
    names.sort();
    for (const QString& name : names) {
        QFile f(root + QLatin1Char('/') + name);
        if (!f.open(QIODevice::ReadOnly))
            return makeError(ErrorKind::Io, QStringLiteral("Cannot read back %1.").arg(f.fileName()));
        QCryptographicHash h(QCryptographicHash::Sha256);
        h.addData(&f);
        files.append(QJsonObject{{QStringLiteral("name"), name},
                                 {QStringLiteral("sha256"), QString::fromLatin1(h.result().toHex())}});
    }
    return put(
        root, QStringLiteral("manifest.json"),
        json({{QStringLiteral("kind"), QStringLiteral("ndes-snapshot-manifest")},
              {QStringLiteral("format"), 1},
              {QStringLiteral("collectorVersion"), QStringLiteral("ndes-lab %1").arg(QStringLiteral(NDES_VERSION))},
              {QStringLiteral("host"), lab.hostName},
              {QStringLiteral("collectedAt"), now.toUTC().toString(Qt::ISODate)},
              {QStringLiteral("collectedBy"), QStringLiteral("ndes-lab")},
              {QStringLiteral("days"), 14},
              {QStringLiteral("absentKeys"), QJsonArray()},
              {QStringLiteral("redacted"), QJsonArray()},
              {QStringLiteral("files"), files}}));
}

} // namespace ndes::lab
