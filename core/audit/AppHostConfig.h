// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace ndes::audit {

// What an audit needs from IIS's %windir%\System32\inetsrv\config\applicationHost.config: application pools,
// sites with bindings and applications, and the authentication, SSL and request-limit settings at the server level
// and in each <location>. Read with QXmlStreamReader; a DTD (an entity bomb's vehicle) is refused; size and depth are
// capped.
class AppHostConfig {
public:
    static constexpr qsizetype maxBytes = qsizetype(32) * 1024 * 1024;

    struct AppPool {
        QString name;
        QString identityType; // as written; empty = IIS's default (ApplicationPoolIdentity)
        QString userName;     // for SpecificUser (the password is never kept)
        QString pipelineMode;
        int line = 0;
    };
    struct Binding {
        QString protocol; // http, https, net.tcp, …
        QString information;
        int line = 0;
    };
    struct Application {
        QString path; // "/CertSrv/mscep_admin"
        QString pool; // empty: the site's default
        int line = 0;
    };
    struct Site {
        QString name;
        QList<Binding> bindings;
        QList<Application> applications;
        int line = 0;
    };
    // Settings found in one <system.webServer> (the server's, or a location's). Unset = not written there.
    template <typename T> struct Setting {
        std::optional<T> value;
        int line = 0;
        void set(T v, int l) {
            value = std::move(v);
            line = l;
        }
    };
    struct WebSettings {
        QString locationPath; // empty for the server level
        int line = 0;
        Setting<bool> anonymous;
        Setting<bool> basic;
        Setting<bool> windows;
        Setting<QStringList> windowsProviders;
        Setting<QString> extendedProtection; // tokenChecking: None, Allow, Require
        Setting<QString> sslFlags;           // <access sslFlags="Ssl, SslNegotiateCert">
        Setting<qint64> maxUrl;
        Setting<qint64> maxQueryString;
    };
    // The settings that apply to a URL path of a site, server level first, then each <location> on the way;
    // each setting says on which line it was decided.
    struct Effective {
        Setting<bool> anonymous;
        Setting<bool> basic;
        Setting<bool> windows;
        Setting<QStringList> windowsProviders;
        Setting<QString> extendedProtection;
        Setting<QString> sslFlags;
        Setting<qint64> maxUrl;
        Setting<qint64> maxQueryString;
    };

    static Result<AppHostConfig> parse(const QByteArray& data);
    [[nodiscard]] static bool looksLike(const QByteArray& head);

    [[nodiscard]] const QList<AppPool>& pools() const { return m_pools; }
    [[nodiscard]] const QList<Site>& sites() const { return m_sites; }
    [[nodiscard]] const QList<WebSettings>& settings() const { return m_settings; }
    [[nodiscard]] const AppPool* pool(const QString& name) const;
    // The site holding an application at `appPath` (case-insensitive), and that application.
    [[nodiscard]] std::pair<const Site*, const Application*> findApplication(const QString& appPath) const;
    [[nodiscard]] Effective effective(const QString& siteName, const QString& urlPath) const;

private:
    QList<AppPool> m_pools;
    QList<Site> m_sites;
    QList<WebSettings> m_settings;
};

} // namespace ndes::audit
