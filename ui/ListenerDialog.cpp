// SPDX-License-Identifier: Apache-2.0
#include "ListenerDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace ndes::ui {

ListenerDialog::ListenerDialog(qint64 capacity, QWidget* parent)
    : QDialog(parent) {
    QSettings settings;
    setWindowTitle(tr("Listen for events"));
    auto* form = new QFormLayout(this);
    m_protocol = new QComboBox(this);
    m_protocol->addItem(tr("Syslog over TCP and UDP (RFC 5424/3164)"), QStringLiteral("syslog"));
    m_protocol->addItem(tr("Syslog over TLS (RFC 5425)"), QStringLiteral("syslog-tls"));
    m_protocol->addItem(tr("JSON lines over TCP (NXLog, Winlogbeat)"), QStringLiteral("json"));
    m_protocol->setCurrentIndex(
        std::max(0, m_protocol->findData(settings.value(QStringLiteral("events/protocol"), QStringLiteral("syslog")))));
    m_address =
        new QLineEdit(settings.value(QStringLiteral("events/address"), QStringLiteral("127.0.0.1")).toString(), this);
    m_address->setToolTip(tr("The local address to listen on; 0.0.0.0 for every interface (open your firewall)"));
    m_port = new QSpinBox(this);
    m_port->setRange(1, 65535);
    m_port->setValue(settings.value(QStringLiteral("events/port"), 5514).toInt());
    m_cert = new QLineEdit(settings.value(QStringLiteral("events/tlsCert")).toString(), this);
    m_cert->setPlaceholderText(tr("PEM certificate (for TLS)"));
    m_key = new QLineEdit(settings.value(QStringLiteral("events/tlsKey")).toString(), this);
    m_key->setPlaceholderText(tr("PEM private key, unencrypted, readable only by you"));
    m_capacity = new QSpinBox(this);
    m_capacity->setRange(20000, 5000000);
    m_capacity->setSingleStep(50000);
    m_capacity->setValue(int(std::clamp<qint64>(capacity, 20000, 5000000)));
    m_capacity->setSuffix(tr(" events"));
    m_capacity->setToolTip(tr("Live events kept in memory; the oldest go first, counted as dropped"));
    auto tlsOnly = [this] {
        const bool tls = m_protocol->currentData().toString() == QLatin1String("syslog-tls");
        m_cert->setEnabled(tls);
        m_key->setEnabled(tls);
    };
    tlsOnly();
    connect(m_protocol, &QComboBox::currentIndexChanged, this, tlsOnly);
    form->addRow(tr("Protocol:"), m_protocol);
    form->addRow(tr("Address:"), m_address);
    form->addRow(tr("Port:"), m_port);
    form->addRow(tr("TLS certificate:"), m_cert);
    form->addRow(tr("TLS key:"), m_key);
    form->addRow(tr("Keep at most:"), m_capacity);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Listen"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

Result<events::ListenerSpec> ListenerDialog::spec() const {
    const QString address = m_address->text().trimmed();
    auto spec = events::ListenerSpec::parse(
        QStringLiteral("%1://%2:%3")
            .arg(m_protocol->currentData().toString(),
                 address.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(address) : address)
            .arg(m_port->value()));
    if (!spec)
        return spec.error();
    spec->certificateFile = m_cert->text().trimmed();
    spec->keyFile = m_key->text().trimmed();
    return spec;
}

qint64 ListenerDialog::capacity() const {
    return m_capacity->value();
}

void ListenerDialog::remember() const {
    QSettings settings;
    settings.setValue(QStringLiteral("events/protocol"), m_protocol->currentData());
    settings.setValue(QStringLiteral("events/address"), m_address->text().trimmed());
    settings.setValue(QStringLiteral("events/port"), m_port->value());
    settings.setValue(QStringLiteral("events/tlsCert"), m_cert->text().trimmed());
    settings.setValue(QStringLiteral("events/tlsKey"), m_key->text().trimmed());
}

} // namespace ndes::ui
