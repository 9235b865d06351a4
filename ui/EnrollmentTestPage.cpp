// SPDX-License-Identifier: Apache-2.0
#include "EnrollmentTestPage.h"
#include "ReadOnlyGuard.h"
#include "util/Access.h"

#include "ConsoleContext.h"
#include "FlowLayout.h"
#include "LoadTestPanel.h"
#include "RaTrustWarning.h"
#include "ServerPassword.h"
#include "ndes/EnrollmentReport.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QShortcut>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace ndes::ui {

using service::TestStep;

EnrollmentTestPage::EnrollmentTestPage(ConsoleContext* context, QWidget* parent)
    : QWidget(parent)
    , m_context(context) {
    auto* pageLayout = new QVBoxLayout(this);
    pageLayout->setContentsMargins(24, 20, 24, 16);
    auto* title = new QLabel(tr("Enrollment test"), this);
    title->setObjectName(QStringLiteral("pageTitle"));
    pageLayout->addWidget(title);
    auto* intro = new QLabel(tr("Enrolls a test certificate the way a device does — challenge password, key, "
                                "PKCSReq, polling — checks what comes back, and when something fails, ranks the "
                                "likely causes with how to confirm and fix them."),
                             this);
    intro->setObjectName(QStringLiteral("pageIntro"));
    intro->setWordWrap(true);
    pageLayout->addWidget(intro);
    m_tabs = new QTabWidget(this);
    pageLayout->addWidget(m_tabs, 1);
    auto* single = new QWidget(m_tabs);
    m_tabs->addTab(single, tr("Sin&gle test"));
    m_load = new LoadTestPanel(context, m_tabs);
    m_tabs->addTab(m_load, tr("&Load test"));
    connect(m_load, &LoadTestPanel::statusMessage, this, &EnrollmentTestPage::statusMessage);
    auto* layout = new QVBoxLayout(single); // the single test: form, banner, steps and result, buttons

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    m_server = new QComboBox(this);
    // A long server name must not widen the window: the box shows ~24 characters, the list the whole name.
    m_server->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_server->setMinimumContentsLength(24);
    m_server->setObjectName(QStringLiteral("testServer"));
    m_server->setAccessibleName(tr("Server to test"));
    form->addRow(tr("&Server:"), m_server);
    m_subject = new QLineEdit(this);
    m_subject->setPlaceholderText(tr("CN=ndes-console-test-<time> (default)"));
    m_subject->setToolTip(tr("Subject of the test certificate; it is issued for real, so name it recognisably"));
    form->addRow(tr("Su&bject:"), m_subject);
    m_sans = new QLineEdit(this);
    m_sans->setPlaceholderText(tr("router1.example.com, 192.0.2.10 (optional, comma-separated)"));
    form->addRow(tr("Subject &alternative names:"), m_sans);
    auto* rowBox = new QWidget(this);
    auto* row = new FlowLayout(rowBox); // wraps on a narrow window
    m_keySize = new QComboBox(this);
    m_keySize->addItems({QStringLiteral("2048"), QStringLiteral("3072"), QStringLiteral("4096")});
    m_keySize->setAccessibleName(tr("Key size"));
    row->addWidget(FlowLayout::group(this, {new QLabel(tr("Key size:"), this), m_keySize}));
    m_template = new QLineEdit(this);
    m_template->setPlaceholderText(tr("expected template (optional, case matters)"));
    m_template->setAccessibleName(tr("Expected template"));
    m_template->setMinimumWidth(m_template->fontMetrics().horizontalAdvance(m_template->placeholderText()) + 24);
    m_template->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    row->addWidget(m_template);
    m_renew = new QCheckBox(tr("Also &renew"), this);
    m_renew->setToolTip(tr("Renew the new certificate with RenewalReq; NDES often refuses renewal"));
    row->addWidget(m_renew);
    m_run = new QPushButton(tr("R&un test"), this);
    m_run->setObjectName(QStringLiteral("primaryButton"));
    // Ctrl+Enter as its own shortcut: setShortcut() would replace the button's Alt+U mnemonic.
    connect(new QShortcut(QKeySequence(QStringLiteral("Ctrl+Return")), this), &QShortcut::activated, this,
            &EnrollmentTestPage::run);
    m_run->setToolTip(tr("Run the enrollment test (Ctrl+Enter)"));
    connect(m_run, &QPushButton::clicked, this, &EnrollmentTestPage::run);
    guardWriteControl(m_run);
    row->addWidget(m_run);
    form->addRow(QString(), rowBox);
    layout->addLayout(form);
    m_trustWarning = makeRaTrustWarning(this);
    layout->addWidget(m_trustWarning);

    m_banner = new QLabel(this);
    m_banner->setWordWrap(true);
    m_banner->hide();
    if (Access::readOnly()) {
        m_banner->setObjectName(QStringLiteral("warningBanner"));
        m_banner->setText(tr("Auditor (read-only) mode: no test is run here, since a test fetches a challenge "
                             "password and has a real certificate issued."));
        m_banner->show();
    }
    layout->addWidget(m_banner);

    auto* split = new QSplitter(Qt::Horizontal, this);
    m_steps = new QTableWidget(0, 3, split);
    m_steps->setObjectName(QStringLiteral("steps"));
    m_steps->setAccessibleName(tr("Steps of the test"));
    m_steps->setHorizontalHeaderLabels({tr("Step"), tr("Time"), tr("Details")});
    m_steps->verticalHeader()->hide();
    m_steps->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_steps->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_steps->setWordWrap(false);
    m_steps->setTextElideMode(Qt::ElideRight);
    m_steps->verticalHeader()->setDefaultSectionSize(28);
    m_steps->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_steps->horizontalHeader()->resizeSection(0, 250);
    m_steps->horizontalHeader()->resizeSection(1, 64);
    m_result = new QTextBrowser(split);
    m_result->setObjectName(QStringLiteral("diagnosis"));
    m_result->setAccessibleName(tr("Result and diagnosis"));
    m_result->setOpenLinks(false);
    m_result->setHtml(tr("<p style=\"color:#4a5866\">Pick a server and press <b>Run test</b>. The test enrolls "
                         "one real certificate.</p>"));
    split->addWidget(m_steps);
    split->addWidget(m_result);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({640, 420});
    layout->addWidget(split, 1);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    m_copy = new QPushButton(tr("&Copy fixes"), this);
    m_copy->setToolTip(tr("Copy the commands of every likely cause"));
    m_copy->setEnabled(false);
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(fixesText());
        emit statusMessage(tr("The fixes are on the clipboard."));
    });
    m_save = new QPushButton(tr("Save re&port…"), this);
    m_save->setEnabled(false);
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Save enrollment test report"),
                                         QStringLiteral("ndes-enrollment-test.html"), tr("HTML report (*.html)"));
        if (path.isEmpty())
            return;
        QString error;
        if (!saveReport(path, &error))
            QMessageBox::warning(this, tr("Save failed"), error);
        else
            emit statusMessage(tr("Report saved to %1.").arg(path));
    });
    buttons->addWidget(m_copy);
    buttons->addWidget(m_save);
    layout->addLayout(buttons);

    reloadServers();
    connect(m_context, &ConsoleContext::inventoryChanged, this, &EnrollmentTestPage::reloadServers);
    connect(m_server, &QComboBox::currentIndexChanged, this, &EnrollmentTestPage::updateTrustWarning);
    connect(m_server, &QComboBox::currentIndexChanged, this, &EnrollmentTestPage::clearResultOfAnotherServer);
}

