// SPDX-License-Identifier: Apache-2.0
#include "directory/LdapConnection.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QTcpSocket>

#include <lber.h>
#include <ldap.h>
#include <sasl/sasl.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <poll.h>
#include <vector>

namespace ndes::directory {
namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ndes::directory::LdapConnection", text);
}

// RAII for what libldap hands out.
struct MsgFree {
    void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using MessagePtr = std::unique_ptr<LDAPMessage, MsgFree>;
struct MemFree {
    void operator()(char* p) const { ldap_memfree(p); }
};
using LdapString = std::unique_ptr<char, MemFree>;
struct BerFree {
    void operator()(BerElement* b) const { ber_free(b, 0); }
};
struct ValuesFree {
    void operator()(berval** v) const { ldap_value_free_len(v); }
};
struct ControlFree {
    void operator()(LDAPControl* c) const { ldap_control_free(c); }
};
using ControlPtr = std::unique_ptr<LDAPControl, ControlFree>;
struct ControlsFree {
    void operator()(LDAPControl** c) const { ldap_controls_free(c); }
};
struct RefsFree {
    void operator()(char** r) const { ber_memvfree(reinterpret_cast<void**>(r)); }
};
struct BervalFree {
    void operator()(berval* b) const { ber_bvfree(b); }
};

// The largest single LDAP message accepted from the server (one entry with every value): bounds what libldap
// buffers before this code sees it.
constexpr ber_len_t maxMessageBytes = 64 * 1024 * 1024;
const char* const sdFlagsOid = "1.2.840.113556.1.4.801";
const char* const systemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

timeval toTimeval(qint64 ms) {
    ms = std::max<qint64>(ms, 1);
    return timeval{time_t(ms / 1000), suseconds_t((ms % 1000) * 1000)};
}

// The SD_FLAGS control's value: SEQUENCE { INTEGER flags } (MS-ADTS 3.1.1.3.4.1.11).
ControlPtr sdFlagsControl(int flags) {
    const unsigned char value[] = {0x30, 0x03, 0x02, 0x01, static_cast<unsigned char>(flags & 0x0F)};
    berval bv{sizeof value, reinterpret_cast<char*>(const_cast<unsigned char*>(value))};
    LDAPControl* c = nullptr;
    if (ldap_control_create(sdFlagsOid, 0, &bv, 1, &c) != LDAP_SUCCESS)
        return nullptr;
    return ControlPtr(c);
}

// SASL asks for nothing interactive with GSSAPI: the ticket cache has the identity.
int saslInteract(LDAP*, unsigned, void*, void* in) {
    for (auto* i = static_cast<sasl_interact_t*>(in); i && i->id != SASL_CB_LIST_END; ++i) {
        i->result = "";
        i->len = 0;
    }
    return LDAP_SUCCESS;
}

// A write to a socket the server closed must give an error, not kill the process.
void ignoreSigpipe() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction current {};
        if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
            std::signal(SIGPIPE, SIG_IGN);
    });
}

