// SPDX-License-Identifier: Apache-2.0
// Fuzzes ndes-lab's request handling: the HTTP/1.1 reader and everything behind it (SCEP operations,
// PKIOperation bodies, the admin page, control requests).
#include "LabHttpServer.h"
#include "NdesLabServer.h"

#include <QCoreApplication>
#include <QTemporaryDir>

namespace {
QTemporaryDir* stateDir = nullptr;
ndes::lab::NdesLabServer* server = nullptr;
} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    static QCoreApplication app(*argc, *argv);
    stateDir = new QTemporaryDir;
    ndes::lab::NdesLabServer::Options o;
    o.pki.stateDir = stateDir->path();
    auto created = ndes::lab::NdesLabServer::create(o);
    if (!created)
        qFatal("cannot create the lab: %s", qPrintable(created.error().toString()));
    server = created->release();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    QByteArray buffer(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    server->faults() = ndes::lab::LabFaults();
    const ndes::lab::LabHttpServer::Limits limits;
    for (int i = 0; i < 16 && !buffer.isEmpty(); ++i) {
        auto parsed = ndes::lab::LabHttpServer::parseRequest(buffer, limits, "http://127.0.0.1:8080");
        if (parsed.kind != ndes::lab::LabHttpServer::Parsed::Kind::Request)
            break;
        parsed.request.localPort = 8080; // as if it came in on the base URL's port (control requests check Host)
        (void)server->handle(parsed.request);
    }
    return 0;
}