void EnrollmentTestPage::reloadServers() {
    const QString current = m_server->currentData().toString();
    m_server->clear();
    for (const auto& p : m_context->inventory().servers())
        m_server->addItem(p.name, p.id);
    const int index = m_server->findData(current);
    if (index >= 0)
        m_server->setCurrentIndex(index);
    m_run->setEnabled(m_server->count() > 0);
    updateTrustWarning(); // the pin or the URL may have changed while the selection stayed
}

void EnrollmentTestPage::selectServer(const QString& name) {
    const int index = m_server->findText(name);
    if (index >= 0)
        m_server->setCurrentIndex(index);
}

void EnrollmentTestPage::run() {
    if (m_test || Access::readOnly()) // Ctrl+Enter too: auditor mode issues no certificate
        return;
    const QString id = m_server->currentData().toString();
    if (!m_context->inventory().find(id)) {
        m_banner->setObjectName(QStringLiteral("errorBanner"));
        m_banner->setText(tr("Add a server on the Servers page first."));
        m_banner->show();
        return;
    }
    m_run->setEnabled(false);
    obtainServerPassword(m_context, id, this, [this, id](bool ok, SecretBytes password) {
        if (!ok) {
            m_run->setEnabled(true);
            return;
        }
        start(id, std::move(password));
    });
}

