// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditPdf.h"

#include "audit/AuditReport.h"
#include "util/AtomicFile.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPdfWriter>
#include <QTextDocument>

namespace ndes::audit {

Status writeAuditPdf(const AuditResult& result, const QString& path, const QDateTime& generatedAt) {
    if (!qobject_cast<QGuiApplication*>(QCoreApplication::instance()))
        return makeError(
            ErrorKind::Internal,
            QCoreApplication::translate("AuditPdf", "A PDF needs fonts: this program has no GUI application."));
    if (Status target = AtomicFile::checkTarget(path); !target)
        return target;
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter pdf(&buffer);
        pdf.setPageSize(QPageSize(QPageSize::A4));
        pdf.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        pdf.setTitle(QCoreApplication::translate("AuditPdf", "NDES configuration audit: %1").arg(result.host));
        pdf.setCreator(QStringLiteral("NDES Console %1").arg(QStringLiteral(NDES_VERSION)));
        pdf.setResolution(300);
        QTextDocument doc;
        doc.setDefaultFont(QFont(QStringLiteral("DejaVu Sans"), 9));
        doc.setHtml(AuditReport::html(result, generatedAt));
        doc.setPageSize(QSizeF(pdf.width(), pdf.height()));
        doc.print(&pdf);
    }
    buffer.close();
    if (buffer.data().size() < 100)
        return makeError(ErrorKind::Internal, QCoreApplication::translate("AuditPdf", "The PDF came out empty."));
    return AtomicFile::write(path, buffer.data(), AtomicFile::Access::OwnerOnly);
}

} // namespace ndes::audit
