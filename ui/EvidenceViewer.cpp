// SPDX-License-Identifier: Apache-2.0
#include "EvidenceViewer.h"

#include "audit/Snapshot.h"
#include "audit/WindowsText.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTextBlock>
#include <QVBoxLayout>

namespace ndes::ui {

namespace {
constexpr qint64 maxShownBytes = 16 * 1024 * 1024;

QString certificateText(const audit::CertificateEvidence& c) {
    const pki::Certificate& cert = c.certificate;
    QStringList lines;
    const auto add = [&lines](const QString& name, const QString& value) {
        if (!value.isEmpty())
            lines << QStringLiteral("%1: %2").arg(name, value);
    };
    add(QCoreApplication::translate("EvidenceViewer", "Subject"), cert.subject());
    add(QCoreApplication::translate("EvidenceViewer", "Issuer"), cert.issuer());
    add(QCoreApplication::translate("EvidenceViewer", "Serial number"), cert.serialHex());
    add(QCoreApplication::translate("EvidenceViewer", "Valid from"), cert.notBefore().toUTC().toString(Qt::ISODate));
    add(QCoreApplication::translate("EvidenceViewer", "Valid to"), cert.notAfter().toUTC().toString(Qt::ISODate));
    add(QCoreApplication::translate("EvidenceViewer", "Template"), cert.templateName());
    add(QCoreApplication::translate("EvidenceViewer", "Key usage"), cert.keyUsageNames().join(QStringLiteral(", ")));
    add(QCoreApplication::translate("EvidenceViewer", "Enhanced key usage"),
        cert.extendedKeyUsageNames().join(QStringLiteral(", ")));
    add(QCoreApplication::translate("EvidenceViewer", "Public key"),
        QStringLiteral("%1 bits").arg(cert.publicKeyBits()));
    add(QCoreApplication::translate("EvidenceViewer", "Signature algorithm"), cert.signatureAlgorithm());
    add(QCoreApplication::translate("EvidenceViewer", "DNS names"), cert.dnsNames().join(QStringLiteral(", ")));
    add(QCoreApplication::translate("EvidenceViewer", "CRL distribution points"),
        cert.crlDistributionPoints().join(QStringLiteral(", ")));
    add(QCoreApplication::translate("EvidenceViewer", "Thumbprint (SHA-1)"), pki::Certificate::hex(cert.sha1()));
    add(QCoreApplication::translate("EvidenceViewer", "SHA-256"), pki::Certificate::hex(cert.sha256()));
    add(QCoreApplication::translate("EvidenceViewer", "Store"), c.store);
    for (auto it = c.info.begin(); it != c.info.end(); ++it)
        add(it.key(), it.value().isString() ? it.value().toString() : it.value().toVariant().toString());
    lines << QString() << QString::fromLatin1(cert.toPem());
    return lines.join(QLatin1Char('\n'));
}
} // namespace

int EvidenceViewer::locate(const QString& text, const audit::Evidence& evidence) {
    const QStringList lines = text.split(QLatin1Char('\n'));
    static const QRegularExpression lineRef(QStringLiteral("\\(line (\\d+)\\)"));
    if (const auto m = lineRef.match(evidence.path); m.hasMatch()) {
        const int n = m.captured(1).toInt();
        if (n >= 1 && n <= lines.size())
            return n;
    }
    // A registry path "MSCEP\PasswordValidity\PasswordValidity": the key's section, then the value's line in it.
    QString path = evidence.path;
    path.remove(lineRef);
    path = path.trimmed();
    const QStringList parts = path.split(QLatin1Char('\\'), Qt::SkipEmptyParts);
    if (parts.size() >= 2) {
        const QString key = QStringList(parts.mid(0, parts.size() - 1)).join(QLatin1Char('\\'));
        const QString value = QStringLiteral("\"%1\"=").arg(parts.last());
        for (int i = 0; i < lines.size(); ++i) {
            const QString l = lines[i].trimmed();
            if (l.startsWith(QLatin1Char('[')) && l.endsWith(QStringLiteral("\\%1]").arg(key), Qt::CaseInsensitive)) {
                for (int j = i + 1; j < lines.size() && !lines[j].trimmed().startsWith(QLatin1Char('[')); ++j)
                    if (lines[j].trimmed().startsWith(value, Qt::CaseInsensitive))
                        return j + 1;
                return i + 1;
            }
        }
    }
    // An element or attribute name, then the value seen.
    static const QRegularExpression word(QStringLiteral("[A-Za-z][A-Za-z0-9]+"));
    QStringList needles;
    if (!evidence.value.isEmpty() && evidence.value.size() >= 3)
        needles << evidence.value;
    for (auto it = word.globalMatch(path); it.hasNext();)
        needles.prepend(it.next().captured());
    for (const QString& needle : needles)
        for (int i = 0; i < lines.size(); ++i)
            if (lines[i].contains(needle, Qt::CaseInsensitive))
                return i + 1;
    return 0;
}

EvidenceViewer::EvidenceViewer(const audit::Snapshot& snapshot, const audit::Evidence& evidence, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Evidence: %1").arg(evidence.source));
    resize(900, 620);
    auto* layout = new QVBoxLayout(this);
    auto* where = new QLabel(this);
    where->setWordWrap(true);
    where->setTextFormat(Qt::RichText); // the evidence in it is escaped
    where->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(where);
    m_text = new QPlainTextEdit(this);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setAccessibleName(tr("Content of %1").arg(evidence.source));
    layout->addWidget(m_text, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    QString body;
    bool isCertificate = false;
    for (const audit::CertificateEvidence& c : snapshot.certificates())
        if (c.file == evidence.source || c.infoFile == evidence.source) {
            body = certificateText(c);
            isCertificate = true;
            break;
        }
    const QString file = snapshot.absolutePath(evidence.source);
    if (!isCertificate) {
        QFile f(file);
        const QFileInfo info(file);
        // Only a regular file inside the snapshot, reached without a link anywhere on the way.
        const QString root = QFileInfo(snapshot.root()).canonicalFilePath();
        const QString canonical = info.canonicalFilePath();
        const bool inside = !root.isEmpty() && !canonical.isEmpty() && canonical.startsWith(root + QLatin1Char('/')) &&
                            canonical == QDir::cleanPath(root + QLatin1Char('/') + evidence.source);
        if (evidence.source.isEmpty() || !info.isFile() || info.isSymLink() || !inside) {
            body = tr("The evidence is not a file of the snapshot (%1).").arg(evidence.source);
        } else if (!f.open(QIODevice::ReadOnly)) {
            body = tr("%1 cannot be read: %2").arg(file, f.errorString());
        } else {
            const QByteArray bytes = f.read(maxShownBytes);
            const bool truncated = f.size() > maxShownBytes;
            const Result<QString> decoded = audit::decodeWindowsText(bytes);
            if (!decoded || decoded->contains(QChar(0)))
                body = tr("%1 is not a text file (%2 bytes); the audit read it as %3.")
                           .arg(evidence.source)
                           .arg(f.size())
                           .arg(evidence.path);
            else
                body = *decoded + (truncated ? tr("\n… (only the first 16 MB are shown)") : QString());
            body.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
        }
    }
    m_text->setPlainText(body);
    m_line = isCertificate ? 0 : locate(body, evidence);
    where->setText(tr("<b>%1</b> — %2<br>Seen: <code>%3</code>%4")
                       .arg(evidence.source.toHtmlEscaped(), evidence.path.toHtmlEscaped(),
                            evidence.value.toHtmlEscaped(),
                            m_line > 0 ? tr(" (line %1, marked)").arg(m_line) : QString()));
    if (m_line > 0) {
        const QTextBlock block = m_text->document()->findBlockByNumber(m_line - 1);
        QTextCursor cursor(block);
        m_text->setTextCursor(cursor);
        QTextEdit::ExtraSelection mark;
        mark.cursor = cursor;
        mark.format.setBackground(QColor(0xff, 0xe8, 0x9c));
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        m_text->setExtraSelections({mark});
        m_text->centerCursor();
    }
    buttons->button(QDialogButtonBox::Close)->setFocus();
}

QString EvidenceViewer::text() const {
    return m_text->toPlainText();
}

} // namespace ndes::ui