// libldap's TLS handshake (and any blocking write) reads and writes a blocking socket with no deadline of its own: a
// server that accepts and stays silent would hold it for ever, and a socket timeout only makes it spin. So a layer of
// our own sits between TLS and TCP: each read or write waits for the socket only until the deadline of the operation
// in progress (the connection's whole opening, then each search or change), then fails with ETIMEDOUT, which ends
// the handshake or the operation with an error. A peer that trickles a byte at a time gains nothing: the deadline is
// absolute.
struct SocketDeadline {
    QDeadlineTimer deadline{QDeadlineTimer::Forever};
};
int waitFor(Sockbuf_IO_Desc* sbiod, short events) {
    int fd = -1;
    if (ber_sockbuf_ctrl(sbiod->sbiod_sb, LBER_SB_OPT_GET_FD, &fd) != 1 || fd < 0)
        return 1; // let the layer below report it
    const auto* d = static_cast<const SocketDeadline*>(sbiod->sbiod_pvt);
    pollfd p{fd, events, 0};
    int rc = 0;
    do {
        const qint64 left = d->deadline.isForever() ? -1 : d->deadline.remainingTime();
        if (left == 0) {
            rc = 0;
            break;
        }
        rc = ::poll(&p, 1, left < 0 ? -1 : int(std::min<qint64>(left, std::numeric_limits<int>::max())));
    } while (rc < 0 && errno == EINTR);
    if (rc == 0)
        errno = ETIMEDOUT;
    return rc;
}
ber_slen_t deadlineRead(Sockbuf_IO_Desc* sbiod, void* buf, ber_len_t len) {
    if (waitFor(sbiod, POLLIN) <= 0)
        return -1;
    return LBER_SBIOD_READ_NEXT(sbiod, buf, len);
}
ber_slen_t deadlineWrite(Sockbuf_IO_Desc* sbiod, void* buf, ber_len_t len) {
    if (waitFor(sbiod, POLLOUT) <= 0)
        return -1;
    return LBER_SBIOD_WRITE_NEXT(sbiod, buf, len);
}
int deadlineCtrl(Sockbuf_IO_Desc* sbiod, int opt, void* arg) {
    return LBER_SBIOD_CTRL_NEXT(sbiod, opt, arg);
}
int deadlineSetup(Sockbuf_IO_Desc* sbiod, void* arg) {
    sbiod->sbiod_pvt = arg; // the Handle's deadline, which outlives the connection
    return 0;
}
Sockbuf_IO deadlineIo{deadlineSetup, nullptr, deadlineCtrl, deadlineRead, deadlineWrite, nullptr};

// After the TCP connect, before TLS: the deadline layer goes in; without it the connection is refused.
int onConnect(LDAP*, Sockbuf* sb, LDAPURLDesc*, sockaddr*, ldap_conncb* ctx) {
    return ber_sockbuf_add_io(sb, &deadlineIo, LBER_SBIOD_LEVEL_PROVIDER + 1, ctx->lc_arg) == 0 ? 0 : -1;
}

// libldap reads ldap.conf, ~/.ldaprc, ./ldaprc and the LDAP* / LDAPTLS_* variables when first used: any of them could
// add trust anchors (TLS_CACERTDIR) or weaken verification (TLS_CIPHER_SUITE) behind the options set here. This
// client configures every connection itself, so it tells libldap to read none of them, before its first call.
void noLibldapConfigFiles() {
    static std::once_flag once;
    std::call_once(once, [] { qputenv("LDAPNOINIT", "1"); });
}

// TLS 1.2 at least. libldap's GnuTLS backend ignores LDAP_OPT_X_TLS_PROTOCOL_MIN, so the version is also asked for
// with a GnuTLS priority string, and checked after the handshake whichever backend it is.
bool tlsVersionAcceptable(LDAP* ld, QString* version) {
    char* v = nullptr;
    if (ldap_get_option(ld, LDAP_OPT_X_TLS_VERSION, &v) != LDAP_OPT_SUCCESS || !v)
        return false;
    *version = QString::fromLatin1(v);
    ldap_memfree(v);
    return version->contains(QLatin1String("1.2")) || version->contains(QLatin1String("1.3"));
}
void onDisconnect(LDAP*, Sockbuf*, ldap_conncb*) {}

} // namespace

struct LdapConnection::Handle {
    LDAP* ld = nullptr;
    SocketDeadline socket;
    ldap_conncb callbacks{onConnect, onDisconnect, &socket};
    ~Handle() {
        if (ld)
            ldap_unbind_ext_s(ld, nullptr, nullptr);
    }
    [[nodiscard]] QString diagnostic() const {
        char* msg = nullptr;
        if (!ld || ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) != LDAP_OPT_SUCCESS || !msg)
            return {};
        LdapString own(msg);
        return QString::fromUtf8(msg).trimmed();
    }
};

// ---- LdapEntry ---------------------------------------------------------------------------------------------------

QByteArray LdapEntry::value(const QString& name) const {
    const auto it = attributes.constFind(name.toLower());
    return it == attributes.cend() || it->isEmpty() ? QByteArray() : it->first();
}

QString LdapEntry::text(const QString& name) const {
    return QString::fromUtf8(value(name));
}

