// SPDX-License-Identifier: Apache-2.0
// What an installation and the Debian package hold: the application icon draws at every size, `cmake --install`
// puts the binaries, desktop file, AppStream metadata, icon and documents where a Linux desktop looks for them,
// both metadata files pass their validators and agree with each other and with the build, and CPack's .deb names
// its dependencies, including the plugins that are loaded at run time.
#include "AppIdentity.h"

#include <QDir>
#include <QDomDocument>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run {
    int exitCode = -1;
    QString out;
};

Run run(const QString& program, const QStringList& args, const QString& dir = {}, int timeoutMs = 180000) {
    QProcess p;
    if (!dir.isEmpty())
        p.setWorkingDirectory(dir);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs))
        return {-1, QStringLiteral("%1 did not finish").arg(program)};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAll())};
}

const QString appId = QLatin1String(ndes::ui::applicationId);

} // namespace

class TestPackaging : public QObject {
    Q_OBJECT
    QTemporaryDir m_root;
    QString m_prefix;

private slots:
    void initTestCase() {
        QVERIFY(m_root.isValid());
        m_prefix = m_root.filePath(QStringLiteral("usr"));
        const Run install =
            run(QStringLiteral(NDES_CMAKE),
                {QStringLiteral("--install"), QStringLiteral(NDES_BUILD_DIR), QStringLiteral("--prefix"), m_prefix});
        QVERIFY2(install.exitCode == 0, qPrintable(install.out));
    }

    // The icon is an SVG drawn by Qt's icon engine: opaque in the middle, transparent in the rounded corner.
    void iconDrawsAtEverySize() {
        const QIcon icon = ndes::ui::applicationIcon();
        QVERIFY2(!icon.isNull(), "the icon is missing from the resources, or libqt6svg6 is not installed");
        for (int size : {16, 24, 32, 48, 64, 128, 256}) {
            const QImage image = icon.pixmap(size).toImage();
            QCOMPARE(image.width(), size);
            QCOMPARE(qAlpha(image.pixel(0, 0)), 0);
            QCOMPARE(qAlpha(image.pixel(size / 2, size / 2)), 255);
        }
    }

    void installPutsEverythingInPlace() {
        for (const QString& path :
             {QStringLiteral("bin/ndes-console"), QStringLiteral("bin/ndesctl"), QStringLiteral("bin/ndes-lab"),
              QStringLiteral("share/applications/%1.desktop").arg(appId),
              QStringLiteral("share/metainfo/%1.metainfo.xml").arg(appId),
              QStringLiteral("share/icons/hicolor/scalable/apps/%1.svg").arg(appId),
              QStringLiteral("share/doc/ndes-console/LICENSE"), QStringLiteral("share/doc/ndes-console/README.md"),
              QStringLiteral("share/doc/ndes-console/examples/plan.json")})
            QVERIFY2(QFile::exists(m_prefix + QLatin1Char('/') + path), qPrintable(path));
        QVERIFY(QFileInfo(m_prefix + QStringLiteral("/bin/ndesctl")).isExecutable());
        const Run version = run(m_prefix + QStringLiteral("/bin/ndesctl"), {QStringLiteral("--version")});
        QVERIFY2(version.out.contains(QLatin1String(NDES_VERSION)), qPrintable(version.out));
    }