void EnrollmentTestPage::start(const QString& profileId, SecretBytes password) {
    const auto* p = m_context->inventory().find(profileId);
    if (!p) {
        m_run->setEnabled(true);
        return;
    }
    service::EnrollmentTestOptions o;
    o.scepUrl = p->scepUrl;
    o.adminUrl = p->adminUrl;
    o.auth = p->auth;
    o.user = p->user;
    o.password = std::move(password);
    o.allowHttp = p->allowHttp;
    o.caSha256Pin = p->caPinBytes();
    o.subject = m_subject->text().trimmed();
    for (const QString& san : m_sans->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString v = san.trimmed();
        if (QHostAddress(v).isNull())
            o.dnsNames << v;
        else
            o.ipAddresses << v;
    }
    o.keyBits = m_keySize->currentText().toInt();
    o.renew = m_renew->isChecked();
    o.expectedTemplate = m_template->text().trimmed();
    m_serverName = p->name;
    m_profileId = p->id;
    clearResult();
    m_result->setHtml(tr("<p>Testing <b>%1</b>…</p>").arg(p->name.toHtmlEscaped()));
    emit statusMessage(tr("Enrollment test of %1 running…").arg(p->name));
    m_test = new service::EnrollmentTest(this);
    connect(m_test, &service::EnrollmentTest::stepChanged, this, &EnrollmentTestPage::onStep);
    connect(m_test, &service::EnrollmentTest::finished, this, &EnrollmentTestPage::onFinished);
    m_test->start(std::move(o));
}

void EnrollmentTestPage::onStep(const TestStep& step) {
    int row = m_steps->rowCount() - 1;
    if (row < 0 || m_steps->item(row, 0)->data(Qt::UserRole).toString() != step.id ||
        step.status == TestStep::Status::Running) {
        row = m_steps->rowCount();
        m_steps->insertRow(row);
        m_steps->setItem(row, 0, new QTableWidgetItem);
        m_steps->setItem(row, 1, new QTableWidgetItem);
        m_steps->setItem(row, 2, new QTableWidgetItem);
    }
    QStyle::StandardPixmap icon = QStyle::SP_BrowserReload;
    QColor band;
    switch (step.status) {
    case TestStep::Status::Running:
        icon = QStyle::SP_BrowserReload;
        break;
    case TestStep::Status::Ok:
        icon = QStyle::SP_DialogApplyButton;
        band = QColor(0xe3, 0xf4, 0xe6);
        break;
    case TestStep::Status::Warning:
        icon = QStyle::SP_MessageBoxWarning;
        band = QColor(0xff, 0xf1, 0xd6);
        break;
    case TestStep::Status::Failed:
        icon = QStyle::SP_DialogCancelButton;
        band = QColor(0xfb, 0xe0, 0xdd);
        break;
    case TestStep::Status::Skipped:
        icon = QStyle::SP_ArrowRight;
        band = QColor(0xee, 0xf2, 0xf6);
        break;
    }
    auto* name = m_steps->item(row, 0);
    name->setText(step.title);
    name->setIcon(style()->standardIcon(icon));
    name->setData(Qt::UserRole, step.id);
    name->setData(Qt::AccessibleTextRole, step.title + QStringLiteral(": ") + service::testStepStatusName(step.status));
    m_steps->item(row, 1)->setText(step.status == TestStep::Status::Running ? tr("…") : tr("%1 ms").arg(step.ms));
    QStringList details;
    if (!step.sent.isEmpty())
        details << tr("sent: %1").arg(step.sent);
    if (!step.received.isEmpty())
        details << tr("received: %1").arg(step.received);
    if (!step.detail.isEmpty())
        details << step.detail;
    m_steps->item(row, 2)->setText(details.join(QStringLiteral("  ·  ")));
    for (int c = 0; c < 3; ++c) {
        m_steps->item(row, c)->setToolTip(details.join(QLatin1Char('\n'))); // the whole text, where it is cut
        m_steps->item(row, c)->setBackground(band.isValid() ? QBrush(band) : QBrush());
    }
}

void EnrollmentTestPage::onFinished(const service::EnrollmentTestReport& report) {
    m_test->deleteLater();
    m_test = nullptr;
    m_report = report;
    if (report.observed.failedStep == QLatin1String("challenge"))
        m_context->noteAdminPageResult(m_profileId, report.observed.errorCode);
    auto diagnosis = service::Diagnosis::builtIn();
    m_causes = diagnosis ? diagnosis->diagnose(report.observed) : QList<service::LikelyCause>();
    m_run->setEnabled(true);
    m_save->setEnabled(true);
    m_copy->setEnabled(!m_causes.isEmpty());
    m_banner->setObjectName(report.ok ? QStringLiteral("successBanner") : QStringLiteral("errorBanner"));
    m_banner->style()->unpolish(m_banner);
    m_banner->style()->polish(m_banner);
    m_banner->setText(report.ok
                          ? tr("✔ %1 issued a certificate in %2 ms.").arg(m_serverName).arg(report.totalMs)
                          : (m_causes.isEmpty()
                                 ? tr("✖ Enrollment through %1 failed: %2").arg(m_serverName, report.observed.message)
                                 // The banner follows the diagnosis: the most likely cause first, then what
                                 // the server said (whose own advice may point elsewhere).
                                 : tr("✖ Enrollment through %1 failed. Most likely: %2. (%3)")
                                       .arg(m_serverName, m_causes.first().title, report.observed.message)));
    m_banner->show();
    showResult();
    emit statusMessage(report.ok ? tr("Enrollment test of %1 passed.").arg(m_serverName)
                                 : tr("Enrollment test of %1 failed.").arg(m_serverName));
    emit finished(report.ok);
}