QStringList LdapEntry::texts(const QString& name) const {
    QStringList out;
    for (const QByteArray& v : values(name))
        out << QString::fromUtf8(v);
    return out;
}

std::optional<qint64> LdapEntry::integer(const QString& name) const {
    if (!has(name))
        return std::nullopt;
    bool ok = false;
    const qint64 v = value(name).trimmed().toLongLong(&ok);
    return ok ? std::optional<qint64>(v) : std::nullopt;
}

// ---- LdapOptions -------------------------------------------------------------------------------------------------

QString LdapOptions::urlProblem() const {
    if (!url.isValid() || url.host().isEmpty())
        return tr("\"%1\" is not a directory URL: give ldaps://host or ldap://host (StartTLS).")
            .arg(url.toString(QUrl::RemoveUserInfo));
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("ldaps") && scheme != QLatin1String("ldap"))
        return tr("\"%1\": the directory is reached with ldaps:// or ldap:// (StartTLS), not %2://.")
            .arg(url.toString(QUrl::RemoveUserInfo), scheme);
    if (!url.path().isEmpty() && url.path() != QLatin1String("/"))
        return tr("\"%1\": give the server only (ldaps://host[:port]), without a base DN.")
            .arg(url.toString(QUrl::RemoveUserInfo));
    if (url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
        return tr("\"%1\": give the server only (ldaps://host[:port]), no user name or password in it.")
            .arg(url.toString(QUrl::RemoveUserInfo));
    return {};
}

// ---- LdapConnection ----------------------------------------------------------------------------------------------

LdapConnection::LdapConnection()
    : m_handle(std::make_unique<Handle>()) {}

LdapConnection::~LdapConnection() = default;

QString LdapConnection::describe(int code, const QString& what) const {
    const QString server = m_options.url.toString();
    const QString diag = m_handle ? m_handle->diagnostic() : QString();
    const QString detail = diag.isEmpty()
                               ? QString::fromUtf8(ldap_err2string(code))
                               : QStringLiteral("%1: %2").arg(QString::fromUtf8(ldap_err2string(code)), diag);
    // libldap says "cannot contact" for a refused connection and for a failed TLS handshake alike: which one it was
    // decides what the user should do, so look whether the port takes connections at all.
    if (code == LDAP_SERVER_DOWN && what.startsWith(tr("Connecting"))) {
        QTcpSocket probe;
        const int port = m_options.url.port(m_options.url.scheme().toLower() == QLatin1String("ldaps") ? 636 : 389);
        probe.connectToHost(m_options.url.host(), quint16(port));
        if (probe.waitForConnected(std::min(m_options.connectTimeoutMs, 5000)))
            code = LDAP_CONNECT_ERROR;
    }
    switch (code) {
    case LDAP_SERVER_DOWN:
        return tr("%1: cannot reach %2 (%3). Check the URL and port, and that the server speaks %4 there.")
            .arg(what, server, detail,
                 m_options.url.scheme().toLower() == QLatin1String("ldaps") ? QStringLiteral("LDAPS")
                                                                            : QStringLiteral("LDAP"));
    case LDAP_CONNECT_ERROR:
        return tr("%1: %2 takes connections, but the TLS handshake failed (%3). If the certificate is not trusted, "
                  "give the CA that issued the domain controller's certificate (--tls-ca); if its name does not match, "
                  "use the name the certificate carries in the URL; or nothing speaks TLS on that port.")
            .arg(what, server, detail);
    case LDAP_TIMEOUT:
        return tr("%1: %2 did not answer within %3 s.")
            .arg(what, server)
            .arg(m_options.operationTimeoutMs / 1000.0, 0, 'f', 1);
    case LDAP_INVALID_CREDENTIALS:
        return tr("%1: %2 refused the credentials of %3 (wrong name or password, or the account may not log on).")
            .arg(what, server, m_options.bindDn);
    case LDAP_STRONG_AUTH_REQUIRED:
        return tr("%1: %2 requires stronger authentication (%3).").arg(what, server, detail);
    case LDAP_INSUFFICIENT_ACCESS:
        return tr("%1: the account has no right to do this (%2).").arg(what, detail);
    case LDAP_REFERRAL:
        return tr("%1: %2 referred the request to another server; referrals are not followed. Ask the domain "
                  "controller that holds the data (%3).")
            .arg(what, server, detail);
    case LDAP_NO_SUCH_OBJECT:
        return tr("%1: no such object (%2).").arg(what, detail);
    case LDAP_DECODING_ERROR:
    case LDAP_PROTOCOL_ERROR:
        return tr("%1: %2 answered something that is not LDAP (%3).").arg(what, server, detail);
    case LDAP_AUTH_UNKNOWN:
    case LDAP_LOCAL_ERROR:
        return tr("%1: %2 (%3).").arg(what, server, detail);
    default:
        return tr("%1: %2.").arg(what, detail);
    }
}

