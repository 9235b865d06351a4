// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/Snapshot.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

namespace ndes::audit {

// One setting that differs between two snapshots: the same server before and after a change, or two servers
// behind one load balancer that should be configured alike.
struct DriftItem {
    QString area;    // registry, iis, certificates, groups, user-rights, host
    QString setting; // e.g. "MSCEP\PasswordValidity\PasswordValidity", "SCEP pool identity", "My: CN=…-MSCEP-RA"
    QString a;       // the value in the first snapshot; empty when absent there
    QString b;

    [[nodiscard]] QJsonObject toJson() const;
};

struct DriftReport {
    QString hostA;
    QString hostB;
    QDateTime collectedA;
    QDateTime collectedB;
    QList<DriftItem> differences;
    int same = 0;        // settings present in both with the same value
    QStringList notSeen; // evidence one snapshot has and the other lacks entirely (so its settings are not compared)

    [[nodiscard]] QJsonObject toJson() const;
};

// Every setting the audit reads, as "area / setting -> value" (registry values, IIS pools, bindings and the
// settings that apply to NDES's applications, certificates by store and subject, local groups, user rights,
// installed features).
[[nodiscard]] QMap<std::pair<QString, QString>, QString> settingsOf(const Snapshot& s);

// Setting by setting, certificate by certificate. Evidence kinds one side lacks are listed, not reported as
// differences of every setting in them.
[[nodiscard]] DriftReport compareSnapshots(const Snapshot& a, const Snapshot& b);

// Several servers that should be configured alike (behind one load balancer): every setting whose value is not the
// same on all of them, one column per server. A server whose snapshot lacks a kind of evidence entirely shows
// "(not collected)" for its settings, which is not counted as a difference.
struct FleetRow {
    QString area;
    QString setting;
    QStringList values; // one per server, in the order given; "(absent)" or "(not collected)" where so
};

struct FleetReport {
    QStringList hosts; // one per snapshot, in the order given (the host name, else the snapshot's folder name)
    QList<QDateTime> collected;
    QList<FleetRow> differences;
    int same = 0; // settings with one value on every server that has the evidence

    [[nodiscard]] QJsonObject toJson() const;
};

[[nodiscard]] FleetReport compareFleet(const QList<const Snapshot*>& snapshots);

} // namespace ndes::audit
