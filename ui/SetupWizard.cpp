// SPDX-License-Identifier: Apache-2.0
#include "SetupWizard.h"
#include "ReadOnlyGuard.h"
#include "util/Access.h"

#include "AdApplyDialog.h"
#include "inventory/AppFiles.h"
#include "setup/RegWriter.h"
#include "setup/ScriptWriter.h"
#include "util/AtomicFile.h"
#include "util/Clock.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QScrollArea>
#include <QSet>
#include <QSpinBox>
#include <QStandardPaths>
#include <QSyntaxHighlighter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace ndes::ui {

using setup::PlanIssue;
using setup::SetupPlan;

// --- PowerShell highlighting for the Review page ---------------------------------------------------------------

namespace {

class PowerShellHighlighter : public QSyntaxHighlighter {
public:
    explicit PowerShellHighlighter(QTextDocument* doc)
        : QSyntaxHighlighter(doc) {
        QTextCharFormat keyword;
        keyword.setForeground(QColor(0x00, 0x33, 0x99));
        keyword.setFontWeight(QFont::Bold);
        QTextCharFormat cmdlet;
        cmdlet.setForeground(QColor(0x00, 0x66, 0x99));
        QTextCharFormat variable;
        variable.setForeground(QColor(0x80, 0x33, 0x00));
        m_string.setForeground(QColor(0x1a, 0x7f, 0x37));
        m_comment.setForeground(QColor(0x6a, 0x73, 0x7d));
        m_comment.setFontItalic(true);
        m_rules.append(
            {QRegularExpression(
                 QStringLiteral("\\b(if|else|elseif|foreach|for|while|function|param|try|catch|finally|return|throw|"
                                "in|exit)\\b"),
                 QRegularExpression::CaseInsensitiveOption),
             keyword});
        m_rules.append({QRegularExpression(QStringLiteral("\\b[A-Z][a-z]+-[A-Za-z]+\\b")), cmdlet});
        m_rules.append({QRegularExpression(QStringLiteral("\\$[A-Za-z_][A-Za-z0-9_:]*")), variable});
    }

protected:
    void highlightBlock(const QString& text) override {
        for (const auto& [re, format] : m_rules)
            for (auto it = re.globalMatch(text); it.hasNext();) {
                const auto m = it.next();
                setFormat(int(m.capturedStart()), int(m.capturedLength()), format);
            }
        // Strings and comments last, so nothing inside them is coloured as code.
        static const QRegularExpression strings(QStringLiteral("'(?:[^']|'')*'|\"(?:[^\"`]|`.)*\""));
        for (auto it = strings.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            setFormat(int(m.capturedStart()), int(m.capturedLength()), m_string);
        }
        // Block comments <# ... #> across lines, and # to the end of a line outside strings.
        setCurrentBlockState(0);
        int start = previousBlockState() == 1 ? 0 : int(text.indexOf(QLatin1String("<#")));
        while (start >= 0) {
            const int end = int(text.indexOf(QLatin1String("#>"), start));
            const int length = end < 0 ? int(text.size()) - start : end - start + 2;
            setFormat(start, length, m_comment);
            if (end < 0) {
                setCurrentBlockState(1);
                return;
            }
            start = int(text.indexOf(QLatin1String("<#"), end + 2));
        }
        const qsizetype hash = text.indexOf(QLatin1Char('#'));
        if (hash >= 0 && format(int(hash)) != m_string && !text.startsWith(QLatin1String("#Requires")))
            setFormat(int(hash), int(text.size() - hash), m_comment);
    }

private:
    struct Rule {
        QRegularExpression re;
        QTextCharFormat format;
    };
    QList<Rule> m_rules;
    QTextCharFormat m_string, m_comment;
};

} // namespace

// --- pages -----------------------------------------------------------------------------------------------------

class SetupWizardPage : public QWizardPage {
public:
    SetupWizardPage(SetupWizard* wizard, SetupWizard::PageId id, const QString& title, const QString& subtitle)
        : m_wizard(wizard)
        , m_id(id) {
        setTitle(title);
        setSubTitle(subtitle);
        auto* outer = new QVBoxLayout(this);
        auto* scroll = new QScrollArea(this);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        auto* inner = new QWidget(scroll);
        m_grid = new QGridLayout(inner);
        m_grid->setColumnStretch(1, 1);
        m_grid->setVerticalSpacing(2);
        scroll->setWidget(inner);
        outer->addWidget(scroll);
    }