std::unique_ptr<LdapConnection> LdapConnection::open(const LdapOptions& options, QString* error) {
    QString ignored;
    QString& why = error ? *error : ignored;
    if (const QString p = options.urlProblem(); !p.isEmpty()) {
        why = p;
        return nullptr;
    }
    if (!options.caFile.isEmpty() && !QFileInfo(options.caFile).isReadable()) {
        why = tr("The CA file %1 cannot be read.").arg(options.caFile);
        return nullptr;
    }
    if (options.bind == LdapOptions::Bind::Simple && (options.bindDn.isEmpty() || options.password.isEmpty())) {
        why = tr("A simple bind needs a bind identity and a password (an empty password would be an anonymous bind, "
                 "which the directory treats as no login at all).");
        return nullptr;
    }
    ignoreSigpipe();
    noLibldapConfigFiles();
    std::unique_ptr<LdapConnection> c(new LdapConnection);
    c->m_options = options;
    c->m_options.password = SecretBytes(); // used once, below, from the caller's copy
    // The whole opening (connect, TLS, bind, the root DSE) has one deadline.
    c->m_handle->socket.deadline = QDeadlineTimer(qint64(options.connectTimeoutMs) + options.operationTimeoutMs);
    const bool ldaps = options.url.scheme().toLower() == QLatin1String("ldaps");
    QUrl plain;
    plain.setScheme(ldaps ? QStringLiteral("ldaps") : QStringLiteral("ldap"));
    plain.setHost(options.url.host());
    if (options.url.port() > 0)
        plain.setPort(options.url.port());
    const QByteArray uri = plain.toString(QUrl::FullyEncoded).toUtf8();
    LDAP*& ld = c->m_handle->ld;
    if (int rc = ldap_initialize(&ld, uri.constData()); rc != LDAP_SUCCESS) {
        why = c->describe(rc, tr("Opening %1").arg(options.url.toString()));
        return nullptr;
    }
    const int version = LDAP_VERSION3;
    const timeval net = toTimeval(options.connectTimeoutMs);
    const timeval api = toTimeval(options.operationTimeoutMs);
    const int demand = LDAP_OPT_X_TLS_DEMAND;
    const int tls12 = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
    const QByteArray ca =
        QFile::encodeName(options.caFile.isEmpty() ? QString::fromLatin1(systemCaBundle) : options.caFile);
    const int zero = 0;
    bool ok = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) == LDAP_OPT_SUCCESS &&
              ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == LDAP_OPT_SUCCESS &&
              ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON) == LDAP_OPT_SUCCESS &&
              ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &net) == LDAP_OPT_SUCCESS &&
              ldap_set_option(ld, LDAP_OPT_TIMEOUT, &api) == LDAP_OPT_SUCCESS &&
              ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) == LDAP_OPT_SUCCESS &&
              ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tls12) == LDAP_OPT_SUCCESS &&
              ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, ca.constData()) == LDAP_OPT_SUCCESS &&
              ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON) == LDAP_OPT_SUCCESS &&
              ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &c->m_handle->callbacks) == LDAP_OPT_SUCCESS;
    char* package = nullptr;
    if (ok && ldap_get_option(ld, LDAP_OPT_X_TLS_PACKAGE, &package) == LDAP_OPT_SUCCESS && package) {
        const bool gnutls = QByteArray(package).contains("GnuTLS");
        ldap_memfree(package);
        if (gnutls)
            ok = ldap_set_option(ld, LDAP_OPT_X_TLS_CIPHER_SUITE, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2") ==
                 LDAP_OPT_SUCCESS;
    }
    // The TLS settings above are this handle's own (not ~/.ldaprc's or ldap.conf's): a new context makes them count.
    ok = ok && ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) == LDAP_OPT_SUCCESS;
    if (!ok) {
        why = tr("libldap refused this connection's settings (TLS with certificate checks, no referrals, timeouts): "
                 "cannot go on safely.");
        return nullptr;
    }
    const QString connecting = tr("Connecting to %1").arg(options.url.toString());
    if (int rc = ldap_connect(ld); rc != LDAP_SUCCESS) {
        why = c->describe(rc, connecting);
        return nullptr;
    }
    Sockbuf* sb = nullptr;
    ber_len_t max = maxMessageBytes;
    if (ldap_get_option(ld, LDAP_OPT_SOCKBUF, &sb) != LDAP_OPT_SUCCESS || !sb ||
        ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_MAX_INCOMING, &max) != 1) {
        why = tr("libldap refused a bound on the size of the server's messages: cannot go on safely.");
        return nullptr;
    }
    if (!ldaps) {
        if (int rc = ldap_start_tls_s(ld, nullptr, nullptr); rc != LDAP_SUCCESS) {
            why = c->describe(rc, tr("Starting TLS with %1 (ldap://, StartTLS)").arg(options.url.toString()));
            return nullptr;
        }
    }
    if (QString tlsVersion; !tlsVersionAcceptable(ld, &tlsVersion)) {
        why = tr("%1 speaks %2; NDES Console needs TLS 1.2 or later to send a password or read the directory.")
                  .arg(options.url.toString(), tlsVersion.isEmpty() ? tr("an unknown TLS version") : tlsVersion);
        return nullptr;
    }
    const QString binding = tr("Binding to %1").arg(options.url.toString());
    if (options.bind == LdapOptions::Bind::Simple) {
        const QByteArray dn = options.bindDn.toUtf8();
        // Straight from the caller's SecretBytes: no copy of ours to wipe.
        berval cred{ber_len_t(options.password.bytes().size()),
                    const_cast<char*>(options.password.bytes().constData())};
        if (int rc = ldap_sasl_bind_s(ld, dn.constData(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
            rc != LDAP_SUCCESS) {
            why = c->describe(rc, binding);
            return nullptr;
        }
    } else {
        // TLS already protects the connection; Active Directory refuses SASL signing or sealing on top of it.
        const char* const secprops = "minssf=0,maxssf=0";
        if (ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, secprops) != LDAP_OPT_SUCCESS) {
            why = tr("libldap refused the SASL settings for Kerberos over TLS.");
            return nullptr;
        }
        if (int rc = ldap_sasl_interactive_bind_s(ld, nullptr, "GSSAPI", nullptr, nullptr, LDAP_SASL_QUIET,
                                                  saslInteract, nullptr);
            rc != LDAP_SUCCESS) {
            why = c->describe(rc, binding + tr(" with Kerberos (needs a ticket: kinit; and the service principal "
                                               "ldap/%1)")
                                                .arg(options.url.host()));
            return nullptr;
        }
    }
    // Whom the server took us for: evidence for the log, not a condition.
    berval* authzid = nullptr;
    if (ldap_whoami_s(ld, &authzid, nullptr, nullptr) == LDAP_SUCCESS && authzid) {
        c->m_whoAmI = QString::fromUtf8(authzid->bv_val, qsizetype(authzid->bv_len));
        ber_bvfree(authzid);
    }
    QString dseError;
    const auto dse = c->search(QString(), Scope::Base, QStringLiteral("(objectClass=*)"),
                               {QStringLiteral("defaultNamingContext"), QStringLiteral("configurationNamingContext")},
                               SearchOptions{0, false}, &dseError);
    if (!dse || dse->isEmpty()) {
        why = tr("%1 answers, but its root DSE could not be read: %2").arg(options.url.toString(), dseError);
        return nullptr;
    }
    c->m_defaultNc = dse->first().text(QStringLiteral("defaultNamingContext"));
    c->m_configNc = dse->first().text(QStringLiteral("configurationNamingContext"));
    if (c->m_defaultNc.isEmpty() || c->m_configNc.isEmpty()) {
        why = tr("%1 is an LDAP server but not an Active Directory domain controller (its root DSE names no "
                 "defaultNamingContext or configurationNamingContext).")
                  .arg(options.url.toString());
        return nullptr;
    }
    return c;
}

