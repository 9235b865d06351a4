// SPDX-License-Identifier: Apache-2.0
// Click-to-password latency of the Challenge page against ndes-lab with NTLM on loopback.
// Usage: console_bench ADMIN_URL SCEP_URL USER [RUNS] with the account password on stdin.
#include "ChallengePage.h"
#include "ConsoleContext.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

using namespace ndes;

int main(int argc, char* argv[]) {
    QApplication app(argc, argv);
    if (argc < 4) {
        std::fprintf(stderr, "usage: console_bench ADMIN_URL SCEP_URL USER [RUNS] < password\n");
        return 2;
    }
    const int runs = argc > 4 ? std::atoi(argv[4]) : 30;
    std::string line;
    std::getline(std::cin, line);
    QTemporaryDir dir;
    ui::ConsoleContext context(dir.filePath(QStringLiteral("inventory.json")),
                               dir.filePath(QStringLiteral("audit.jsonl")));
    inventory::ServerProfile p;
    p.name = QStringLiteral("Lab");
    p.adminUrl = QUrl(QString::fromLocal8Bit(argv[1]));
    p.scepUrl = QUrl(QString::fromLocal8Bit(argv[2]));
    p.user = QString::fromLocal8Bit(argv[3]);
    p.auth = service::AdminAuth::Ntlm;
    p.allowHttp = true;
    auto id = context.saveProfile(p);
    if (!id)
        return 1;
    context.setSessionPassword(*id, SecretBytes(QByteArray::fromStdString(line)));
    ui::ChallengePage page(&context, false);
    std::vector<double> ms;
    QString last;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        page.generate(); // what the Generate button does
        while ((page.busy() || page.shownPassword() == last || page.shownPassword().isEmpty()) &&
               page.errorText().isEmpty() && t.elapsed() < 20000)
            QTest::qWait(1);
        if (!page.errorText().isEmpty()) {
            std::fprintf(stderr, "error: %s\n", page.errorText().toLocal8Bit().constData());
            return 1;
        }
        ms.push_back(t.nsecsElapsed() / 1e6);
        last = page.shownPassword();
    }
    std::sort(ms.begin(), ms.end());
    std::printf(
        "click to password shown (NTLM, loopback): median %.1f ms, p90 %.1f ms over %d runs (target <= 100 ms)\n",
        ms[ms.size() / 2], ms[ms.size() * 9 / 10], runs);
    return 0;
}
