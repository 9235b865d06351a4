// SPDX-License-Identifier: Apache-2.0
#include "AuditTrailDialog.h"

#include "ndes/ChallengeAuditTrail.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ndes::ui {

AuditTrailDialog::AuditTrailDialog(service::ChallengeAuditTrail* trail, QWidget* parent)
    : QDialog(parent)
    , m_trail(trail) {
    setWindowTitle(tr("Challenge password audit trail"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Every request for a challenge password: who, when, which server and device. Passwords "
                                "are never recorded. Each line carries a hash of the one before it, so a changed or "
                                "deleted line shows."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_table = new QTableWidget(0, 6, this);
    m_table->setHorizontalHeaderLabels(
        {tr("Time (UTC)"), tr("Requested by"), tr("Server"), tr("Device"), tr("Ticket"), tr("Outcome")});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(m_table, 1);
    m_verdict = new QLabel(this);
    m_verdict->setWordWrap(true);
    layout->addWidget(m_verdict);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* verify = buttons->addButton(tr("&Verify chain"), QDialogButtonBox::ActionRole);
    auto* exportButton = buttons->addButton(tr("&Export CSV…"), QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(verify, &QPushButton::clicked, this, &AuditTrailDialog::verifyChain);
    connect(exportButton, &QPushButton::clicked, this, &AuditTrailDialog::exportCsv);
    layout->addWidget(buttons);
    resize(860, 480);
    reload();
}

void AuditTrailDialog::reload() {
    m_table->setRowCount(0);
    auto entries = m_trail->entries();
    if (!entries) {
        m_verdict->setText(entries.error().message);
        return;
    }
    for (const auto& e : *entries) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        const QStringList cells{e.time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                                e.requestedBy,
                                e.server,
                                e.device,
                                e.ticket,
                                e.outcome};
        for (int c = 0; c < cells.size(); ++c)
            m_table->setItem(row, c, new QTableWidgetItem(cells[c]));
    }
}

void AuditTrailDialog::verifyChain() {
    const auto v = m_trail->verify();
    m_verdict->setText(
        v.intact ? tr("✔ The chain is intact: %n entries, none changed, inserted or removed.", nullptr, v.lines)
                 : tr("✖ The chain is broken at line %1: %2").arg(v.firstBadLine).arg(v.problem));
}

void AuditTrailDialog::exportCsv() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export audit trail"),
                                                      QStringLiteral("challenge-audit.csv"), tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    auto csv = m_trail->exportCsv();
    QSaveFile f(path);
    if (!csv || !f.open(QIODevice::WriteOnly) || f.write(*csv) != csv->size() || !f.commit()) {
        QMessageBox::warning(this, tr("Export failed"), csv ? f.errorString() : csv.error().message);
        return;
    }
    m_verdict->setText(tr("Exported to %1.").arg(path));
}

QString AuditTrailDialog::verdict() const {
    return m_verdict->text();
}

int AuditTrailDialog::rows() const {
    return m_table->rowCount();
}

} // namespace ndes::ui