std::optional<QList<LdapEntry>> LdapConnection::search(const QString& base, Scope scope, const QString& filter,
                                                       const QStringList& attributes, SearchOptions so,
                                                       QString* error) {
    QString ignored;
    QString& why = error ? *error : ignored;
    LDAP* ld = m_handle->ld;
    const QString what = tr("Searching %1").arg(base.isEmpty() ? tr("the root DSE") : base);
    const QByteArray baseUtf8 = base.toUtf8();
    const QByteArray filterUtf8 = filter.toUtf8();
    std::vector<QByteArray> attrBytes;
    std::vector<char*> attrs;
    for (const QString& a : attributes) {
        attrBytes.push_back(a.toUtf8());
        attrs.push_back(attrBytes.back().data());
    }
    attrs.push_back(nullptr);
    const int ldapScope = scope == Scope::Base       ? LDAP_SCOPE_BASE
                          : scope == Scope::OneLevel ? LDAP_SCOPE_ONELEVEL
                                                     : LDAP_SCOPE_SUBTREE;
    const QDeadlineTimer deadline(m_options.operationTimeoutMs);
    m_handle->socket.deadline = deadline;
    QList<LdapEntry> out;
    qint64 bytes = 0;
    berval cookie{0, nullptr};
    std::unique_ptr<berval, BervalFree> cookieOwner;
    const ControlPtr sd = so.sdFlags ? sdFlagsControl(so.sdFlags) : nullptr;
    if (so.sdFlags && !sd) {
        why = tr("%1: the security-descriptor control could not be built.").arg(what);
        return std::nullopt;
    }
    for (int page = 0;; ++page) {
        ControlPtr paging;
        if (so.paged) {
            LDAPControl* p = nullptr;
            if (int rc = ldap_create_page_control(ld, ber_int_t(m_options.pageSize), cookie.bv_len ? &cookie : nullptr,
                                                  0, &p);
                rc != LDAP_SUCCESS) {
                why = describe(rc, what);
                return std::nullopt;
            }
            paging.reset(p);
        }
        LDAPControl* controls[3] = {nullptr, nullptr, nullptr};
        int n = 0;
        if (sd)
            controls[n++] = sd.get();
        if (paging)
            controls[n++] = paging.get();
        timeval remaining = toTimeval(deadline.remainingTime());
        int msgid = 0;
        if (int rc = ldap_search_ext(ld, baseUtf8.constData(), ldapScope, filterUtf8.constData(),
                                     attributes.isEmpty() ? nullptr : attrs.data(), 0, n ? controls : nullptr, nullptr,
                                     &remaining, 0, &msgid);
            rc != LDAP_SUCCESS) {
            why = describe(rc, what);
            return std::nullopt;
        }
        for (;;) {
            if (deadline.hasExpired()) {
                ldap_abandon_ext(ld, msgid, nullptr, nullptr);
                why = describe(LDAP_TIMEOUT, what);
                return std::nullopt;
            }
            remaining = toTimeval(deadline.remainingTime());
            LDAPMessage* raw = nullptr;
            const int type = ldap_result(ld, msgid, LDAP_MSG_ONE, &remaining, &raw);
            MessagePtr msg(raw);
            if (type == 0) {
                ldap_abandon_ext(ld, msgid, nullptr, nullptr);
                why = describe(LDAP_TIMEOUT, what);
                return std::nullopt;
            }
            if (type < 0) {
                int code = LDAP_OTHER;
                ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &code);
                why = describe(code, what);
                return std::nullopt;
            }
            if (type == LDAP_RES_SEARCH_REFERENCE) {
                ++m_referralsSkipped;
                continue;
            }
            if (type == LDAP_RES_SEARCH_ENTRY) {
                LdapEntry e;
                if (LdapString dn(ldap_get_dn(ld, msg.get())); dn)
                    e.dn = QString::fromUtf8(dn.get());
                BerElement* berRaw = nullptr;
                for (LdapString name(ldap_first_attribute(ld, msg.get(), &berRaw)); name;
                     name.reset(ldap_next_attribute(ld, msg.get(), berRaw))) {
                    std::unique_ptr<berval*, ValuesFree> values(ldap_get_values_len(ld, msg.get(), name.get()));
                    QList<QByteArray>& list = e.attributes[QString::fromUtf8(name.get()).toLower()];
                    for (berval** v = values.get(); v && *v; ++v) {
                        list << QByteArray((*v)->bv_val, qsizetype((*v)->bv_len));
                        bytes += qint64((*v)->bv_len);
                    }
                }
                std::unique_ptr<BerElement, BerFree> ber(berRaw);
                bytes += e.dn.size();
                out << std::move(e);
                if (out.size() > m_options.maxEntries || bytes > m_options.maxBytes) {
                    ldap_abandon_ext(ld, msgid, nullptr, nullptr);
                    why = tr("%1: the answer has more than %2 entries or %3 MB; stopped there (a bound on what one "
                             "search may return). Narrow the search or raise the bound.")
                              .arg(what)
                              .arg(m_options.maxEntries)
                              .arg(m_options.maxBytes / (1024 * 1024));
                    return std::nullopt;
                }
                continue;
            }
            if (type != LDAP_RES_SEARCH_RESULT)
                continue; // intermediate responses: nothing for us
            int code = LDAP_OTHER;
            char* matched = nullptr;
            char* diag = nullptr;
            char** referrals = nullptr;
            LDAPControl** serverControls = nullptr;
            const int prc = ldap_parse_result(ld, msg.get(), &code, &matched, &diag, &referrals, &serverControls, 0);
            LdapString ownMatched(matched), ownDiag(diag);
            std::unique_ptr<char*, RefsFree> ownRefs(referrals);
            std::unique_ptr<LDAPControl*, ControlsFree> ownControls(serverControls);
            if (prc != LDAP_SUCCESS) {
                why = describe(prc, what);
                return std::nullopt;
            }
            if (code != LDAP_SUCCESS) {
                QString text = describe(code, what);
                if (diag && *diag)
                    text += QStringLiteral(" (%1)").arg(QString::fromUtf8(diag).trimmed());
                if (code == LDAP_REFERRAL && referrals && referrals[0])
                    text += tr(" Referred to: %1").arg(QString::fromUtf8(referrals[0]));
                why = text;
                return std::nullopt;
            }
            cookieOwner.reset();
            cookie = berval{0, nullptr};
            if (so.paged && serverControls) {
                if (LDAPControl* pr = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, serverControls, nullptr); pr) {
                    ber_int_t estimate = 0;
                    berval next{0, nullptr};
                    if (ldap_parse_pageresponse_control(ld, pr, &estimate, &next) == LDAP_SUCCESS && next.bv_len) {
                        cookieOwner.reset(ber_bvdup(&next));
                        ber_memfree(next.bv_val);
                        if (cookieOwner)
                            cookie = *cookieOwner;
                    } else if (next.bv_val) {
                        ber_memfree(next.bv_val);
                    }
                }
            }
            break;
        }
        if (!so.paged || cookie.bv_len == 0)
            break;
    }
    return out;
}

