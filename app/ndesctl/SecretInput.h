// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/Result.h"
#include "util/SecretBytes.h"

#include <QCommandLineParser>

namespace ndesctl {

// A secret from the environment variable named by ENV_OPTION or from the first line of standard input (STDIN_OPTION),
// never from the command line. On a terminal it asks on stderr with echo off, as passwd(1) does, and puts the
// terminal back on Ctrl+C, Ctrl+Z or a kill. WHAT names the secret in messages ("the challenge password"); OPTIONS
// says how to give it ("--challenge-env VAR or --challenge-stdin").
ndes::Result<ndes::SecretBytes> readSecret(const QCommandLineParser& p, const QString& envOption,
                                           const QString& stdinOption, const QString& what, const QString& options);

} // namespace ndesctl