    // A row: label, editor, then "why it matters" and the field's issue under it.
    void addRow(const QString& label, QWidget* editor, const QString& field, const QString& why,
                std::function<void()> load) {
        const int row = m_grid->rowCount();
        auto* l = new QLabel(label, this);
        l->setBuddy(editor);
        m_grid->addWidget(l, row, 0, Qt::AlignTop);
        m_grid->addWidget(editor, row, 1);
        auto* whyLabel = new QLabel(why, this);
        whyLabel->setWordWrap(true);
        whyLabel->setStyleSheet(QStringLiteral("color:#666; font-size:9pt;"));
        m_grid->addWidget(whyLabel, row + 1, 1);
        auto* issue = new QLabel(this);
        issue->setWordWrap(true);
        issue->setObjectName(QStringLiteral("issue-") + field);
        // The line is kept even when empty: an error that appears must not move the fields under the mouse.
        issue->setMinimumHeight(issue->fontMetrics().height() + 8);
        m_grid->addWidget(issue, row + 2, 1);
        m_grid->setRowMinimumHeight(row + 3, 4);
        m_issueLabels.insert(field, issue);
        m_loaders << std::move(load);
        editor->setAccessibleName(QString(label).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
        editor->setAccessibleDescription(why);
    }

    QLineEdit* text(const QString& label, const QString& field, const QString& why, QString SetupPlan::*member,
                    const QString& placeholder = {}) {
        auto* e = new QLineEdit(this);
        e->setPlaceholderText(placeholder);
        e->setObjectName(field);
        connect(e, &QLineEdit::textEdited, this, [this, e, field, member](const QString& typed) {
            QString v = typed;
            if (field == QLatin1String("raCountry") && v != v.toUpper()) { // "fr" means FR
                const int at = e->cursorPosition();
                v = v.toUpper();
                e->setText(v);
                e->setCursorPosition(at);
            }
            m_touched.insert(field);
            m_wizard->m_plan.*member = v;
            m_wizard->applyDerivedValues();
            m_wizard->revalidate();
        });
        connect(e, &QLineEdit::editingFinished, this, [this, field] {
            if (!m_touched.contains(field)) { // left without typing: now its error may show
                m_touched.insert(field);
                showIssues(m_wizard->m_issues);
            }
        });
        addRow(label, e, field, why, [this, e, member] {
            if (e->text() != m_wizard->m_plan.*member)
                e->setText(m_wizard->m_plan.*member);
        });
        return e;
    }
    QLineEdit* list(const QString& label, const QString& field, const QString& why, QStringList SetupPlan::*member) {
        auto* e = new QLineEdit(this);
        e->setObjectName(field);
        connect(e, &QLineEdit::textEdited, this, [this, field, member](const QString& v) {
            QStringList items;
            for (const QString& x : v.split(QLatin1Char(','), Qt::SkipEmptyParts))
                items << x.trimmed();
            if (field == QLatin1String("ekus")) // "Client Authentication" is taken for its OID
                items = setup::normalizedEkus(items);
            m_touched.insert(field);
            m_wizard->m_plan.*member = items;
            m_wizard->revalidate();
        });
        addRow(label, e, field, why,
               [this, e, member] { e->setText((m_wizard->m_plan.*member).join(QStringLiteral(", "))); });
        return e;
    }
    QSpinBox* number(const QString& label, const QString& field, const QString& why, int SetupPlan::*member, int min,
                     int max, const QString& suffix = {}) {
        auto* s = new QSpinBox(this);
        s->setRange(min, max);
        s->setSuffix(suffix);
        s->setObjectName(field);
        s->setMaximumWidth(180);
        connect(s, &QSpinBox::valueChanged, this, [this, field, member](int v) {
            if (m_wizard->m_plan.*member == v)
                return;
            m_touched.insert(field);
            m_wizard->m_plan.*member = v;
            m_wizard->revalidate();
        });
        addRow(label, s, field, why, [this, s, member] { s->setValue(m_wizard->m_plan.*member); });
        return s;
    }
    QCheckBox* flag(const QString& label, const QString& field, const QString& why, bool SetupPlan::*member) {
        auto* c = new QCheckBox(label, this);
        c->setObjectName(field);
        connect(c, &QCheckBox::toggled, this, [this, field, member](bool v) {
            if (m_wizard->m_plan.*member == v)
                return;
            m_touched.insert(field);
            m_wizard->m_plan.*member = v;
            m_wizard->revalidate();
        });
        addRow(QString(), c, field, why, [this, c, member] { c->setChecked(m_wizard->m_plan.*member); });
        return c;
    }
    // A combo box that also takes a name typed in (e.g. a template of the admin's own).
    QComboBox* editableChoice(const QString& label, const QString& field, const QString& why, const QStringList& items,
                              QString SetupPlan::*member) {
        auto* c = new QComboBox(this);
        c->setEditable(true);
        c->setInsertPolicy(QComboBox::NoInsert);
        c->setCompleter(nullptr); // a name of one's own is not completed into "Computer" or "WebServer"
        c->addItems(items);
        c->setObjectName(field);
        connect(c, &QComboBox::currentTextChanged, this, [this, field, member](const QString& v) {
            if (m_wizard->m_plan.*member == v)
                return;
            m_touched.insert(field);
            m_wizard->m_plan.*member = v;
            m_wizard->revalidate();
        });
        addRow(label, c, field, why, [this, c, member] {
            const QSignalBlocker b(c);
            c->setCurrentText(m_wizard->m_plan.*member);
        });
        return c;
    }
    QComboBox* choice(const QString& label, const QString& field, const QString& why, const QStringList& items,
                      std::function<int()> get, std::function<void(int)> set) {
        auto* c = new QComboBox(this);
        c->addItems(items);
        c->setObjectName(field);
        connect(c, &QComboBox::currentIndexChanged, this, [this, field, set](int i) {
            m_touched.insert(field);
            set(i);
            m_wizard->revalidate();
        });
        addRow(label, c, field, why, [c, get] {
            const QSignalBlocker b(c);
            c->setCurrentIndex(get());
        });
        return c;
    }

    void load() {
        for (auto& f : m_loaders)
            f();
    }

    void showIssues(const QList<PlanIssue>& issues) {
        for (auto it = m_issueLabels.begin(); it != m_issueLabels.end(); ++it) {
            QStringList errors, warnings;
            for (const PlanIssue& i : issues)
                if (i.field == it.key())
                    (i.severity == PlanIssue::Severity::Error ? errors : warnings) << i.message;
            QLabel* l = it.value();
            // An error waits until the field was touched or Next was pressed (a new plan is not all red at once);
            // a warning shows at once.
            if (!m_showAll && !m_touched.contains(it.key()))
                errors.clear();
            if (errors.isEmpty() && warnings.isEmpty()) {
                l->clear();
                l->setStyleSheet(QString());
                continue;
            }
            l->setText((errors + warnings).join(QStringLiteral("\n")));
            l->setStyleSheet(
                errors.isEmpty()
                    ? QStringLiteral("color:#8a5a00; background:#fff4d6; padding:3px; border-radius:3px;")
                    : QStringLiteral("color:#a61b1b; background:#fdecea; padding:3px; border-radius:3px;"));
            l->setVisible(true);
        }
        emit completeChanged();
    }

    [[nodiscard]] bool hasErrors() const {
        const QStringList mine = SetupWizard::fieldsOf(m_id);
        for (const PlanIssue& i : m_wizard->m_issues)
            if (i.severity == PlanIssue::Severity::Error && mine.contains(i.field))
                return true;
        return false;
    }

    // Next is always there to press: with errors on the page it shows them all, puts the cursor in the first, and
    // stays (a disabled Next did not say why).
    bool validatePage() override {
        if (!hasErrors())
            return true;
        m_showAll = true;
        showIssues(m_wizard->m_issues);
        const QStringList mine = SetupWizard::fieldsOf(m_id);
        for (const PlanIssue& i : m_wizard->m_issues)
            if (i.severity == PlanIssue::Severity::Error && mine.contains(i.field))
                if (auto* w = findChild<QWidget*>(i.field)) {
                    w->setFocus();
                    break;
                }
        return false;
    }
    void markTouched(const QString& field) { m_touched.insert(field); }
    [[nodiscard]] bool showsError(const QString& field) const {
        const QLabel* l = m_issueLabels.value(field);
        return l && !l->text().isEmpty() && l->styleSheet().contains(QLatin1String("#a61b1b"));
    }

    QGridLayout* grid() { return m_grid; }
    void finish() { m_grid->setRowStretch(m_grid->rowCount(), 1); } // rows pack at the top

protected:
    SetupWizard* m_wizard;
    SetupWizard::PageId m_id;
    QGridLayout* m_grid;
    QHash<QString, QLabel*> m_issueLabels;
    QList<std::function<void()>> m_loaders;
    QSet<QString> m_touched;
    bool m_showAll = false;
};

namespace {

class ReviewPage : public SetupWizardPage {
public:
    explicit ReviewPage(SetupWizard* wizard)
        : SetupWizardPage(wizard, SetupWizard::Review, SetupWizard::tr("Review"),
                          SetupWizard::tr("The files the plan produces. Run the scripts on the NDES server as an "
                                          "administrator, with -WhatIf first.")) {
        m_summary = new QLabel(this);
        m_summary->setWordWrap(true);
        m_summary->setTextFormat(Qt::RichText);
        grid()->addWidget(m_summary, 0, 0, 1, 2);
        m_tabs = new QTabWidget(this);
        m_tabs->setMinimumHeight(380);
        grid()->addWidget(m_tabs, 1, 0, 1, 2);
        auto* buttons = new QHBoxLayout;
        auto* saveAll = new QPushButton(SetupWizard::tr("&Save all…"), this);
        auto* copy = new QPushButton(SetupWizard::tr("&Copy this file"), this);
        auto* applyAd = new QPushButton(SetupWizard::tr("Apply to Active &Directory…"), this);
        applyAd->setToolTip(SetupWizard::tr("Create the service account, its SPN and the template, give Read and "
                                            "Enroll, and publish it on the CA, over LDAPS: a preview of every change "
                                            "first."));
        buttons->addWidget(saveAll);
        buttons->addWidget(copy);
        buttons->addWidget(applyAd);
        guardWriteControl(saveAll);
        guardWriteControl(applyAd);
        buttons->addStretch(1);
        connect(applyAd, &QPushButton::clicked, this, [this] {
            if (setup::hasErrors(m_wizard->issues())) {
                QMessageBox::information(this, SetupWizard::tr("Apply to Active Directory"),
                                         SetupWizard::tr("The plan has errors: correct them on their pages first."));
                return;
            }
            AdApplyDialog dialog(m_wizard->plan(), this);
            dialog.exec();
        });
        grid()->addLayout(buttons, 2, 0, 1, 2);
        connect(copy, &QPushButton::clicked, this, [this] {
            if (auto* e = qobject_cast<QPlainTextEdit*>(m_tabs->currentWidget()))
                QApplication::clipboard()->setText(e->toPlainText());
        });
        connect(saveAll, &QPushButton::clicked, this, [this] {
            const QString dir = QFileDialog::getExistingDirectory(this, SetupWizard::tr("Save the plan and its files"));
            if (dir.isEmpty())
                return;
            QString error;
            if (!m_wizard->saveAll(dir, &error))
                QMessageBox::warning(this, SetupWizard::tr("Save failed"), error);
            else
                m_summary->setText(m_summary->text() +
                                   SetupWizard::tr("<p><b>Saved to %1.</b></p>").arg(dir.toHtmlEscaped()));
        });
    }

