// SPDX-License-Identifier: Apache-2.0
#include "audit/AppHostConfig.h"

#include <QCoreApplication>
#include <QXmlStreamReader>

namespace ndes::audit {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("AppHostConfig", text);
}

constexpr int maxDepth = 64;

std::optional<bool> boolAttr(const QXmlStreamAttributes& a, const char* name) {
    const QString n = QString::fromLatin1(name);
    if (!a.hasAttribute(n))
        return std::nullopt;
    return a.value(n).compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
}

QString normPath(QString p) {
    p.replace(QLatin1Char('\\'), QLatin1Char('/'));
    while (p.contains(QLatin1String("//")))
        p.replace(QLatin1String("//"), QLatin1String("/"));
    while (p.endsWith(QLatin1Char('/')))
        p.chop(1);
    while (p.startsWith(QLatin1Char('/')))
        p.remove(0, 1);
    return p.toLower();
}
} // namespace

bool AppHostConfig::looksLike(const QByteArray& head) {
    return head.contains("<configuration") && head.contains("system.applicationHost");
}

Result<AppHostConfig> AppHostConfig::parse(const QByteArray& data) {
    if (data.size() > maxBytes)
        return makeError(
            ErrorKind::Usage,
            tr("applicationHost.config is larger than %1 MB; IIS writes far less.").arg(maxBytes / (1024 * 1024)));
    QXmlStreamReader xml(data);
    AppHostConfig c;
    QStringList stack; // element names, lower case
    WebSettings* current = nullptr;
    bool inProviders = false;
    QString locationPath;
    auto line = [&xml] {
        return int(xml.lineNumber());
    };
    while (!xml.atEnd()) {
        const auto token = xml.readNext();
        if (token == QXmlStreamReader::DTD)
            return makeError(ErrorKind::Usage, tr("applicationHost.config has a DTD (line %1); IIS never writes one, "
                                                  "and entity declarations are refused.")
                                                   .arg(line()));
        if (token == QXmlStreamReader::EntityReference)
            return makeError(ErrorKind::Usage,
                             tr("applicationHost.config uses an undeclared entity (line %1).").arg(line()));
        if (token == QXmlStreamReader::EndElement) {
            const QString name = stack.isEmpty() ? QString() : stack.takeLast();
            if (name == QLatin1String("system.webserver"))
                current = nullptr;
            if (name == QLatin1String("providers"))
                inProviders = false;
            continue;
        }
        if (token != QXmlStreamReader::StartElement)
            continue;
        const QString name = xml.name().toString().toLower();
        stack << name;
        if (stack.size() > maxDepth)
            return makeError(
                ErrorKind::Usage,
                tr("applicationHost.config nests deeper than %1 elements (line %2).").arg(maxDepth).arg(line()));
        const QXmlStreamAttributes a = xml.attributes();
        const QString parent = stack.size() >= 2 ? stack[stack.size() - 2] : QString();
        if (stack.size() == 1 && name != QLatin1String("configuration"))
            return makeError(ErrorKind::Usage,
                             tr("This XML is not applicationHost.config: its root is <%1>.").arg(xml.name()));
        if (name == QLatin1String("location")) {
            locationPath = a.value(QStringLiteral("path")).toString();
            continue;
        }
        if (name == QLatin1String("system.webserver") &&
            (parent == QLatin1String("configuration") || parent == QLatin1String("location"))) {
            WebSettings s;
            s.line = line();
            if (parent == QLatin1String("location"))
                s.locationPath = locationPath;
            c.m_settings << s;
            current = &c.m_settings.last(); // nothing else is appended to m_settings until it closes
            continue;
        }
        if (name == QLatin1String("add") && parent == QLatin1String("applicationpools")) {
            AppPool p;
            p.name = a.value(QStringLiteral("name")).toString();
            p.pipelineMode = a.value(QStringLiteral("managedPipelineMode")).toString();
            p.line = line();
            c.m_pools << p;
            continue;
        }
        if (name == QLatin1String("processmodel") && stack.size() >= 3 &&
            stack[stack.size() - 3] == QLatin1String("applicationpools") && parent == QLatin1String("add") &&
            !c.m_pools.isEmpty()) {
            c.m_pools.last().identityType = a.value(QStringLiteral("identityType")).toString();
            c.m_pools.last().userName = a.value(QStringLiteral("userName")).toString();
            continue;
        }
        if (name == QLatin1String("site") && parent == QLatin1String("sites")) {
            Site s;
            s.name = a.value(QStringLiteral("name")).toString();
            s.line = line();
            c.m_sites << s;
            continue;
        }
        if (name == QLatin1String("application") && parent == QLatin1String("site") && !c.m_sites.isEmpty()) {
            c.m_sites.last().applications << Application{a.value(QStringLiteral("path")).toString(),
                                                         a.value(QStringLiteral("applicationPool")).toString(), line()};
            continue;
        }
        if (name == QLatin1String("binding") && parent == QLatin1String("bindings") && !c.m_sites.isEmpty() &&
            stack.size() >= 3 && stack[stack.size() - 3] == QLatin1String("site")) {
            c.m_sites.last().bindings << Binding{a.value(QStringLiteral("protocol")).toString().toLower(),
                                                 a.value(QStringLiteral("bindingInformation")).toString(), line()};
            continue;
        }
        if (!current)
            continue;
        if (name == QLatin1String("anonymousauthentication")) {
            if (auto v = boolAttr(a, "enabled"))
                current->anonymous.set(*v, line());
        } else if (name == QLatin1String("basicauthentication")) {
            if (auto v = boolAttr(a, "enabled"))
                current->basic.set(*v, line());
        } else if (name == QLatin1String("windowsauthentication")) {
            if (auto v = boolAttr(a, "enabled"))
                current->windows.set(*v, line());
        } else if (name == QLatin1String("providers") && parent == QLatin1String("windowsauthentication")) {
            inProviders = true;
        } else if (inProviders && name == QLatin1String("clear")) {
            current->windowsProviders.set({}, line());
        } else if (inProviders && name == QLatin1String("add")) {
            QStringList list = current->windowsProviders.value.value_or(QStringList());
            list << a.value(QStringLiteral("value")).toString();
            current->windowsProviders.set(list, line());
        } else if (name == QLatin1String("extendedprotection") && parent == QLatin1String("windowsauthentication")) {
            if (a.hasAttribute(QStringLiteral("tokenChecking")))
                current->extendedProtection.set(a.value(QStringLiteral("tokenChecking")).toString(), line());
        } else if (name == QLatin1String("access") && parent == QLatin1String("security")) {
            if (a.hasAttribute(QStringLiteral("sslFlags")))
                current->sslFlags.set(a.value(QStringLiteral("sslFlags")).toString(), line());
        } else if (name == QLatin1String("requestlimits") && parent == QLatin1String("requestfiltering")) {
            bool ok = false;
            if (a.hasAttribute(QStringLiteral("maxUrl"))) {
                const qint64 v = a.value(QStringLiteral("maxUrl")).toLongLong(&ok);
                if (ok)
                    current->maxUrl.set(v, line());
            }
            if (a.hasAttribute(QStringLiteral("maxQueryString"))) {
                const qint64 v = a.value(QStringLiteral("maxQueryString")).toLongLong(&ok);
                if (ok)
                    current->maxQueryString.set(v, line());
            }
        }
    }
    if (xml.hasError())
        return makeError(ErrorKind::Usage, tr("applicationHost.config is not well-formed XML (line %1: %2).")
                                               .arg(xml.lineNumber())
                                               .arg(xml.errorString()));
    return c;
}

