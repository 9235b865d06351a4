// SPDX-License-Identifier: Apache-2.0
#include "ndes/MscepSettings.h"
#include "ndes/RegistryExport.h"

#include <QFile>
#include <QtTest>

using namespace ndes;
using namespace ndes::service;

namespace {
QByteArray utf16(const QString& text) {
    QByteArray out("\xFF\xFE", 2);
    for (QChar c : text) {
        out.append(char(c.unicode() & 0xFF));
        out.append(char(c.unicode() >> 8));
    }
    return out;
}
const QString header = QStringLiteral("Windows Registry Editor Version 5.00\r\n\r\n");
} // namespace

class TestMscepSettings : public QObject {
    Q_OBJECT
private slots:
    void realWindowsExportLoads() {
        // A regedit export from a real Windows Server NDES (UTF-16LE with BOM), see
        // tests/data/ndes-manual-installation.
        auto reg = RegistryExport::load(qEnvironmentVariable("NDES_TEST_DATA") +
                                        QStringLiteral("/ndes-manual-installation/MSCEP.reg"));
        QVERIFY2(reg.ok(), qPrintable(reg.ok() ? QString() : reg.error().toString()));
        auto s = MscepSettings::fromRegistry(*reg);
        QVERIFY(s.ok());
        QCOMPARE(s->signatureTemplate.value_or(QString()), QStringLiteral("IPSECIntermediateOffline"));
        QCOMPARE(s->encryptionTemplate.value_or(QString()), QStringLiteral("IPSECIntermediateOffline"));
        QCOMPARE(s->generalPurposeTemplate.value_or(QString()), QStringLiteral("IPSECIntermediateOffline"));
        QCOMPARE(s->caConfiguration.value_or(QString()),
                 QStringLiteral("CA03.intra.adcslabor.de\\ADCS Labor Issuing CA 2"));
        QCOMPARE(s->caType.value_or(0), 1u);
        QCOMPARE(s->enforcePassword.value_or(false), true);
        QCOMPARE(s->passwordVDir.value_or(QString()), QStringLiteral("CertSrv/mscep_admin"));
        QCOMPARE(s->useSinglePassword.value_or(true), false);
        QCOMPARE(s->passwordLength.value_or(0), 8u);
        QCOMPARE(s->passwordMax.value_or(0), 5u);
        QCOMPARE(s->passwordValidity.value_or(0), 60u);
        QVERIFY2(s->warnings.isEmpty(), qPrintable(s->warnings.join(QLatin1Char('\n'))));
    }
    void guideMistakesAreIgnoredWithAWarning_data() {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("warning");
        const QString key = QStringLiteral("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP]\r\n");
        QTest::newRow("EnforcePassword as a value of MSCEP")
            << key + QStringLiteral("\"EnforcePassword\"=dword:00000000\r\n")
            << QStringLiteral("subkey MSCEP\\EnforcePassword");
        QTest::newRow("PasswordCacheMax") << key + QStringLiteral("\"PasswordCacheMax\"=dword:00000064\r\n")
                                          << QStringLiteral("NDES reads no such name");
        QTest::newRow("PasswordMax as string")
            << key + QStringLiteral("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP\\PasswordMax]"
                                    "\r\n\"PasswordMax\"=\"100\"\r\n")
            << QStringLiteral("expects REG_DWORD");
        QTest::newRow("wrong value name in subkey")
            << key + QStringLiteral("[HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP\\PasswordValidity]\r\n\"Minutes\"="
                                    "dword:0000001e\r\n")
            << QStringLiteral("reads only the value PasswordValidity");
    }
    void guideMistakesAreIgnoredWithAWarning() {
        QFETCH(QString, body);
        QFETCH(QString, warning);
        auto reg = RegistryExport::parse(utf16(header + body));
        QVERIFY(reg.ok());
        auto s = MscepSettings::fromRegistry(*reg);
        QVERIFY(s.ok());
        QVERIFY2(s->warnings.join(QLatin1Char('\n')).contains(warning),
                 qPrintable(s->warnings.join(QLatin1Char('\n'))));
        QVERIFY(!s->enforcePassword.has_value());
        QVERIFY(!s->passwordMax.has_value());
        QVERIFY(!s->passwordValidity.has_value());
    }
    void utf8AndValueTypes() {
        const QByteArray text =
            QByteArray("Windows Registry Editor Version 5.00\n\n"
                       "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP]\n"
                       "\"SignatureTemplate\"=\"NDES-Sign\"\n"
                       "\"EncryptedPassword\"=hex:01,02,03,\\\n  04,05\n"
                       "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP\\CACapabilitiesAlgorithms]\n"
                       "\"CACapabilitiesAlgorithms\"=hex(7):53,00,48,00,41,00,2d,00,32,00,35,00,36,00,00,00,41,00,45,"
                       "00,53,00,00,00,00,00\n"
                       "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP\\HashAlgorithm]\n"
                       "\"HashAlgorithm\"=\"SHA256\"\n"
                       "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP\\UseSinglePassword]\n"
                       "\"UseSinglePassword\"=hex(4):01,00,00,00\n");
        auto reg = RegistryExport::parse(text);
        QVERIFY2(reg.ok(), qPrintable(reg.ok() ? QString() : reg.error().toString()));
        auto s = MscepSettings::fromRegistry(*reg);
        QVERIFY(s.ok());
        QCOMPARE(s->signatureTemplate.value_or(QString()), QStringLiteral("NDES-Sign"));
        QVERIFY(s->hasEncryptedPassword);
        QCOMPARE(s->caCapabilitiesAlgorithms.value_or(QStringList()),
                 (QStringList{QStringLiteral("SHA-256"), QStringLiteral("AES")}));
        QCOMPARE(s->hashAlgorithm.value_or(QString()), QStringLiteral("SHA256"));
        QCOMPARE(s->useSinglePassword.value_or(false), true);
    }
    void hostile_data() {
        QTest::addColumn<QByteArray>("data");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no header") << QByteArray("[HKEY_LOCAL_MACHINE\\X]\n");
        QTest::newRow("binary") << QByteArray("\x00\x01\x02\xff\xfe", 5);
        QTest::newRow("value before key") << QByteArray("REGEDIT4\n\"a\"=\"b\"\n");
        QTest::newRow("unterminated string") << QByteArray("REGEDIT4\n[K]\n\"a\"=\"b\n");
        QTest::newRow("bad dword") << QByteArray("REGEDIT4\n[K]\n\"a\"=dword:xyz\n");
        QTest::newRow("long dword") << QByteArray("REGEDIT4\n[K]\n\"a\"=dword:123456789\n");
        QTest::newRow("bad hex") << QByteArray("REGEDIT4\n[K]\n\"a\"=hex:zz,1\n");
        QTest::newRow("unclosed key") << QByteArray("REGEDIT4\n[K\n");
        QTest::newRow("odd utf16") << (utf16(QStringLiteral("Windows Registry Editor Version 5.00\r\n[K")) + 'x');
    }
    void hostile() {
        QFETCH(QByteArray, data);
        auto reg = RegistryExport::parse(data);
        QVERIFY(!reg.ok());
        QCOMPARE(reg.error().kind, ErrorKind::Usage);
        QVERIFY(!reg.error().message.isEmpty());
    }
    void noMscepKey() {
        auto reg = RegistryExport::parse("REGEDIT4\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Other]\n\"a\"=\"b\"\n");
        QVERIFY(reg.ok());
        auto s = MscepSettings::fromRegistry(*reg);
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.contains(QStringLiteral("MSCEP")));
    }
};

QTEST_GUILESS_MAIN(TestMscepSettings)
#include "TestMscepSettings.moc"