    void initializePage() override { refresh(); }

    void refresh() {
        const SetupPlan& p = m_wizard->plan();
        QStringList warnings;
        for (const PlanIssue& i : m_wizard->issues())
            if (i.severity == PlanIssue::Severity::Warning)
                warnings << QStringLiteral("<li>%1</li>").arg(i.message.toHtmlEscaped());
        m_summary->setText(
            warnings.isEmpty()
                ? SetupWizard::tr("<p>No warnings: the plan follows every recommendation NDES Console knows.</p>")
                : SetupWizard::tr("<p><b>Warnings you accept with this plan:</b></p><ul>%1</ul>")
                      .arg(warnings.join(QString())));
        const int current = m_tabs->currentIndex();
        m_tabs->clear();
        const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        auto add = [&](const QString& name, const QString& text, bool powershell) {
            auto* e = new QPlainTextEdit(text, m_tabs);
            e->setReadOnly(true);
            e->setFont(mono);
            e->setLineWrapMode(QPlainTextEdit::NoWrap);
            e->setAccessibleName(name);
            if (powershell)
                new PowerShellHighlighter(e->document());
            m_tabs->addTab(e, name);
        };
        for (const setup::GeneratedScript& s : setup::ScriptWriter::scripts(p, Clock::instance().now()))
            add(s.fileName, s.text, true);
        add(QStringLiteral("mscep.reg"), setup::RegWriter::text(p), false);
        add(QStringLiteral("plan.json"), QString::fromUtf8(p.toJsonBytes()), false);
        if (current >= 0 && current < m_tabs->count())
            m_tabs->setCurrentIndex(current);
    }