const AppHostConfig::AppPool* AppHostConfig::pool(const QString& name) const {
    for (const AppPool& p : m_pools)
        if (p.name.compare(name, Qt::CaseInsensitive) == 0)
            return &p;
    return nullptr;
}

std::pair<const AppHostConfig::Site*, const AppHostConfig::Application*>
AppHostConfig::findApplication(const QString& appPath) const {
    for (const Site& s : m_sites)
        for (const Application& a : s.applications)
            if (normPath(a.path) == normPath(appPath))
                return {&s, &a};
    return {nullptr, nullptr};
}

AppHostConfig::Effective AppHostConfig::effective(const QString& siteName, const QString& urlPath) const {
    Effective e;
    const QString target = normPath(siteName + QLatin1Char('/') + urlPath);
    auto applies = [&target](const QString& location) {
        const QString l = normPath(location);
        return l.isEmpty() || target == l || target.startsWith(l + QLatin1Char('/'));
    };
    auto merge = [](auto& into, const auto& from) {
        if (from.value)
            into = from;
    };
    // Server level first, then locations from the shortest path to the longest (the nearest wins).
    QList<const WebSettings*> order;
    for (const WebSettings& s : m_settings)
        if (applies(s.locationPath))
            order << &s;
    std::stable_sort(order.begin(), order.end(), [](const WebSettings* a, const WebSettings* b) {
        return normPath(a->locationPath).size() < normPath(b->locationPath).size();
    });
    for (const WebSettings* s : order) {
        merge(e.anonymous, s->anonymous);
        merge(e.basic, s->basic);
        merge(e.windows, s->windows);
        merge(e.windowsProviders, s->windowsProviders);
        merge(e.extendedProtection, s->extendedProtection);
        merge(e.sslFlags, s->sslFlags);
        merge(e.maxUrl, s->maxUrl);
        merge(e.maxQueryString, s->maxQueryString);
    }
    return e;
}

} // namespace ndes::audit