    // desktop-file-validate and appstreamcli are the freedesktop.org and AppStream reference validators.
    void metadataValidates() {
        const QString desktop = m_prefix + QStringLiteral("/share/applications/%1.desktop").arg(appId);
        const QString metainfo = m_prefix + QStringLiteral("/share/metainfo/%1.metainfo.xml").arg(appId);
        const Run d = run(QStringLiteral("desktop-file-validate"), {desktop});
        QVERIFY2(d.exitCode == 0 && d.out.trimmed().isEmpty(), qPrintable(d.out));
        const Run a =
            run(QStringLiteral("appstreamcli"), {QStringLiteral("validate"), QStringLiteral("--no-net"), metainfo});
        QVERIFY2(a.exitCode == 0, qPrintable(a.out));
        // A broken file is refused (the validators are really judging).
        QFile bad(m_root.filePath(QStringLiteral("bad.desktop")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("[Desktop Entry]\nName=x\n");
        bad.close();
        QVERIFY(run(QStringLiteral("desktop-file-validate"), {bad.fileName()}).exitCode != 0);
    }

    // The desktop file, the AppStream component, the icon and the build agree.
    void metadataAgrees() {
        QSettings desktop(m_prefix + QStringLiteral("/share/applications/%1.desktop").arg(appId), QSettings::IniFormat);
        desktop.beginGroup(QStringLiteral("Desktop Entry"));
        QCOMPARE(desktop.value(QStringLiteral("Icon")).toString(), appId);
        const QString exec = desktop.value(QStringLiteral("Exec")).toString().section(QLatin1Char(' '), 0, 0);
        QVERIFY2(QFile::exists(m_prefix + QStringLiteral("/bin/") + exec), qPrintable(exec));
        QFile f(m_prefix + QStringLiteral("/share/metainfo/%1.metainfo.xml").arg(appId));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QDomDocument doc;
        QVERIFY(doc.setContent(&f));
        const QDomElement c = doc.documentElement();
        QCOMPARE(c.firstChildElement(QStringLiteral("id")).text(), appId);
        QCOMPARE(c.firstChildElement(QStringLiteral("launchable")).text(), appId + QStringLiteral(".desktop"));
        const QString newest = c.firstChildElement(QStringLiteral("releases"))
                                   .firstChildElement(QStringLiteral("release"))
                                   .attribute(QStringLiteral("version"));
        QCOMPARE(newest, QStringLiteral(NDES_VERSION)); // a release entry for every version the build says it is
    }

    // CPack's Debian package: stripped binaries, the libraries dpkg-shlibdeps found, and the plugins loaded at run
    // time that it cannot see.
    void debianPackage() {
        const QString out = m_root.filePath(QStringLiteral("deb"));
        const Run cpack =
            run(QStringLiteral(NDES_CPACK), {QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("-B"), out},
                QStringLiteral(NDES_BUILD_DIR), 600000);
        QVERIFY2(cpack.exitCode == 0, qPrintable(cpack.out));
        const QStringList debs = QDir(out).entryList({QStringLiteral("*.deb")});
        QCOMPARE(debs.size(), 1);
        const QString deb = out + QLatin1Char('/') + debs.first();
        QVERIFY2(debs.first().startsWith(QStringLiteral("ndes-console_%1").arg(QLatin1String(NDES_VERSION))),
                 qPrintable(debs.first()));
        const Run fields = run(QStringLiteral("dpkg-deb"), {QStringLiteral("--field"), deb});
        QVERIFY2(fields.exitCode == 0, qPrintable(fields.out));
        QVERIFY(fields.out.contains(QLatin1String("Package: ndes-console")));
        for (const char* dependency : {"libqt6svg6", "qt6-qpa-plugins", "libqt6widgets6", "libssl3"})
            QVERIFY2(fields.out.contains(QLatin1String(dependency)), dependency);
        const Run contents = run(QStringLiteral("dpkg-deb"), {QStringLiteral("--contents"), deb});
        for (const QString& path : {QStringLiteral("./usr/bin/ndes-console"), QStringLiteral("./usr/bin/ndesctl"),
                                    QStringLiteral("./usr/share/applications/%1.desktop").arg(appId),
                                    QStringLiteral("./usr/share/icons/hicolor/scalable/apps/%1.svg").arg(appId)})
            QVERIFY2(contents.out.contains(path), qPrintable(path));
    }
};

QTEST_MAIN(TestPackaging)
#include "TestPackaging.moc"
