// SPDX-License-Identifier: Apache-2.0
#include "SecretInput.h"

#include <openssl/crypto.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace ndesctl {

using namespace ndes;

namespace {

// The terminal's settings while a secret is typed with echo off, for the signal handlers that put them back.
termios g_savedTerminal{};
termios g_quietTerminal{};
volatile sig_atomic_t g_echoOff = 0;

void restoreTerminalAndDie(int sig) {
    if (g_echoOff)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_savedTerminal);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// Ctrl+Z: echo back on while stopped, off again when continued.
void stopWithEcho(int) {
    if (g_echoOff)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_savedTerminal);
    std::signal(SIGTSTP, SIG_DFL);
    std::raise(SIGTSTP);
}
void continueQuiet(int) {
    std::signal(SIGTSTP, stopWithEcho);
    if (g_echoOff)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_quietTerminal);
}

constexpr size_t maxSecretLine = 4096;

// One line of standard input, read into a fixed buffer (no reallocation leaves pieces of it in freed memory).
// On a terminal it asks for it on stderr and turns echo off while it is typed, as passwd(1) does. A line that does
// not fit is an error, never silently cut (a cut password would still be tried, and count towards a lockout).
Result<QByteArray> readSecretLine(const QString& what) {
    const bool tty = ::isatty(STDIN_FILENO) == 1;
    const std::array<int, 4> deadly{SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    if (tty && ::tcgetattr(STDIN_FILENO, &g_savedTerminal) == 0) {
        g_quietTerminal = g_savedTerminal;
        g_quietTerminal.c_lflag &= ~tcflag_t(ECHO);
        g_quietTerminal.c_lflag |= ECHONL;
        for (int sig : deadly)
            std::signal(sig, restoreTerminalAndDie);
        std::signal(SIGTSTP, stopWithEcho);
        std::signal(SIGCONT, continueQuiet);
        g_echoOff = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_quietTerminal) == 0 ? 1 : 0;
        std::fprintf(stderr, "%s: ", what.toLocal8Bit().constData());
        std::fflush(stderr);
    }
    std::array<char, maxSecretLine + 1> buf{};
    size_t n = 0;
    char c = 0;
    bool ended = false;
    while (n < buf.size() && ::read(STDIN_FILENO, &c, 1) == 1) {
        if (c == '\n') {
            ended = true;
            break;
        }
        buf[n++] = c;
    }
    if (g_echoOff) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_savedTerminal);
        g_echoOff = 0;
    }
    if (tty) {
        for (int sig : deadly)
            std::signal(sig, SIG_DFL);
        std::signal(SIGTSTP, SIG_DFL);
        std::signal(SIGCONT, SIG_DFL);
    }
    const bool tooLong = n > maxSecretLine || (!ended && n == buf.size());
    while (n > 0 && buf[n - 1] == '\r')
        --n;
    QByteArray line = tooLong ? QByteArray() : QByteArray(buf.data(), qsizetype(n));
    OPENSSL_cleanse(buf.data(), buf.size());
    c = 0;
    if (tooLong)
        return makeError(ErrorKind::Usage, QStringLiteral("The line given for %1 on standard input is longer than %2 "
                                                          "bytes; nothing was sent.")
                                               .arg(what)
                                               .arg(maxSecretLine));
    return line;
}

} // namespace

Result<SecretBytes> readSecret(const QCommandLineParser& p, const QString& envOpt, const QString& stdinOpt,
                               const QString& what, const QString& options) {
    if (p.isSet(envOpt) == p.isSet(stdinOpt))
        return makeError(ErrorKind::Usage, QStringLiteral("Give %1 with exactly one of %2.").arg(what, options));
    if (p.isSet(envOpt)) {
        const QByteArray name = p.value(envOpt).toLocal8Bit();
        if (!qEnvironmentVariableIsSet(name.constData()))
            return makeError(
                ErrorKind::Usage,
                QStringLiteral("The environment variable %1 (for %2) is not set.").arg(p.value(envOpt), what));
        QByteArray v = qgetenv(name.constData());
        return SecretBytes(std::move(v));
    }
    auto read = readSecretLine(what);
    if (!read)
        return read.error();
    QByteArray v = std::move(*read);
    if (v.isEmpty())
        return makeError(ErrorKind::Usage, QStringLiteral("No %1 was read from standard input.").arg(what));
    return SecretBytes(std::move(v));
}

} // namespace ndesctl