void EnrollmentTestPage::showResult() {
    if (!m_report)
        return;
    const service::EnrollmentTestReport& r = *m_report;
    QString html;
    if (!r.certificate.isNull()) {
        const pki::Certificate& c = r.certificate;
        html += tr("<h3>Issued certificate</h3>");
        html += QStringLiteral("<table cellspacing=\"2\">");
        const QList<QPair<QString, QString>> rows{
            {tr("Subject"), c.subject()},
            {tr("Issuer"), c.issuer()},
            {tr("Serial"), c.serialHex()},
            {tr("Valid until"), c.notAfter().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"))},
            {tr("Template"), c.templateName().isEmpty() ? tr("(not named)") : c.templateName()},
            {tr("Key usage"), c.keyUsageNames().join(QStringLiteral(", "))},
            {tr("EKUs"), c.extendedKeyUsageNames().join(QStringLiteral(", "))}};
        for (const auto& [k, v] : rows)
            html += QStringLiteral("<tr><td style=\"color:#4a5866\">%1</td><td>%2</td></tr>")
                        .arg(k.toHtmlEscaped(), v.toHtmlEscaped());
        html += QStringLiteral("</table>");
    }
    if (!m_causes.isEmpty()) {
        html += r.ok ? tr("<h3>Worth a look</h3>") : tr("<h3>Likely causes, most likely first</h3>");
        int n = 0;
        for (const service::LikelyCause& c : m_causes) {
            html += QStringLiteral("<p><b>%1. %2</b> <span style=\"color:#4a5866\">(%3)</span></p>")
                        .arg(++n)
                        .arg(c.title.toHtmlEscaped(), service::confidenceLabel(c.confidence));
            html += QStringLiteral("<p style=\"margin-left:12px\"><i>%1</i> %2</p>")
                        .arg(tr("Confirm:"), c.confirm.toHtmlEscaped());
            // pre-wrap: a long command wraps instead of running off the pane
            html += QStringLiteral("<pre style=\"margin-left:12px; background:#f6f8fa; white-space:pre-wrap\">%1</pre>")
                        .arg(c.fix.toHtmlEscaped());
        }
    } else if (!r.ok) {
        html += tr("<p>No known cause matches what was seen; the failed step says what the server answered.</p>");
    }
    m_result->setHtml(html);
}

void EnrollmentTestPage::showLoadTest() {
    m_tabs->setCurrentWidget(m_load);
}

QString EnrollmentTestPage::fixesText() const {
    QStringList out;
    for (const service::LikelyCause& c : m_causes)
        out << QStringLiteral("# %1\n%2").arg(c.title, c.fix);
    return out.join(QStringLiteral("\n\n"));
}

bool EnrollmentTestPage::saveReport(const QString& path, QString* error) const {
    if (!m_report) {
        if (error)
            *error = tr("Run a test first.");
        return false;
    }
    const QByteArray bytes = service::EnrollmentReport::html(m_serverName, *m_report, m_causes);
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

void EnrollmentTestPage::clearResult() {
    m_report.reset();
    m_causes.clear();
    m_steps->setRowCount(0);
    m_banner->hide();
    m_save->setEnabled(false);
    m_copy->setEnabled(false);
}

void EnrollmentTestPage::clearResultOfAnotherServer() {
    // A result stays on screen only beside the server it is about.
    if (m_test || m_profileId.isEmpty() || m_server->currentData().toString() == m_profileId)
        return;
    m_profileId.clear();
    clearResult();
    m_result->setHtml(tr("<p style=\"color:#4a5866\">Press <b>Run test</b> to test %1. The test enrolls one real "
                         "certificate.</p>")
                          .arg(m_server->currentText().toHtmlEscaped()));
}

void EnrollmentTestPage::updateTrustWarning() {
    showRaTrustWarning(m_trustWarning, m_context->inventory().find(m_server->currentData().toString()));
}

} // namespace ndes::ui
