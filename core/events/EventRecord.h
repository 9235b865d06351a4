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
    QList<QPair<QString, QString>> data; // EventData: Name -> value (unnamed ones as Data1, Data2, ...)
    QString rawXml;

    [[nodiscard]] QString dataValue(const QString& name) const;
};

// The NDES provider under the names tools give it.
[[nodiscard]] bool isNdesProvider(const QString& provider);

} // namespace ndes::events
