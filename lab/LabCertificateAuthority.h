// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "LabPki.h"

#include "pki/CertificateRequest.h"
#include "util/Result.h"

#include <QMap>
#include <QSet>
#include <QStringList>

namespace ndes::lab {

// A certificate template as the lab's CA applies it.
struct TemplateProfile {
    QString name;
    int validityDays = 365;
    quint32 keyUsage = 0;
    QStringList extendedKeyUsages;
};

// The enterprise CA behind the lab's NDES: issues from published templates, optionally holds requests for an
// administrator's approval, and remembers transactions for CertPoll.
class LabCertificateAuthority {
public:
    enum class Outcome { Issued, Pending, Refused };
    struct Decision {
        Outcome outcome = Outcome::Refused;
        pki::Certificate certificate;
        QString reason;
    };

    explicit LabCertificateAuthority(const LabPki* pki)
        : m_pki(pki) {}

    void publish(const QString& templateName) { m_published.insert(templateName); }
    void unpublish(const QString& templateName) { m_published.remove(templateName); }
    [[nodiscard]] bool isPublished(const QString& templateName) const { return m_published.contains(templateName); }
    void setManualApproval(bool manual) { m_manual = manual; }

    // Submits a request for a transaction under a template.
    Decision submit(const QString& transactionId, const pki::CertificateRequest& csr, const QString& templateName);
    // CertPoll: the state of a transaction (Refused with reason "unknown" when never seen).
    Decision poll(const QString& transactionId);
    // An administrator approves (or denies) a pending request. False when there is none for that transaction.
    bool approve(const QString& transactionId, bool issue);
    [[nodiscard]] QStringList pendingTransactions() const;
    [[nodiscard]] int issuedCount() const { return m_issuedCount; }

    static TemplateProfile profileFor(const QString& templateName);

private:
    struct Pending {
        pki::CertificateRequest csr;
        QString templateName;
        bool denied = false;
    };
    Result<pki::Certificate> issue(const pki::CertificateRequest& csr, const QString& templateName);

    const LabPki* m_pki;
    QSet<QString> m_published;
    bool m_manual = false;
    QMap<QString, Pending> m_pending;
    QMap<QString, pki::Certificate> m_issued; // by transaction, for CertPoll after approval
    int m_issuedCount = 0;
};

} // namespace ndes::lab
