// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "inventory/ServerProfile.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;

namespace ndes::ui {

class ConsoleContext;

// The NDES servers: add, edit, remove, and test a connection (GetCACaps, GetCACert, the admin page).
class ServersPage : public QWidget {
    Q_OBJECT
public:
    explicit ServersPage(ConsoleContext* context, QWidget* parent = nullptr);

public slots:
    void addServer();
    void editServer();
    void removeServer();
    void testConnection();
    void refresh();

signals:
    void statusMessage(const QString& text);

private:
    [[nodiscard]] QString selectedId() const;
    void editProfile(const inventory::ServerProfile& profile);

    ConsoleContext* m_context;
    QTableWidget* m_table;
    QPushButton* m_edit;
    QPushButton* m_remove;
    QPushButton* m_test;
    QLabel* m_result;
};

} // namespace ndes::ui
