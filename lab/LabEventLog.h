// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QList>
#include <QPair>
#include <QString>

namespace ndes::lab {

// What the lab's NDES writes to the Windows Application log, as Event XML exactly as `wevtutil qe /f:xml`
// prints one event: one <Event> element per line, appended to a file (--events-xml).
class LabEventLog {
public:
    enum class Level { Error = 2, Warning = 3, Information = 4 };

    struct Event {
        int id = 0;
        Level level = Level::Information;
        QDateTime time;
        QList<QPair<QString, QString>> data; // EventData, e.g. ErrorCode / ErrorMessage
        QString xml;
    };

    explicit LabEventLog(QString computerName)
        : m_computer(std::move(computerName)) {}

    void setXmlFile(const QString& path) { m_xmlPath = path; }
    void setSyslog(class SyslogSender* sender) { m_syslog = sender; }
    const Event& log(int id, Level level, const QList<QPair<QString, QString>>& data);

    [[nodiscard]] const QList<Event>& events() const { return m_events; }
    [[nodiscard]] QList<int> ids() const;

private:
    QString m_computer;
    QString m_xmlPath;
    QList<Event> m_events;
    quint64 m_recordId = 0;
    class SyslogSender* m_syslog = nullptr;
};

} // namespace ndes::lab
