// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QList>
#include <QPair>
#include <QString>

namespace ndes::events {

// One Windows event as NDES Console keeps it, whatever it was read from (Event XML, EVTX, syslog).
struct EventRecord {
    QDateTime time; // UTC
    int level = 0;  // 1 critical, 2 error, 3 warning, 4 information, 5 verbose (0: not given)
    QString provider;
    int eventId = -1;
    QString computer;
    QString channel;
    qint64 recordId = -1;
    // EventData: Name -> value (unnamed ones as Data1, Data2, ...). UserData (CAPI2 and many operational logs):
    // one field per value, named by its path from the template element, attributes as @name —
    // `CertGetCertificateChain/Flags/@value`, a repeated element as `Certificate[2]` (see EventXmlReader).
    QList<QPair<QString, QString>> data;
    // A forwarded event's <RenderingInfo> (Windows Event Forwarding renders on the source machine): the message, and
    // the level and task as the source's Event Viewer named them. Empty for events without one.
    QString message, levelText, taskText;
    QString rawXml;

    [[nodiscard]] QString dataValue(const QString& name) const;
};

// Whether the fields came from <UserData> (paths, all under one template element); its name, else empty.
[[nodiscard]] QString userDataRoot(const EventRecord& e);
// A field's name for people: a UserData path without its template element, `@value` dropped (it is the element's
// value), other attributes after a dot: `Certificate · subjectName`. EventData names unchanged.
[[nodiscard]] QString fieldLabel(const QString& name);

// The NDES provider under the names tools give it.
[[nodiscard]] bool isNdesProvider(const QString& provider);

} // namespace ndes::events