    QTabWidget* tabs() { return m_tabs; }

private:
    QLabel* m_summary;
    QTabWidget* m_tabs;
};

} // namespace

// --- the wizard ------------------------------------------------------------------------------------------------

QStringList SetupWizard::fieldsOf(PageId page) {
    switch (page) {
    case Environment:
        return {QStringLiteral("domainDns"), QStringLiteral("domainNetbios"), QStringLiteral("caConfig"),
                QStringLiteral("ndesHost")};
    case ServiceAccount:
        return {QStringLiteral("accountName"), QStringLiteral("accountUpn"), QStringLiteral("accountOu")};
    case Template:
        return {QStringLiteral("templateName"),     QStringLiteral("templateDisplayName"),
                QStringLiteral("validityDays"),     QStringLiteral("renewalDays"),
                QStringLiteral("minimumKeySize"),   QStringLiteral("ekus"),
                QStringLiteral("templateProvider"), QStringLiteral("baseTemplate"),
                QStringLiteral("subjectInRequest"), QStringLiteral("sanFromRequest")};
    case Registry:
        return {QStringLiteral("signatureTemplate"),
                QStringLiteral("encryptionTemplate"),
                QStringLiteral("generalPurposeTemplate"),
                QStringLiteral("enforcePassword"),
                QStringLiteral("passwordMax"),
                QStringLiteral("passwordValidity"),
                QStringLiteral("passwordLength"),
                QStringLiteral("useSinglePassword"),
                QStringLiteral("hashAlgorithm"),
                QStringLiteral("caCapabilitiesAlgorithms")};
    case Iis:
        return {QStringLiteral("https"),          QStringLiteral("tlsThumbprint"),  QStringLiteral("maxUrl"),
                QStringLiteral("maxQueryString"), QStringLiteral("maxFieldLength"), QStringLiteral("maxRequestBytes"),
                QStringLiteral("appPoolIdentity")};
    case Role:
        return {QStringLiteral("raName"), QStringLiteral("raCountry"), QStringLiteral("raCompany"),
                QStringLiteral("raKeyLength"), QStringLiteral("raCsp")};
    case Review:
        return {};
    }
    return {};
}

SetupWizard::SetupWizard(QWidget* parent)
    : QWizard(parent) {
    setWindowTitle(tr("NDES setup wizard"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::HaveCustomButton1);
    setOption(QWizard::HaveCustomButton2);
    setButtonText(QWizard::CustomButton1, tr("&Open plan…"));
    setButtonText(QWizard::CustomButton2, tr("Save &plan…"));
    QSize size(960, 760); // within the screen's free area on a 1280×720 or 1366×768 laptop
    if (const QScreen* screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableSize() - QSize(24, 48));
    resize(size);

    // Sensible defaults (NDES-FACTS.md): a template of your own in all three values, 2048-bit CryptoAPI RA keys,
    // 30-minute passwords, SHA256, the Intune-sized IIS and HTTP.sys limits.
    m_plan.templateName = QStringLiteral("NDES-Device");
    m_plan.templateDisplayName = QStringLiteral("NDES Device");
    m_plan.signatureTemplate = m_plan.encryptionTemplate = m_plan.generalPurposeTemplate = m_plan.templateName;
    m_plan.passwordValidity = 30;
    m_plan.accountName = QStringLiteral("svc-ndes");

    auto* env =
        new SetupWizardPage(this, Environment, tr("Environment"),
                            tr("Where NDES goes: the AD domain, the CA it forwards requests to, its own name."));
    env->text(tr("AD domain (DNS):"), QStringLiteral("domainDns"),
              tr("The forest's DNS name; the service account and the template live there."), &SetupPlan::domainDns,
              QStringLiteral("corp.example"));
    env->text(tr("NetBIOS name:"), QStringLiteral("domainNetbios"),
              tr("Used as DOMAIN\\account in the app pool and group memberships."), &SetupPlan::domainNetbios,
              QStringLiteral("CORP"));
    env->text(tr("CA config string:"), QStringLiteral("caConfig"),
              tr("HOST\\CA Name, exactly as certutil -dump shows it: NDES sends every request there."),
              &SetupPlan::caConfig, QStringLiteral("ca01.corp.example\\Corp Issuing CA"));
    env->text(tr("NDES server (FQDN):"), QStringLiteral("ndesHost"),
              tr("Goes into the SPN HTTP/<name> and must match the TLS certificate. Not the CA's server."),
              &SetupPlan::ndesHost, QStringLiteral("ndes01.corp.example"));
    env->flag(tr("The Intune certificate connector runs on this server"), QStringLiteral("intune"),
              tr("Intune validates each request itself; only then may NDES run without challenge passwords."),
              &SetupPlan::intune);

    auto* acct = new SetupWizardPage(this, ServiceAccount, tr("Service account"),
                                     tr("The account the SCEP application pool runs as. Least privilege: no local "
                                        "administrator."));
    acct->text(tr("sAMAccountName:"), QStringLiteral("accountName"),
               tr("At most 20 characters: longer names are cut by Windows and the pool logs on as another name."),
               &SetupPlan::accountName);
    acct->text(tr("UPN:"), QStringLiteral("accountUpn"), tr("name@domain; Kerberos uses it."), &SetupPlan::accountUpn,
               QStringLiteral("svc-ndes@corp.example"));
    acct->text(tr("OU:"), QStringLiteral("accountOu"),
               tr("Distinguished name of the OU for the account, ending in the domain's DC parts."),
               &SetupPlan::accountOu, QStringLiteral("OU=Service Accounts,DC=corp,DC=example"));
    acct->choice(
        tr("Password:"), QStringLiteral("passwordPolicy"),
        tr("Never stored in the plan: generated when the script runs (put on the clipboard once), or asked "
           "for."),
        {tr("Ask when the script runs"), tr("Generate a strong one")},
        [this] { return m_plan.passwordPolicy == SetupPlan::PasswordPolicy::Generate ? 1 : 0; },
        [this](int i) {
            m_plan.passwordPolicy = i == 1 ? SetupPlan::PasswordPolicy::Generate : SetupPlan::PasswordPolicy::Prompt;
        });

    auto* tmpl = new SetupWizardPage(this, Template, tr("Certificate template"),
                                     tr("The template devices get their certificates from."));
    tmpl->text(tr("Template name:"), QStringLiteral("templateName"),
               tr("The short name (no spaces). The registry and the CA must use it letter for letter, case "
                  "included."),
               &SetupPlan::templateName);
    tmpl->text(tr("Display name:"), QStringLiteral("templateDisplayName"), tr("What admins see in certtmpl.msc."),
               &SetupPlan::templateDisplayName);
    tmpl->editableChoice(tr("Based on:"), QStringLiteral("baseTemplate"),
                         tr("The template copied as a start: Computer, WebServer, or type the name of one of your "
                            "own. Only what the plan does not set is taken from it."),
                         {QStringLiteral("Computer"), QStringLiteral("WebServer")}, &SetupPlan::baseTemplate);
    tmpl->number(tr("Validity:"), QStringLiteral("validityDays"), tr("How long device certificates live."),
                 &SetupPlan::validityDays, 1, 3650, tr(" days"));
    tmpl->number(tr("Renewal period:"), QStringLiteral("renewalDays"),
                 tr("How long before expiry renewal starts; shorter than the validity."), &SetupPlan::renewalDays, 0,
                 3650, tr(" days"));
    tmpl->choice(
        tr("Purpose:"), QStringLiteral("purpose"),
        tr("Decides which registry value NDES uses for this template (by the request's key usage)."),
        {tr("Signature"), tr("Encryption"), tr("Signature and encryption")}, [this] { return int(m_plan.purpose); },
        [this](int i) { m_plan.purpose = SetupPlan::Purpose(i); });
    tmpl->number(tr("Minimum key size:"), QStringLiteral("minimumKeySize"), tr("2048 bits or more."),
                 &SetupPlan::minimumKeySize, 512, 16384, tr(" bits"));
    tmpl->list(tr("EKUs:"), QStringLiteral("ekus"),
               tr("Comma-separated names or OIDs, e.g. Client Authentication, Server Authentication or "
                  "1.3.6.1.5.5.7.3.2; names are kept as their OIDs."),
               &SetupPlan::ekus);
    tmpl->flag(tr("Subject supplied in the request"), QStringLiteral("subjectInRequest"),
               tr("Devices name themselves; NDES has no AD object to build the subject from."),
               &SetupPlan::subjectInRequest);
    tmpl->flag(tr("Subject alternative names supplied in the request"), QStringLiteral("sanFromRequest"),
               tr("Devices put their DNS names or IP addresses in the SAN; TLS clients check those, not the subject."),
               &SetupPlan::sanFromRequest);
    tmpl->flag(tr("Private key exportable"), QStringLiteral("exportableKey"),
               tr("Only for Windows clients; devices keep their keys anyway."), &SetupPlan::exportableKey);

    auto* reg = new SetupWizardPage(this, Registry, tr("Registry (challenge passwords)"),
                                    tr("HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP, written where NDES reads it."));
    reg->text(tr("SignatureTemplate:"), QStringLiteral("signatureTemplate"),
              tr("Template for requests with a signing key only. The three values are the only settings that are "
                 "values of MSCEP itself."),
              &SetupPlan::signatureTemplate);
    reg->text(tr("EncryptionTemplate:"), QStringLiteral("encryptionTemplate"),
              tr("Template for requests with an encryption key only."), &SetupPlan::encryptionTemplate);
    reg->text(tr("GeneralPurposeTemplate:"), QStringLiteral("generalPurposeTemplate"),
              tr("Template for requests with both (most devices)."), &SetupPlan::generalPurposeTemplate);
    reg->flag(tr("Require a challenge password (EnforcePassword)"), QStringLiteral("enforcePassword"),
              tr("Off only with Intune: otherwise any device that reaches NDES gets a certificate."),
              &SetupPlan::enforcePassword);
    reg->number(tr("PasswordMax:"), QStringLiteral("passwordMax"),
                tr("How many unused passwords NDES keeps — the cache size, not minutes. When it is full the admin "
                   "page refuses new ones."),
                &SetupPlan::passwordMax, 0, 100000);
    reg->number(tr("PasswordValidity:"), QStringLiteral("passwordValidity"),
                tr("Minutes a password stays valid. 30 or less limits what a leaked password is worth."),
                &SetupPlan::passwordValidity, 0, 100000, tr(" min"));
    reg->number(tr("PasswordLength:"), QStringLiteral("passwordLength"),
                tr("Bytes; shown as twice as many hex digits."), &SetupPlan::passwordLength, 0, 64, tr(" bytes"));
    reg->flag(tr("One static password (UseSinglePassword)"), QStringLiteral("useSinglePassword"),
              tr("Never expires and works for every device: avoid."), &SetupPlan::useSinglePassword);
    reg->text(tr("HashAlgorithm:"), QStringLiteral("hashAlgorithm"), tr("SHA256 unless old devices need SHA1."),
              &SetupPlan::hashAlgorithm);
    reg->list(tr("CACapabilitiesAlgorithms:"), QStringLiteral("caCapabilitiesAlgorithms"),
              tr("What GetCACaps advertises, e.g. SHA-256, SHA-512, AES: devices pick the strongest offered."),
              &SetupPlan::caCapabilitiesAlgorithms);

    auto* iis = new SetupWizardPage(this, Iis, tr("IIS and HTTP.sys"),
                                    tr("Limits long enough for SCEP GET requests, and TLS for the passwords."));
    iis->flag(tr("HTTPS"), QStringLiteral("https"),
              tr("Without it, challenge passwords and the admin page travel in clear text."), &SetupPlan::https);
    iis->text(tr("TLS certificate thumbprint:"), QStringLiteral("tlsThumbprint"),
              tr("SHA-1 thumbprint (40 hex digits) of a certificate in LocalMachine\\My with Server Authentication "
                 "and the server's name."),
              &SetupPlan::tlsThumbprint);
    iis->text(tr("SCEP pool identity:"), QStringLiteral("appPoolIdentity"),
              tr("The account the SCEP application pool runs as. Empty: the service account, which has the rights "
                 "NDES needs."),
              &SetupPlan::appPoolIdentity, tr("the service account"));
    iis->number(tr("maxUrl:"), QStringLiteral("maxUrl"), tr("IIS request filtering; 65534 for SCEP GET."),
                &SetupPlan::maxUrl, 1, 16777216);
    iis->number(tr("maxQueryString:"), QStringLiteral("maxQueryString"),
                tr("IIS request filtering; the SCEP message travels in the query string."), &SetupPlan::maxQueryString,
                1, 16777216);
    iis->number(tr("HTTP.sys MaxFieldLength:"), QStringLiteral("maxFieldLength"),
                tr("Registry, HTTP\\Parameters; read at boot: a reboot is needed, not iisreset."),
                &SetupPlan::maxFieldLength, 1, 16777216);
    iis->number(tr("HTTP.sys MaxRequestBytes:"), QStringLiteral("maxRequestBytes"), tr("As MaxFieldLength."),
                &SetupPlan::maxRequestBytes, 1, 16777216);

    auto* role = new SetupWizardPage(this, Role, tr("NDES role and RA"),
                                     tr("Install-AdcsNetworkDeviceEnrollmentService and its two RA certificates."));
    role->text(tr("RA name:"), QStringLiteral("raName"), tr("The RA certificates' common name."), &SetupPlan::raName,
               QStringLiteral("NDES01-MSCEP-RA"));
    role->text(tr("Country:"), QStringLiteral("raCountry"), tr("Two capital letters (ISO 3166)."),
               &SetupPlan::raCountry);
    role->text(tr("Company:"), QStringLiteral("raCompany"), tr("The RA certificates' O."), &SetupPlan::raCompany);
    role->number(tr("Signing key length:"), QStringLiteral("raKeyLength"), tr("2048 bits or more."),
                 &SetupPlan::raSigningKeyLength, 512, 16384, tr(" bits"));
    role->number(tr("Encryption key length:"), QStringLiteral("raKeyLength-enc"), tr("2048 bits or more."),
                 &SetupPlan::raEncryptionKeyLength, 512, 16384, tr(" bits"));
    role->text(tr("Signing CSP:"), QStringLiteral("raCsp"),
               tr("A CryptoAPI provider: NDES cannot use KSP/CNG keys for its RA."), &SetupPlan::raSigningCsp);
    role->text(tr("Encryption CSP:"), QStringLiteral("raCsp-enc"), tr("As the signing CSP."),
               &SetupPlan::raEncryptionCsp);

    auto* review = new ReviewPage(this);
    m_pages = {env, acct, tmpl, reg, iis, role, review};
    for (SetupWizardPage* page : {env, acct, tmpl, reg, iis, role})
        page->finish();
    for (int i = 0; i < m_pages.size(); ++i)
        setPage(i, m_pages[i]);

    connect(this, &QWizard::customButtonClicked, this, [this](int which) {
        QString error;
        if (which == QWizard::CustomButton1) {
            const QString path =
                QFileDialog::getOpenFileName(this, tr("Open a setup plan"), QString(), tr("Setup plans (*.json)"));
            if (!path.isEmpty() && !openPlan(path, &error))
                QMessageBox::warning(this, tr("Cannot open the plan"), error);
        } else {
            const QString path = QFileDialog::getSaveFileName(
                this, tr("Save the setup plan"), QStringLiteral("ndes-plan.json"), tr("Setup plans (*.json)"));
            if (!path.isEmpty() && !savePlan(path, &error))
                QMessageBox::warning(this, tr("Cannot save the plan"), error);
        }
    });
    setButtonText(QWizard::CustomButton3, tr("Start o&ver"));
    setOption(QWizard::HaveCustomButton3);
    connect(this, &QWizard::customButtonClicked, this, [this](int which) {
        if (which == QWizard::CustomButton3)
            startOver();
    });
    setButtonLayout({QWizard::CustomButton1, QWizard::CustomButton2, QWizard::CustomButton3, QWizard::Stretch,
                     QWizard::BackButton, QWizard::NextButton, QWizard::FinishButton, QWizard::CancelButton});
    guardWriteControl(button(QWizard::CustomButton2)); // Save plan
    m_firstSubtitle = m_pages.value(Environment) ? m_pages[Environment]->subTitle() : QString();
    // Where one is among the seven steps.
    m_steps = new QLabel(this);
    m_steps->setObjectName(QStringLiteral("wizardSteps"));
    m_steps->setTextFormat(Qt::RichText);
    m_steps->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_steps->setContentsMargins(8, 12, 16, 8);
    int widest = 0;
    for (SetupWizardPage* p : m_pages) {
        QFont bold = m_steps->font();
        bold.setBold(true);
        widest = std::max(widest, QFontMetrics(bold).horizontalAdvance(QStringLiteral("7. ") + p->title()));
    }
    m_steps->setMinimumWidth(widest + 32);
    setSideWidget(m_steps);
    connect(this, &QWizard::currentIdChanged, this, &SetupWizard::updateSteps);
    setPlan(m_plan);
    m_defaults = m_plan.toJsonBytes();

    // The draft of the last session, if there is one: the work is not lost to a stray Escape.
    if (QFileInfo(draftPath()).isFile()) {
        if (auto draft = SetupPlan::load(draftPath())) {
            const QDateTime when = QFileInfo(draftPath()).lastModified();
            setPlan(*draft);
            m_cleanPlan = m_defaults; // a draft is not in a file of the admin's
            m_draftRestored = true;
            if (m_pages.value(Environment))
                m_pages[Environment]->setSubTitle(
                    tr("%1\nYour unsaved plan from %2 was restored. Start over for a fresh one.")
                        .arg(m_firstSubtitle, QLocale().toString(when, QLocale::ShortFormat)));
        }
    }
    updateSteps();
    m_draftTimer = new QTimer(this);
    m_draftTimer->setSingleShot(true);
    m_draftTimer->setInterval(800);
    connect(m_draftTimer, &QTimer::timeout, this, &SetupWizard::writeDraft);
    connect(this, &SetupWizard::planChanged, this, [this] {
        if (hasUnsavedChanges())
            m_draftTimer->start();
    });
}

QString SetupWizard::draftPath() {
    return inventory::dataDir() + QStringLiteral("/setup-draft.json");
}

void SetupWizard::writeDraft() {
    if (Access::readOnly())
        return; // auditor mode writes nothing, not even a draft
    QDir().mkpath(QFileInfo(draftPath()).absolutePath());
    (void)m_plan.save(draftPath()); // a draft that cannot be written costs nothing now; the close asks anyway
}

void SetupWizard::removeDraft() {
    if (m_draftTimer)
        m_draftTimer->stop();
    if (Access::readOnly())
        return;
    QFile::remove(draftPath());
}

void SetupWizard::markClean() {
    m_cleanPlan = m_plan.toJsonBytes();
    m_draftRestored = false;
    removeDraft();
    if (m_pages.value(Environment))
        m_pages[Environment]->setSubTitle(m_firstSubtitle);
}

bool SetupWizard::currentPageHasErrors() const {
    const QStringList mine = fieldsOf(PageId(currentId()));
    return std::any_of(m_issues.begin(), m_issues.end(), [&](const setup::PlanIssue& i) {
        return i.severity == setup::PlanIssue::Severity::Error && mine.contains(i.field);
    });
}

void SetupWizard::startOver() {
    if (hasUnsavedChanges() &&
        QMessageBox::question(this, tr("Start over"),
                              tr("Discard this plan and start again from the defaults? It is in no file."),
                              QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Discard)
        return;
    auto fresh = SetupPlan::fromJson(m_defaults);
    if (fresh)
        setPlan(*fresh);
    markClean();
    restart();
}

void SetupWizard::done(int result) {
    // Escape, Cancel, the window's close button and Finish all come here. Nothing typed goes without a question.
    if (hasUnsavedChanges() && !Access::readOnly()) { // auditor mode keeps no plan: nothing to ask
        QMessageBox box(QMessageBox::Question, tr("Close the setup wizard?"),
                        tr("This plan is in no file yet. Keep it as a draft? It comes back the next time you open "
                           "the wizard."),
                        QMessageBox::NoButton, this);
        QPushButton* keep = box.addButton(tr("&Keep as draft and close"), QMessageBox::AcceptRole);
        QPushButton* discard = box.addButton(tr("&Discard the plan"), QMessageBox::DestructiveRole);
        QPushButton* stay = box.addButton(tr("Go on &editing"), QMessageBox::RejectRole);
        box.setDefaultButton(keep);
        box.setEscapeButton(stay);
        box.exec();
        if (box.clickedButton() == stay || !box.clickedButton())
            return;
        if (box.clickedButton() == discard)
            removeDraft();
        else if (box.clickedButton() == keep)
            writeDraft();
    }
    QWizard::done(result);
}

void SetupWizard::setPlan(const SetupPlan& plan) {
    m_plan = plan;
    for (SetupWizardPage* p : m_pages)
        p->load();
    revalidate();
    // What is set from outside (a plan file, the defaults) is what "unchanged" means from here on.
    m_cleanPlan = m_plan.toJsonBytes();
    m_draftRestored = false;
    if (m_pages.value(Environment) && !m_firstSubtitle.isEmpty())
        m_pages[Environment]->setSubTitle(m_firstSubtitle);
}

void SetupWizard::applyDerivedValues() {
    // Obvious values are filled in, and follow what they come from until typed over: the UPN from the account and
    // the domain, the RA's name from the NDES host.
    const QString upn = m_plan.accountName.trimmed().isEmpty() || m_plan.domainDns.trimmed().isEmpty()
                            ? QString()
                            : m_plan.accountName.trimmed() + QLatin1Char('@') + m_plan.domainDns.trimmed().toLower();
    if (m_plan.accountUpn.isEmpty() || m_plan.accountUpn == m_derivedUpn) {
        m_plan.accountUpn = upn;
        m_derivedUpn = upn;
    }
    const QString host = m_plan.ndesHost.trimmed().section(QLatin1Char('.'), 0, 0).toUpper();
    const QString ra = host.isEmpty() ? QString() : host + QStringLiteral("-MSCEP-RA");
    if (m_plan.raName.isEmpty() || m_plan.raName == m_derivedRaName) {
        m_plan.raName = ra;
        m_derivedRaName = ra;
    }
    for (SetupWizardPage* p : m_pages)
        p->load(); // only editors whose value changed are touched: the cursor stays where it is
}

void SetupWizard::updateSteps() {
    if (!m_steps)
        return;
    QStringList rows;
    const QList<int> ids = pageIds();
    for (int i = 0; i < ids.size(); ++i) {
        const QString title = page(ids[i])->title().toHtmlEscaped();
        rows << (ids[i] == currentId()
                     ? QStringLiteral("<p style='margin:6px 0'><b>%1. %2</b></p>").arg(i + 1).arg(title)
                     : QStringLiteral("<p style='margin:6px 0; color:#5f6b7a'>%1. %2</p>").arg(i + 1).arg(title));
    }
    m_steps->setText(rows.join(QString()));
    m_steps->setAccessibleDescription(tr("Step %1 of %2").arg(ids.indexOf(currentId()) + 1).arg(ids.size()));
}

void SetupWizard::revalidate() {
    m_issues = setup::validate(m_plan);
    for (SetupWizardPage* p : m_pages)
        p->showIssues(m_issues);
    if (currentId() == Review)
        static_cast<ReviewPage*>(m_pages[Review])->refresh();
    emit planChanged();
}

bool SetupWizard::savePlan(const QString& path, QString* error) {
    const Status st = m_plan.save(path);
    if (!st && error)
        *error = st.error().message;
    if (st)
        markClean();
    return bool(st);
}

bool SetupWizard::openPlan(const QString& path, QString* error) {
    auto p = SetupPlan::load(path);
    if (!p) {
        if (error)
            *error = p.error().message;
        return false;
    }
    setPlan(*p);
    markClean();
    return true;
}

bool SetupWizard::saveAll(const QString& directory, QString* error) {
    if (setup::hasErrors(m_issues)) {
        if (error)
            *error = tr("The plan still has errors; fix them first.");
        return false;
    }
    auto capability = Access::request(WriteOperation::SetupFilesSave); // auditor mode saves nothing
    const Status plan = !capability ? Status(capability.error())
                                    : AtomicFile::write(QDir(directory).filePath(QStringLiteral("plan.json")),
                                                        m_plan.toJsonBytes(), AtomicFile::Access::WorldReadable);
    const auto files =
        plan ? setup::writePlanFiles(m_plan, directory, Clock::instance().now()) : Result<QStringList>(plan.error());
    if (!files && error)
        *error = files.error().message;
    if (files)
        markClean();
    return bool(files);
}

} // namespace ndes::ui
