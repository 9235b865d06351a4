// SPDX-License-Identifier: Apache-2.0
#include "WindowsAuthenticator.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QtEndian>

namespace ndes::lab {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("WindowsAuthenticator", text);
}

gss_OID_desc ntlmsspOid = {10, const_cast<char*>("\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a")};

QString gssError(OM_uint32 major, OM_uint32 minor) {
    QString out;
    for (auto [code, type] : {std::pair{major, GSS_C_GSS_CODE}, std::pair{minor, GSS_C_MECH_CODE}}) {
        OM_uint32 ctx = 0;
        OM_uint32 min = 0;
        gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
        do {
            if (gss_display_status(&min, code, type, GSS_C_NO_OID, &ctx, &msg) != GSS_S_COMPLETE)
                break;
            out += QString::fromUtf8(static_cast<const char*>(msg.value), int(msg.length)) + QLatin1Char(' ');
            gss_release_buffer(&min, &msg);
        } while (ctx != 0);
    }
    return out.trimmed();
}

constexpr quint32 negotiateVersion = 0x02000000;
const char versionField[8] = {6, 1, char(0xb1), 0x1d, 0, 0, 0, 15}; // Windows 6.1.7601, NTLMSSP revision 15

quint32 le32(const QByteArray& b, int at) {
    return qFromLittleEndian<quint32>(reinterpret_cast<const uchar*>(b.constData()) + at);
}
quint16 le16(const QByteArray& b, int at) {
    return qFromLittleEndian<quint16>(reinterpret_cast<const uchar*>(b.constData()) + at);
}
void put32(QByteArray& b, int at, quint32 v) {
    qToLittleEndian<quint32>(v, reinterpret_cast<uchar*>(b.data()) + at);
}

} // namespace

struct WindowsAuthenticator::Context {
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    Scheme scheme = Scheme::Ntlm;
    int legs = 0;
    ~Context() {
        OM_uint32 minor = 0;
        if (ctx != GSS_C_NO_CONTEXT)
            gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    }
};

QByteArray WindowsAuthenticator::repairNtlmToken(const QByteArray& token) {
    if (token.size() < 12 || !token.startsWith(QByteArray("NTLMSSP\0", 8)))
        return token;
    const quint32 type = le32(token, 8);
    QByteArray t = token;
    if (type == 1 && t.size() == 32) {
        // NEGOTIATE without the VERSION field: insert one, as newer Windows clients send it.
        const quint32 flags = le32(t, 12);
        for (int field : {16, 24}) { // DomainNameFields, WorkstationFields: len(2) maxlen(2) offset(4)
            const quint32 offset = le32(t, field + 4);
            if (offset >= 32)
                put32(t, field + 4, offset + 8);
        }
        put32(t, 12, flags | negotiateVersion);
        t.insert(32, versionField, 8);
        return t;
    }
    if (type == 3 && t.size() >= 64) {
        const quint32 flags = le32(t, 60);
        if (!(flags & negotiateVersion))
            return t;
        quint32 first = quint32(t.size());
        for (int field = 12; field <= 52; field += 8)
            if (le16(t, field) > 0)
                first = qMin(first, le32(t, field + 4));
        if (first != 64)
            return t; // the VERSION field is there
        for (int field = 12; field <= 52; field += 8)
            if (le32(t, field + 4) >= 64)
                put32(t, field + 4, le32(t, field + 4) + 8);
        t.insert(64, versionField, 8);
    }
    return t;
}

WindowsAuthenticator::WindowsAuthenticator()
    : m_dir(QDir::tempPath() + QStringLiteral("/ndes-lab-ntlm-XXXXXX")) {}

