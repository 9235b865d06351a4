// SPDX-License-Identifier: Apache-2.0
// Reading Active Directory (issue 18): a Samba AD DC on loopback (tests/support/SambaDc) seeded with TEMPLATES
// certificate templates, each with a DACL of a few ACEs, and ACCOUNTS user accounts; then LdapConnection::open and
// readDirectory (every template with its security descriptor, every account, the SIDs in the ACLs named), REPEAT
// times, against ldapsearch doing the same two searches (templates with the SD_FLAGS control, all users) as the
// peer. Target: <= 2 s for 500 templates and 5,000 accounts; memory reported.
// Usage: directory_bench [TEMPLATES=500] [ACCOUNTS=5000] [REPEAT=3]
#include "SambaDc.h"

#include "directory/Directory.h"
#include "util/ProcessMemory.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>

#include <algorithm>
#include <cstdio>

using namespace ndes;
using namespace ndes::directory;

namespace {
double median(QList<double> v) {
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[v.size() / 2];
}
} // namespace

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    const int templates = argc > 1 ? std::atoi(argv[1]) : 500;
    const int accounts = argc > 2 ? std::atoi(argv[2]) : 5000;
    const int repeat = argc > 3 ? std::atoi(argv[3]) : 3;
    QByteArray seed;
    for (int i = 0; i < accounts; ++i)
        seed += "dn: CN=user" + QByteArray::number(i) +
                ",CN=Users,DC=lab,DC=test\nobjectClass: user\nsAMAccountName: user" + QByteArray::number(i) +
                "\nuserAccountControl: 514\n\n";
    const QByteArray tdn = test::SambaDc::templatesDn().toLatin1();
    for (int i = 0; i < templates; ++i)
        seed += "dn: CN=Template" + QByteArray::number(i) + "," + tdn +
                "\nobjectClass: pKICertificateTemplate\ncn: Template" + QByteArray::number(i) +
                "\nmsPKI-Template-Schema-Version: 2\nmsPKI-Certificate-Name-Flag: 1\nmsPKI-Enrollment-Flag: 0\n"
                "pKIExtendedKeyUsage: 1.3.6.1.5.5.7.3.2\nnTSecurityDescriptor: O:DAG:DAD:PAI(A;;RPLCLORC;;;AU)"
                "(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;EA)"
                "(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;"
                "@SID:user" +
                QByteArray::number(i % std::max(accounts, 1)) + "@)\n\n";
    std::printf("seeding a Samba AD DC with %d templates and %d accounts...\n", templates, accounts);
    std::fflush(stdout);
    QElapsedTimer seedTimer;
    seedTimer.start();
    test::SambaDc dc;
    QString error;
    if (!dc.start(seed, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    std::printf("DC ready in %.1f s\n", seedTimer.elapsed() / 1000.0);

    LdapOptions o;
    o.url = QUrl(test::SambaDc::url());
    o.caFile = dc.caFile();
    o.bindDn = test::SambaDc::adminDn();
    o.password = SecretBytes(dc.adminPassword());
    o.operationTimeoutMs = 120'000;
    const qint64 rssBefore = residentKb();
    QList<double> ours;
    qint64 rssPeak = rssBefore;
    int readTemplates = 0, readAccounts = 0;
    for (int r = 0; r < repeat; ++r) {
        QElapsedTimer t;
        t.start();
        const auto ldap = LdapConnection::open(o, &error);
        if (!ldap) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        DirectoryRequest request;
        request.allAccounts = true;
        const auto d = readDirectory(*ldap, request, &error);
        if (!d) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        ours << t.elapsed() / 1000.0;
        readTemplates = int(d->templates.size());
        readAccounts = int(d->entries.size());
        rssPeak = std::max(rssPeak, residentKb());
    }
    // The peer: ldapsearch, the same two searches, output thrown away.
    QList<double> peer;
    for (int r = 0; r < repeat; ++r) {
        QElapsedTimer t;
        t.start();
        dc.ldapsearch({QStringLiteral("-E"), QStringLiteral("pr=500/noprompt"), QStringLiteral("-E"),
                       QStringLiteral("!1.2.840.113556.1.4.801=::MAMCAQc="), QStringLiteral("-b"),
                       test::SambaDc::templatesDn(), QStringLiteral("-s"), QStringLiteral("one"),
                       QStringLiteral("(objectClass=pKICertificateTemplate)")},
                      &error);
        dc.ldapsearch({QStringLiteral("-E"), QStringLiteral("pr=500/noprompt"), QStringLiteral("-b"),
                       test::SambaDc::baseDn(), QStringLiteral("(&(objectClass=user)(objectCategory=person))")},
                      &error);
        peer << t.elapsed() / 1000.0;
    }
    std::printf("read %d templates (with their DACLs) and %d entries in all: median %.2f s over %d runs "
                "(target <= 2 s)\n",
                readTemplates, readAccounts, median(ours), repeat);
    std::printf("ldapsearch, the same two searches: median %.2f s; ratio ours/ldapsearch %.2f\n", median(peer),
                median(ours) / std::max(median(peer), 0.001));
    std::printf("resident memory: %lld kB before, %lld kB peak while reading (+%lld kB)\n", rssBefore, rssPeak,
                rssPeak - rssBefore);
    dc.stop();
    return 0;
}
