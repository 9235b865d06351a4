// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "inventory/ServerProfile.h"

#include <QMap>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;

namespace ndes::ui {

class ConsoleContext;

// The NDES servers: add, edit, remove, test a connection (GetCACaps, GetCACert, the admin page; no sign-in) and
// check the sign-in (one challenge password).
class ServersPage : public QWidget {
    Q_OBJECT
public:
    explicit ServersPage(ConsoleContext* context, QWidget* parent = nullptr);

public slots:
    void addServer();
    void editServer();
    void removeServer();
    void testConnection();
    // Signs in once with the saved account (costs one challenge password): the check "Test connection" cannot make.
    void checkSignIn();
    void refresh();

signals:
    void statusMessage(const QString& text);

private:
    [[nodiscard]] QString selectedId() const;
    void editProfile(const inventory::ServerProfile& profile);
    void showResultFor(const QString& id);
    void setResult(const QString& id, const QString& text);

    ConsoleContext* m_context;
    QTableWidget* m_table;
    QPushButton* m_edit;
    QPushButton* m_remove;
    QPushButton* m_test;
    QPushButton* m_signIn;
    bool m_signingIn = false;
    QLabel* m_result;
    QMap<QString, QString> m_results; // per server: a result stays with its server, not with the screen
};

} // namespace ndes::ui