bool LdapConnection::add(const QString& dn, const QList<LdapModification>& attributes, QString* error) {
    return change(true, dn, attributes, 0, error);
}

bool LdapConnection::modify(const QString& dn, const QList<LdapModification>& changes, QString* error, int sdFlags) {
    return change(false, dn, changes, sdFlags, error);
}

bool LdapConnection::change(bool isAdd, const QString& dn, const QList<LdapModification>& mods, int sdFlags,
                            QString* error) {
    QString ignored;
    QString& why = error ? *error : ignored;
    m_lastCode = 0;
    LDAP* ld = m_handle->ld;
    const QString what = isAdd ? tr("Adding %1").arg(dn) : tr("Changing %1").arg(dn);
    // LDAPMod arrays pointing into QByteArrays that live until the call returns.
    std::vector<QByteArray> names;
    std::vector<std::vector<berval>> values;
    std::vector<std::vector<berval*>> valuePtrs;
    std::vector<LDAPMod> lmods(size_t(mods.size()));
    std::vector<LDAPMod*> modPtrs;
    names.reserve(size_t(mods.size()));
    values.reserve(size_t(mods.size()));
    valuePtrs.reserve(size_t(mods.size()));
    for (qsizetype i = 0; i < mods.size(); ++i) {
        const LdapModification& m = mods[i];
        names.push_back(m.attribute.toUtf8());
        values.emplace_back();
        for (const QByteArray& v : m.values)
            values.back().push_back(berval{ber_len_t(v.size()), const_cast<char*>(v.constData())});
        valuePtrs.emplace_back();
        for (berval& b : values.back())
            valuePtrs.back().push_back(&b);
        valuePtrs.back().push_back(nullptr);
        LDAPMod& lm = lmods[size_t(i)];
        lm.mod_op = LDAP_MOD_BVALUES | (m.op == LdapModification::Op::Add      ? LDAP_MOD_ADD
                                        : m.op == LdapModification::Op::Delete ? LDAP_MOD_DELETE
                                                                               : LDAP_MOD_REPLACE);
        lm.mod_type = names.back().data();
        lm.mod_bvalues = valuePtrs.back().data();
        modPtrs.push_back(&lm);
    }
    modPtrs.push_back(nullptr);
    const QByteArray dnUtf8 = dn.toUtf8();
    m_handle->socket.deadline = QDeadlineTimer(m_options.operationTimeoutMs);
    const ControlPtr sd = sdFlags ? sdFlagsControl(sdFlags) : nullptr;
    LDAPControl* controls[2] = {sd.get(), nullptr};
    int msgid = 0;
    const int rc =
        isAdd ? ldap_add_ext(ld, dnUtf8.constData(), modPtrs.data(), nullptr, nullptr, &msgid)
              : ldap_modify_ext(ld, dnUtf8.constData(), modPtrs.data(), sd ? controls : nullptr, nullptr, &msgid);
    if (rc != LDAP_SUCCESS) {
        m_lastCode = rc;
        why = describe(rc, what);
        return false;
    }
    timeval remaining = toTimeval(m_options.operationTimeoutMs);
    LDAPMessage* raw = nullptr;
    const int type = ldap_result(ld, msgid, LDAP_MSG_ALL, &remaining, &raw);
    m_handle->socket.deadline = QDeadlineTimer(QDeadlineTimer::Forever);
    MessagePtr msg(raw);
    if (type <= 0) {
        m_lastCode = type == 0 ? LDAP_TIMEOUT : LDAP_SERVER_DOWN;
        if (type == 0)
            ldap_abandon_ext(ld, msgid, nullptr, nullptr);
        why = describe(m_lastCode, what);
        return false;
    }
    int code = LDAP_OTHER;
    char* diag = nullptr;
    if (int prc = ldap_parse_result(ld, msg.get(), &code, nullptr, &diag, nullptr, nullptr, 0); prc != LDAP_SUCCESS)
        code = prc;
    LdapString ownDiag(diag);
    if (code != LDAP_SUCCESS) {
        m_lastCode = code;
        why = describe(code, what);
        if (diag && *diag)
            why += QStringLiteral(" (%1)").arg(QString::fromUtf8(diag).trimmed());
        return false;
    }
    return true;
}

QString LdapConnection::escapeFilterValue(const QByteArray& value, bool binary) {
    QByteArray out;
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (binary || c == '*' || c == '(' || c == ')' || c == '\\' || c == 0)
            out += '\\' + QByteArray::number(c, 16).rightJustified(2, '0');
        else
            out += ch;
    }
    return QString::fromUtf8(out);
}

} // namespace ndes::directory
