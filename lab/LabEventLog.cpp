// SPDX-License-Identifier: Apache-2.0
#include "LabEventLog.h"

#include "SyslogSender.h"
#include "util/Clock.h"

#include <QCoreApplication>
#include <QFile>
#include <QThread>

namespace ndes::lab {

namespace {
QString xmlEscape(const QString& s) {
    QString out = s.toHtmlEscaped();
    out.replace(QLatin1Char('\''), QStringLiteral("&apos;"));
    return out;
}
} // namespace

const LabEventLog::Event& LabEventLog::log(int id, Level level, const QList<QPair<QString, QString>>& data) {
    Event e;
    e.id = id;
    e.level = level;
    e.time = Clock::instance().now();
    e.data = data;
    QString eventData;
    for (const auto& [name, value] : data)
        eventData += QStringLiteral("<Data Name='%1'>%2</Data>").arg(xmlEscape(name), xmlEscape(value));
    e.xml = QStringLiteral("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                           "<Provider Name='Microsoft-Windows-NetworkDeviceEnrollmentService' "
                           "Guid='{73144342-19d1-47a4-94de-d38e6a054ad5}'/><EventID>%1</EventID><Version>0</Version>"
                           "<Level>%2</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords>"
                           "<TimeCreated SystemTime='%3'/><EventRecordID>%4</EventRecordID><Correlation/>"
                           "<Execution ProcessID='%5' ThreadID='%6'/><Channel>Application</Channel>"
                           "<Computer>%7</Computer><Security/></System><EventData>%8</EventData></Event>")
                .arg(id)
                .arg(int(level))
                .arg(e.time.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz0000Z")))
                .arg(++m_recordId)
                .arg(QCoreApplication::applicationPid())
                .arg(quintptr(QThread::currentThreadId()) & 0xFFFF)
                .arg(xmlEscape(m_computer), eventData);
    if (!m_xmlPath.isEmpty()) {
        QFile f(m_xmlPath);
        if (f.open(QIODevice::Append | QIODevice::WriteOnly))
            f.write(e.xml.toUtf8() + '\n');
    }
    if (m_syslog) {
        const int severity = level == Level::Error ? 3 : level == Level::Warning ? 4 : 6;
        m_syslog->send(severity, m_computer, QString::number(id),
                       QStringLiteral("[ndes@32473 EventID=\"%1\" Level=\"%2\"]").arg(id).arg(int(level)), e.xml);
    }
    m_events.append(e);
    if (m_events.size() > 10000)
        m_events.removeFirst();
    return m_events.last();
}

QList<int> LabEventLog::ids() const {
    QList<int> out;
    for (const Event& e : m_events)
        out << e.id;
    return out;
}

} // namespace ndes::lab