Result<std::unique_ptr<WindowsAuthenticator>> WindowsAuthenticator::create(const LabUsers& users,
                                                                           const QString& keytab) {
    std::unique_ptr<WindowsAuthenticator> a(new WindowsAuthenticator);
    if (!a->m_dir.isValid())
        return makeError(ErrorKind::Io, tr("Cannot create a private directory for the NTLM user file."));
    const QString userFile = a->m_dir.filePath(QStringLiteral("ntlm-users"));
    {
        QFile f(userFile);
        if (!f.open(QIODevice::WriteOnly) || !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
            return makeError(ErrorKind::Io, tr("Cannot write the NTLM user file."));
        for (const LabUsers::User& u : users.users()) {
            QByteArray line = u.domain.toUtf8() + ':' + u.name.toUtf8() + ':' + u.password.bytes() + '\n';
            f.write(line);
            SecretBytes::cleanse(line);
        }
    }
    qputenv("NTLM_USER_FILE", userFile.toLocal8Bit());
    if (!keytab.isEmpty())
        qputenv("KRB5_KTNAME", QByteArray("FILE:") + keytab.toLocal8Bit());

    OM_uint32 minor = 0;
    gss_OID_set_desc mechs = {1, &ntlmsspOid};
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    const OM_uint32 major =
        gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_ACCEPT, &cred, nullptr, nullptr);
    if (GSS_ERROR(major))
        return makeError(ErrorKind::Internal, tr("gss-ntlmssp is not usable (install the package gss-ntlmssp)."),
                         gssError(major, minor));
    a->m_ntlmCred = cred;
    return a;
}

WindowsAuthenticator::~WindowsAuthenticator() {
    qDeleteAll(m_contexts);
    OM_uint32 minor = 0;
    if (m_ntlmCred) {
        auto cred = static_cast<gss_cred_id_t>(m_ntlmCred);
        gss_release_cred(&minor, &cred);
    }
}

void WindowsAuthenticator::dropConnection(quint64 connectionId) {
    delete m_contexts.take(connectionId);
}

WindowsAuthenticator::Step WindowsAuthenticator::accept(quint64 connectionId, Scheme scheme, const QByteArray& token) {
    Step step;
    Context* c = m_contexts.value(connectionId);
    if (c && (c->scheme != scheme || c->legs >= 4)) {
        delete m_contexts.take(connectionId);
        c = nullptr;
    }
    if (!c) {
        c = new Context;
        c->scheme = scheme;
        m_contexts.insert(connectionId, c);
    }
    ++c->legs;
    QByteArray input = token.startsWith(QByteArray("NTLMSSP\0", 8)) ? repairNtlmToken(token) : token;
    gss_buffer_desc in{size_t(input.size()), input.data()};
    gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
    gss_name_t source = GSS_C_NO_NAME;
    OM_uint32 minor = 0;
    const gss_cred_id_t cred = scheme == Scheme::Ntlm ? static_cast<gss_cred_id_t>(m_ntlmCred) : GSS_C_NO_CREDENTIAL;
    const OM_uint32 major = gss_accept_sec_context(&minor, &c->ctx, cred, &in, GSS_C_NO_CHANNEL_BINDINGS, &source,
                                                   nullptr, &out, nullptr, nullptr, nullptr);
    SecretBytes::cleanse(input);
    if (out.length > 0)
        step.outputToken = QByteArray(static_cast<const char*>(out.value), qsizetype(out.length));
    gss_release_buffer(&minor, &out);
    if (GSS_ERROR(major)) {
        step.state = Step::State::Failed;
        step.error = gssError(major, minor);
        delete m_contexts.take(connectionId);
        if (source != GSS_C_NO_NAME)
            gss_release_name(&minor, &source);
        return step;
    }
    if (major & GSS_S_CONTINUE_NEEDED) {
        step.state = Step::State::Continue;
        return step;
    }
    gss_buffer_desc display = GSS_C_EMPTY_BUFFER;
    if (gss_display_name(&minor, source, &display, nullptr) == GSS_S_COMPLETE) {
        step.account = QString::fromUtf8(static_cast<const char*>(display.value), int(display.length));
        while (step.account.endsWith(QChar(0))) // gss-ntlmssp counts the terminating NUL
            step.account.chop(1);
        gss_release_buffer(&minor, &display);
    }
    gss_release_name(&minor, &source);
    step.state = Step::State::Complete;
    delete m_contexts.take(connectionId); // the connection is authenticated; the context is done
    return step;
}

} // namespace ndes::lab
