// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ndes/EnrollmentTest.h"
#include "util/Result.h"

#include <QJsonObject>
#include <QList>

namespace ndes::service {

// How sure a ranked cause is, in words ("very likely", "likely", "possible"): the score is for ranking, not a
// probability, so a number would promise too much.
[[nodiscard]] QString confidenceLabel(double confidence);

struct LikelyCause {
    QString id;
    QString title;
    double confidence = 0; // 0..1, for ranking; not a probability
    QString confirm;       // how to confirm it
    QString fix;           // what to do: commands (PowerShell, certutil) and steps
    QStringList sources;

    [[nodiscard]] QJsonObject toJson() const;
};

// Ranks the likely causes of what an enrollment test observed. The causes, their conditions, fixes and sources
// are data (ndes/diagnosis-causes.json, built in; another file can be loaded), so they can grow without code.
class Diagnosis {
public:
    static Result<Diagnosis> builtIn();
    static Result<Diagnosis> fromJson(const QByteArray& json);

    [[nodiscard]] QList<LikelyCause> diagnose(const EnrollmentObservation& observed) const;
    [[nodiscard]] int causeCount() const { return int(m_causes.size()); }

private:
    struct Rule {
        LikelyCause cause;
        QJsonObject require;
        QList<QJsonObject> requireAny;
        QList<QPair<QJsonObject, double>> support;
        double score = 0;
    };
    static bool holds(const QJsonObject& condition, const EnrollmentObservation& observed);
    QList<Rule> m_causes;
};

} // namespace ndes::service
