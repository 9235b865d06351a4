// SPDX-License-Identifier: Apache-2.0
#include "setup/ScriptWriter.h"

#include "ndes/RaRenewalScript.h"

#include <QStringList>

namespace ndes::setup {

namespace {

QString q(const QString& v) {
    return service::RaRenewalScript::quote(v);
}

// The settings NDES reads, where it reads them (NDES-FACTS.md): name, subkey ("" = a value of MSCEP), kind, value.
struct RegSetting {
    QString name;
    bool subkey;
    QString kind;  // String, DWord, MultiString
    QString value; // PowerShell expression
};

QList<RegSetting> registrySettings(const SetupPlan& p) {
    QStringList caps;
    for (const QString& c : p.caCapabilitiesAlgorithms)
        caps << q(c);
    QList<RegSetting> s = {
        {QStringLiteral("SignatureTemplate"), false, QStringLiteral("String"), q(p.signatureTemplate)},
        {QStringLiteral("EncryptionTemplate"), false, QStringLiteral("String"), q(p.encryptionTemplate)},
        {QStringLiteral("GeneralPurposeTemplate"), false, QStringLiteral("String"), q(p.generalPurposeTemplate)},
        {QStringLiteral("EnforcePassword"), true, QStringLiteral("DWord"), QString::number(p.enforcePassword ? 1 : 0)},
        {QStringLiteral("UseSinglePassword"), true, QStringLiteral("DWord"),
         QString::number(p.useSinglePassword ? 1 : 0)},
        {QStringLiteral("PasswordMax"), true, QStringLiteral("DWord"), QString::number(p.passwordMax)},
        {QStringLiteral("PasswordValidity"), true, QStringLiteral("DWord"), QString::number(p.passwordValidity)},
        {QStringLiteral("PasswordLength"), true, QStringLiteral("DWord"), QString::number(p.passwordLength)},
        {QStringLiteral("HashAlgorithm"), true, QStringLiteral("String"), q(p.hashAlgorithm)},
    };
    if (!caps.isEmpty())
        s.append({QStringLiteral("CACapabilitiesAlgorithms"), true, QStringLiteral("MultiString"),
                  QStringLiteral("@(%1)").arg(caps.join(QStringLiteral(", ")))});
    return s;
}

QString header(const QString& title, const QString& runOn, const SetupPlan& p, const QDateTime& at, bool changes) {
    QStringList l;
    l << QStringLiteral("#Requires -Version 5.1") << QStringLiteral("#Requires -RunAsAdministrator")
      << QStringLiteral("<#");
    l << QStringLiteral(".SYNOPSIS");
    l << QStringLiteral("    NDES Console setup plan: %1").arg(title);
    l << QStringLiteral(".DESCRIPTION");
    l << QStringLiteral("    Generated %1 from the plan for %2 (CA %3).")
             .arg(at.toUTC().toString(Qt::ISODate), p.ndesHost.simplified(), p.caConfig.simplified());
    l << QStringLiteral("    Run on %1 in an elevated PowerShell.").arg(runOn);
    if (changes)
        l << QStringLiteral("    It checks each setting before changing it: running it again changes nothing.")
          << QStringLiteral("    -WhatIf shows what it would change. A transcript goes to -TranscriptPath.");
    else
        l << QStringLiteral("    Read-only: it prints what differs from the plan and changes nothing.");
    l << QStringLiteral("#>");
    l << QStringLiteral("[CmdletBinding(SupportsShouldProcess = $true)]");
    l << QStringLiteral("param(");
    l << QStringLiteral("    [string] $TranscriptPath = (Join-Path $env:TEMP ('ndes-setup-' + (Get-Date -Format "
                        "'yyyyMMdd-HHmmss') + '.log'))");
    l << QStringLiteral(")");
    l << QStringLiteral("Set-StrictMode -Version Latest");
    l << QStringLiteral("$ErrorActionPreference = 'Stop'");
    l << QString();
    return l.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

// Idempotent registry helper: creates the key, compares, sets only what differs, says what it did.
const char* const setValueFunction = R"ps(function Set-PlanValue {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $Name,
        [Parameter(Mandatory = $true)] $Value,
        [Parameter(Mandatory = $true)] [Microsoft.Win32.RegistryValueKind] $Kind
    )
    $current = $null
    if (Test-Path -LiteralPath $Path) {
        $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
        if ($null -ne $item) { $current = $item.$Name }
    }
    $same = ($null -ne $current) -and ((@($current) -join "`n") -ceq (@($Value) -join "`n"))
    if ($same) {
        Write-Verbose "$Path\$Name is already $(@($Value) -join ', ')"
        return $false
    }
    if ($PSCmdlet.ShouldProcess("$Path\$Name", "set to $(@($Value) -join ', ') (was $(if ($null -eq $current) { 'not set' } else { @($current) -join ', ' }))")) {
        if (-not (Test-Path -LiteralPath $Path)) { New-Item -Path $Path -Force | Out-Null }
        New-ItemProperty -LiteralPath $Path -Name $Name -Value $Value -PropertyType $Kind -Force | Out-Null
        Write-Host "Changed: $Path\$Name = $(@($Value) -join ', ')"
        return $true
    }
    return $false
}
)ps";

QString body(const QStringList& lines) {
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace

QString ScriptWriter::registryScript(const SetupPlan& p, const QDateTime& at) {
    QStringList l;
    l << QStringLiteral("$mscep = 'HKLM:\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP'");
    l << QStringLiteral(
        "# The key as it was before NDES Console's first change, kept once: rollback.ps1 restores exactly that.");
    l << QStringLiteral("$backup = Join-Path $env:ProgramData 'NDES Console\\mscep-before-ndes-console.reg'");
    l << QStringLiteral("Start-Transcript -Path $TranscriptPath -Append | Out-Null");
    l << QStringLiteral("try {");
    l << QStringLiteral("    if (-not (Test-Path -LiteralPath $mscep)) { throw 'MSCEP is missing: install the NDES "
                        "role first (step 03).' }");
    l << QStringLiteral("    if (-not $WhatIfPreference -and -not (Test-Path -LiteralPath $backup)) {");
    l << QStringLiteral("        New-Item -ItemType Directory -Path (Split-Path $backup) -Force | Out-Null");
    l << QStringLiteral(
        "        & reg.exe export 'HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP' $backup /y | Out-Null");
    l << QStringLiteral("        if ($LASTEXITCODE -ne 0) { throw \"reg.exe export failed ($LASTEXITCODE): no backup, "
                        "nothing changed\" }");
    l << QStringLiteral("        Write-Host \"Saved the MSCEP key as it was to $backup\"");
    l << QStringLiteral("    }");
    l << QStringLiteral("    $changed = $false");
    l << QStringLiteral("    # The template names are values of MSCEP itself; every other setting is a subkey holding "
                        "a value of the same name.");
    for (const RegSetting& s : registrySettings(p))
        l << QStringLiteral("    $changed = (Set-PlanValue -Path %1 -Name '%2' -Value %3 -Kind %4) -or $changed")
                 .arg(s.subkey ? QStringLiteral("\"$mscep\\%1\"").arg(s.name) : QStringLiteral("$mscep"), s.name,
                      s.value, s.kind);
    l << QStringLiteral("    $changed = (Set-PlanValue -Path \"$mscep\\CAInfo\" -Name 'Configuration' -Value %1 -Kind "
                        "String) -or $changed")
             .arg(q(p.caConfig));
    l << QStringLiteral(
        "    # Values public guides write where NDES never reads them: NDES ignores them, so do we, but they mislead.");
    l << QStringLiteral("    foreach ($misplaced in 'EnforcePassword', 'PasswordMax', 'PasswordValidity', "
                        "'PasswordLength', 'UseSinglePassword', 'PasswordCacheMax') {");
    l << QStringLiteral("        if ($null -ne (Get-ItemProperty -LiteralPath $mscep -Name $misplaced -ErrorAction "
                        "SilentlyContinue)) {");
    l << QStringLiteral(
        "            if ($PSCmdlet.ShouldProcess(\"$mscep\\$misplaced\", 'remove (a value NDES never reads)')) {");
    l << QStringLiteral("                Remove-ItemProperty -LiteralPath $mscep -Name $misplaced");
    l << QStringLiteral("                Write-Host \"Removed $mscep\\$misplaced (NDES reads the subkey of that name, "
                        "not this value)\"");
    l << QStringLiteral("                $changed = $true");
    l << QStringLiteral("            }");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    if ($changed -and -not $WhatIfPreference) {");
    l << QStringLiteral("        Import-Module WebAdministration");
    l << QStringLiteral("        Restart-WebAppPool -Name 'SCEP'");
    l << QStringLiteral(
        "        Write-Host 'Restarted the SCEP application pool: NDES reads its settings when it starts.'");
    l << QStringLiteral("    } elseif (-not $changed) {");
    l << QStringLiteral("        Write-Host 'Nothing to change: the NDES registry already matches the plan.'");
    l << QStringLiteral("    }");
    l << QStringLiteral("} finally {");
    l << QStringLiteral("    Stop-Transcript | Out-Null");
    l << QStringLiteral("}");
    return header(QStringLiteral("step 04, NDES registry settings (challenge passwords, templates, hash)"),
                  p.ndesHost.simplified(), p, at, true) +
           QLatin1String(setValueFunction) + QLatin1Char('\n') + body(l);
}

QString ScriptWriter::iisScript(const SetupPlan& p, const QDateTime& at) {
    QStringList l;
    l << QStringLiteral("$site = 'Default Web Site'");
    l << QStringLiteral("$httpParameters = 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters'");
    l << QStringLiteral("Start-Transcript -Path $TranscriptPath -Append | Out-Null");
    l << QStringLiteral("try {");
    l << QStringLiteral("    Import-Module WebAdministration");
    l << QStringLiteral("    $filter = 'system.webServer/security/requestFiltering/requestLimits'");
    l << QStringLiteral("    $limits = [ordered]@{ 'maxUrl' = %1; 'maxQueryString' = %2 }")
             .arg(p.maxUrl)
             .arg(p.maxQueryString);
    l << QStringLiteral("    foreach ($name in $limits.Keys) {");
    l << QStringLiteral("        $current = (Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location "
                        "$site -Filter $filter -Name $name).Value");
    l << QStringLiteral(
        "        if ($current -eq $limits[$name]) { Write-Verbose \"$name is already $current\"; continue }");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess(\"$site $filter/@$name\", \"set to $($limits[$name]) (was "
                        "$current)\")) {");
    l << QStringLiteral("            Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location $site "
                        "-Filter $filter -Name $name -Value $limits[$name]");
    l << QStringLiteral("            Write-Host \"Changed: request filtering $name = $($limits[$name])\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # HTTP.sys reads these at boot: a reboot is needed, iisreset is not enough.");
    l << QStringLiteral("    $reboot = $false");
    l << QStringLiteral("    $reboot = (Set-PlanValue -Path $httpParameters -Name 'MaxFieldLength' -Value %1 -Kind "
                        "DWord) -or $reboot")
             .arg(p.maxFieldLength);
    l << QStringLiteral("    $reboot = (Set-PlanValue -Path $httpParameters -Name 'MaxRequestBytes' -Value %1 -Kind "
                        "DWord) -or $reboot")
             .arg(p.maxRequestBytes);
    if (p.https) {
        QString thumb = p.tlsThumbprint;
        thumb.remove(QLatin1Char(' '));
        l << QStringLiteral("    $thumbprint = %1").arg(q(thumb.toUpper()));
        l << QStringLiteral("    $certificate = Get-Item -LiteralPath (Join-Path 'Cert:\\LocalMachine\\My' "
                            "$thumbprint) -ErrorAction SilentlyContinue");
        l << QStringLiteral("    if ($null -eq $certificate) { throw \"No certificate with thumbprint $thumbprint in "
                            "LocalMachine\\My: import the TLS certificate first.\" }");
        l << QStringLiteral("    if ($null -eq (Get-WebBinding -Name $site -Protocol 'https' -Port 443)) {");
        l << QStringLiteral("        if ($PSCmdlet.ShouldProcess(\"$site\", 'add an https binding on port 443')) {");
        l << QStringLiteral("            New-WebBinding -Name $site -Protocol 'https' -Port 443");
        l << QStringLiteral("            Write-Host 'Added the https binding on port 443'");
        l << QStringLiteral("        }");
        l << QStringLiteral("    }");
        l << QStringLiteral(
            "    $bound = Get-Item -LiteralPath 'IIS:\\SslBindings\\0.0.0.0!443' -ErrorAction SilentlyContinue");
        l << QStringLiteral("    if ($null -eq $bound -or $bound.Thumbprint -ne $thumbprint) {");
        l << QStringLiteral("        if ($PSCmdlet.ShouldProcess('0.0.0.0:443', \"bind certificate $thumbprint\")) {");
        l << QStringLiteral("            $binding = Get-WebBinding -Name $site -Protocol 'https' -Port 443");
        l << QStringLiteral("            $binding.AddSslCertificate($thumbprint, 'My')");
        l << QStringLiteral("            Write-Host \"Bound certificate $thumbprint to https on port 443\"");
        l << QStringLiteral("        }");
        l << QStringLiteral("    }");
    } else {
        l << QStringLiteral(
            "    Write-Warning 'The plan has no HTTPS: challenge passwords and the admin page travel in clear text.'");
    }
    l << QStringLiteral("    if ($reboot -and -not $WhatIfPreference) { Write-Warning 'HTTP.sys limits changed: reboot "
                        "this server for them to apply.' }");
    l << QStringLiteral("} finally {");
    l << QStringLiteral("    Stop-Transcript | Out-Null");
    l << QStringLiteral("}");
    return header(QStringLiteral("step 05, IIS request filtering, HTTP.sys limits and the HTTPS binding"),
                  p.ndesHost.simplified(), p, at, true) +
           QLatin1String(setValueFunction) + QLatin1Char('\n') + body(l);
}

QString ScriptWriter::rollbackScript(const SetupPlan& p, const QDateTime& at) {
    QStringList l;
    l << QStringLiteral("$mscep = 'HKLM:\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP'");
    l << QStringLiteral("$backup = Join-Path $env:ProgramData 'NDES Console\\mscep-before-ndes-console.reg'");
    l << QStringLiteral("Start-Transcript -Path $TranscriptPath -Append | Out-Null");
    l << QStringLiteral("try {");
    l << QStringLiteral(
        "    # The MSCEP key exactly as step 04 found it before its first change: the key is replaced, not merged.");
    l << QStringLiteral("    if (-not (Test-Path -LiteralPath $backup)) {");
    l << QStringLiteral("        Write-Warning \"No backup at $backup: step 04 has not changed anything here.\"");
    l << QStringLiteral("    } elseif ($PSCmdlet.ShouldProcess('HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP', "
                        "\"replace with $backup\")) {");
    l << QStringLiteral("        Remove-Item -LiteralPath $mscep -Recurse");
    l << QStringLiteral("        & reg.exe import $backup");
    l << QStringLiteral(
        "        if ($LASTEXITCODE -ne 0) { throw \"reg.exe import failed ($LASTEXITCODE); import $backup by hand\" }");
    l << QStringLiteral("        Import-Module WebAdministration");
    l << QStringLiteral("        Restart-WebAppPool -Name 'SCEP'");
    l << QStringLiteral("        Write-Host \"Restored the MSCEP key from $backup and restarted the SCEP pool\"");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # IIS and HTTP.sys limits are left as they are: larger limits break nothing, and lowering "
                        "them breaks SCEP GET requests.");
    l << QStringLiteral("    Write-Host 'IIS request filtering and HTTP.sys limits were not changed back (larger "
                        "limits are harmless).'");
    l << QStringLiteral("} finally {");
    l << QStringLiteral("    Stop-Transcript | Out-Null");
    l << QStringLiteral("}");
    return header(QStringLiteral("rollback of step 04 (the NDES registry)"), p.ndesHost.simplified(), p, at, true) +
           body(l);
}

QString ScriptWriter::verifyScript(const SetupPlan& p, const QDateTime& at) {
    QStringList l;
    l << QStringLiteral("$mscep = 'HKLM:\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP'");
    l << QStringLiteral("$differences = 0");
    l << QStringLiteral("function Compare-PlanValue([string] $Path, [string] $Name, $Expected) {");
    l << QStringLiteral("    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue");
    l << QStringLiteral("    $actual = if ($null -eq $item) { $null } else { $item.$Name }");
    l << QStringLiteral("    if ($null -eq $actual -or ((@($actual) -join ', ') -cne (@($Expected) -join ', '))) {");
    l << QStringLiteral("        Write-Host \"DIFFERS  $Path\\$Name : plan $(@($Expected) -join ', '), server $(if "
                        "($null -eq $actual) { 'not set' } else { @($actual) -join ', ' })\"");
    l << QStringLiteral("        $script:differences++");
    l << QStringLiteral("    } else {");
    l << QStringLiteral("        Write-Host \"ok       $Path\\$Name = $(@($actual) -join ', ')\"");
    l << QStringLiteral("    }");
    l << QStringLiteral("}");
    for (const RegSetting& s : registrySettings(p))
        l << QStringLiteral("Compare-PlanValue %1 '%2' %3")
                 .arg(s.subkey ? QStringLiteral("\"$mscep\\%1\"").arg(s.name) : QStringLiteral("$mscep"), s.name,
                      s.value);
    l << QStringLiteral("Compare-PlanValue \"$mscep\\CAInfo\" 'Configuration' %1").arg(q(p.caConfig));
    l << QStringLiteral("foreach ($misplaced in 'EnforcePassword', 'PasswordMax', 'PasswordValidity', "
                        "'PasswordLength', 'UseSinglePassword', 'PasswordCacheMax') {");
    l << QStringLiteral(
        "    if ($null -ne (Get-ItemProperty -LiteralPath $mscep -Name $misplaced -ErrorAction SilentlyContinue)) {");
    l << QStringLiteral("        Write-Host \"MISPLACED $mscep\\$misplaced : a value NDES never reads (it reads the "
                        "subkey of that name)\"");
    l << QStringLiteral("        $differences++");
    l << QStringLiteral("    }");
    l << QStringLiteral("}");
    l << QStringLiteral(
             "Compare-PlanValue 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters' 'MaxFieldLength' %1")
             .arg(p.maxFieldLength);
    l << QStringLiteral(
             "Compare-PlanValue 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters' 'MaxRequestBytes' %1")
             .arg(p.maxRequestBytes);
    l << QStringLiteral("Import-Module WebAdministration");
    l << QStringLiteral("foreach ($limit in @(@('maxUrl', %1), @('maxQueryString', %2))) {")
             .arg(p.maxUrl)
             .arg(p.maxQueryString);
    l << QStringLiteral(
        "    $value = (Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'Default Web Site' "
        "-Filter 'system.webServer/security/requestFiltering/requestLimits' -Name $limit[0]).Value");
    l << QStringLiteral("    if ($value -ne $limit[1]) { Write-Host \"DIFFERS  request filtering $($limit[0]) : plan "
                        "$($limit[1]), server $value\"; $differences++ }");
    l << QStringLiteral("    else { Write-Host \"ok       request filtering $($limit[0]) = $value\" }");
    l << QStringLiteral("}");
    l << QStringLiteral("if ($differences -eq 0) { Write-Host 'The server matches the plan.' } else { Write-Host "
                        "\"$differences difference(s) from the plan.\" }");
    l << QStringLiteral("exit [int]($differences -ne 0)");
    QString h =
        header(QStringLiteral("verification (read-only) of steps 04 and 05"), p.ndesHost.simplified(), p, at, false);
    h.replace(QStringLiteral("[CmdletBinding(SupportsShouldProcess = $true)]"), QStringLiteral("[CmdletBinding()]"));
    h.replace(QStringLiteral("param(\n    [string] $TranscriptPath = (Join-Path $env:TEMP ('ndes-setup-' + (Get-Date "
                             "-Format 'yyyyMMdd-HHmmss') + '.log'))\n)"),
              QStringLiteral("param()"));
    return h + body(l);
}

QString ScriptWriter::serviceAccountScript(const SetupPlan& p, const QDateTime& at) {
    const bool generate = p.passwordPolicy == SetupPlan::PasswordPolicy::Generate;
    QStringList l;
    l << QStringLiteral("$name = %1").arg(q(p.accountName));
    l << QStringLiteral("$upn = %1").arg(q(p.accountUpn));
    l << QStringLiteral("$ou = %1").arg(q(p.accountOu));
    l << QStringLiteral("$spn = 'HTTP/' + %1").arg(q(p.ndesHost));
    l << QStringLiteral("$member = %1 + '\\' + $name").arg(q(p.domainNetbios));
    if (generate) {
        l << QStringLiteral("function New-PlanPassword {");
        l << QStringLiteral("    # 24 characters from a cryptographic generator; shown nowhere, logged nowhere.");
        l << QStringLiteral("    $alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=?@'");
        l << QStringLiteral("    $bytes = New-Object byte[] 24");
        l << QStringLiteral("    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)");
        l << QStringLiteral("    $chars = foreach ($b in $bytes) { $alphabet[$b % $alphabet.Length] }");
        l << QStringLiteral("    return (-join $chars)");
        l << QStringLiteral("}");
    }
    l << QStringLiteral("Start-Transcript -Path $TranscriptPath -Append | Out-Null");
    l << QStringLiteral("try {");
    l << QStringLiteral("    Import-Module ActiveDirectory");
    l << QStringLiteral("    $user = Get-ADUser -Filter 'sAMAccountName -eq $name' -Properties ServicePrincipalName");
    l << QStringLiteral("    if ($null -eq $user) {");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess(\"$name in $ou\", 'create the NDES service account')) {");
    if (generate) {
        l << QStringLiteral("            $plain = New-PlanPassword");
        l << QStringLiteral("            $secure = ConvertTo-SecureString -String $plain -AsPlainText -Force");
        l << QStringLiteral("            Set-Clipboard -Value $plain");
        l << QStringLiteral("            Remove-Variable -Name plain");
        l << QStringLiteral("            Write-Host 'The generated password is on the clipboard (not shown, not in the "
                            "transcript): store it in your password vault now; step 03 asks for it.'");
    } else {
        l << QStringLiteral(
            "            $secure = Read-Host -AsSecureString -Prompt \"Password for the new account $name\"");
    }
    l << QStringLiteral("            New-ADUser -Name $name -SamAccountName $name -UserPrincipalName $upn -Path $ou "
                        "-AccountPassword $secure -Enabled $true -Description 'NDES (SCEP) application pool identity'");
    l << QStringLiteral("            Write-Host \"Created $name in $ou\"");
    l << QStringLiteral("            $user = Get-ADUser -Identity $name -Properties ServicePrincipalName");
    l << QStringLiteral("        }");
    l << QStringLiteral("    } else {");
    l << QStringLiteral("        Write-Verbose \"$name exists\"");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # Kerberos to the admin page needs HTTP/<NDES host> on the account that runs the pool.");
    l << QStringLiteral("    if ($null -ne $user -and -not (@($user.ServicePrincipalName) -contains $spn)) {");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess($name, \"add the SPN $spn\")) {");
    l << QStringLiteral("            Set-ADUser -Identity $user -ServicePrincipalNames @{ Add = $spn }");
    l << QStringLiteral("            Write-Host \"Added SPN $spn to $name\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # On this server: member of IIS_IUSRS, and not a local administrator (least privilege).");
    l << QStringLiteral(
        "    if ($null -eq (Get-LocalGroupMember -Group 'IIS_IUSRS' -Member $member -ErrorAction SilentlyContinue)) {");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess('IIS_IUSRS', \"add $member\")) {");
    l << QStringLiteral("            Add-LocalGroupMember -Group 'IIS_IUSRS' -Member $member");
    l << QStringLiteral("            Write-Host \"Added $member to IIS_IUSRS\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    if ($null -ne (Get-LocalGroupMember -Group 'Administrators' -Member $member -ErrorAction "
                        "SilentlyContinue)) {");
    l << QStringLiteral("        Write-Warning \"$member is a local administrator; NDES needs no such right.\"");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess('Administrators', \"remove $member\")) {");
    l << QStringLiteral("            Remove-LocalGroupMember -Group 'Administrators' -Member $member");
    l << QStringLiteral("            Write-Host \"Removed $member from Administrators\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    Write-Host \"Check by hand on the CA: $member (or a group it is in) has Request "
                        "Certificates (certsrv.msc > Properties > Security).\"");
    l << QStringLiteral("} finally {");
    l << QStringLiteral("    Stop-Transcript | Out-Null");
    l << QStringLiteral("}");
    return header(QStringLiteral("step 01, the NDES service account (AD user, SPN, IIS_IUSRS, no local administrator)"),
                  p.ndesHost.simplified(), p, at, true) +
           body(l);
}

QString ScriptWriter::roleScript(const SetupPlan& p, const QDateTime& at) {
    QStringList l;
    l << QStringLiteral("$account = %1 + '\\' + %2").arg(q(p.domainNetbios), q(p.accountName));
    l << QStringLiteral("Start-Transcript -Path $TranscriptPath -Append | Out-Null");
    l << QStringLiteral("try {");
    l << QStringLiteral("    $feature = Get-WindowsFeature -Name 'ADCS-Device-Enrollment'");
    l << QStringLiteral("    if (-not $feature.Installed) {");
    l << QStringLiteral(
        "        if ($PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'install the ADCS-Device-Enrollment feature')) {");
    l << QStringLiteral(
        "            Install-WindowsFeature -Name 'ADCS-Device-Enrollment' -IncludeManagementTools | Out-Null");
    l << QStringLiteral("            Write-Host 'Installed the NDES feature'");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    $status = Get-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\Microsoft\\ADCS\\NDES' -Name "
                        "'ConfigurationStatus' -ErrorAction SilentlyContinue");
    l << QStringLiteral("    if ($null -ne $status -and $status.ConfigurationStatus -eq 2) {");
    l << QStringLiteral("        Write-Host 'NDES is already configured (ConfigurationStatus 2): nothing to do. To "
                        "change the RA, remove the role configuration first.'");
    l << QStringLiteral("    } elseif ($PSCmdlet.ShouldProcess($env:COMPUTERNAME, \"configure NDES for $account\")) {");
    l << QStringLiteral("        $credential = Get-Credential -UserName $account -Message 'Password of the NDES "
                        "service account (from step 01)'");
    l << QStringLiteral("        $arguments = @{");
    l << QStringLiteral("            ServiceAccountName     = $account");
    l << QStringLiteral("            ServiceAccountPassword = $credential.Password");
    l << QStringLiteral("            CAConfig               = %1").arg(q(p.caConfig));
    l << QStringLiteral("            RAName                 = %1").arg(q(p.raName));
    l << QStringLiteral("            RACountry              = %1").arg(q(p.raCountry));
    l << QStringLiteral("            RACompany              = %1").arg(q(p.raCompany));
    l << QStringLiteral("            SigningProviderName    = %1").arg(q(p.raSigningCsp));
    l << QStringLiteral("            SigningKeyLength       = %1").arg(p.raSigningKeyLength);
    l << QStringLiteral("            EncryptionProviderName = %1").arg(q(p.raEncryptionCsp));
    l << QStringLiteral("            EncryptionKeyLength    = %1").arg(p.raEncryptionKeyLength);
    l << QStringLiteral("        }");
    l << QStringLiteral("        Install-AdcsNetworkDeviceEnrollmentService @arguments -Force | Out-Null");
    l << QStringLiteral("        Write-Host 'Configured NDES; its two RA certificates were requested from the CA.'");
    l << QStringLiteral("    }");
    l << QStringLiteral("} finally {");
    l << QStringLiteral("    Stop-Transcript | Out-Null");
    l << QStringLiteral("}");
    return header(QStringLiteral("step 03, the NDES role and its RA certificates"), p.ndesHost.simplified(), p, at,
                  true) +
           body(l);
}

QString ScriptWriter::combinedScript(const SetupPlan& p, const QDateTime& at) {
    QStringList l;
    l << QStringLiteral("# Runs the steps in order from this folder; -WhatIf and the transcript pass through.");
    l << QStringLiteral(
        "foreach ($step in '01-service-account.ps1', '02-certificate-template.ps1', '03-ndes-role.ps1', "
        "'04-ndes-registry.ps1', '05-iis-httpsys.ps1') {");
    l << QStringLiteral("    Write-Host \"== $step\"");
    l << QStringLiteral(
        "    & (Join-Path $PSScriptRoot $step) -TranscriptPath $TranscriptPath -WhatIf:$WhatIfPreference");
    l << QStringLiteral("}");
    l << QStringLiteral("Write-Host 'Done. Run verify.ps1 to see what still differs from the plan.'");
    return header(QStringLiteral("all steps in order"), p.ndesHost.simplified(), p, at, true) + body(l);
}

QString ScriptWriter::templateScript(const SetupPlan& p, const QDateTime& at) {
    const bool sign = p.purpose != SetupPlan::Purpose::Encryption;
    const bool encrypt = p.purpose != SetupPlan::Purpose::Signature;
    // pKIKeyUsage: digitalSignature 0x80, keyEncipherment 0x20; the key spec: AT_KEYEXCHANGE 1, AT_SIGNATURE 2.
    const int keyUsage = (sign ? 0x80 : 0) | (encrypt ? 0x20 : 0);
    const int keySpec = encrypt ? 1 : 2;
    QStringList ekus;
    for (const QString& e : p.ekus)
        ekus << q(e);
    QStringList l;
    l << QStringLiteral("$name = %1").arg(q(p.templateName));
    l << QStringLiteral("$displayName = %1").arg(q(p.templateDisplayName));
    l << QStringLiteral("$baseName = %1").arg(q(p.baseTemplate));
    l << QStringLiteral("$account = %1 + '\\' + %2").arg(q(p.domainNetbios), q(p.accountName));
    l << QStringLiteral("$caConfig = %1").arg(q(p.caConfig));
    l << QStringLiteral("$ekus = @(%1)").arg(ekus.join(QStringLiteral(", ")));
    l << QStringLiteral("function ConvertTo-Period([int] $Days) {");
    l << QStringLiteral("    # A template period is a negative count of 100 ns as eight little-endian bytes.");
    l << QStringLiteral("    return [System.BitConverter]::GetBytes([long](-1 * [long]$Days * 864000000000))");
    l << QStringLiteral("}");
    l << QStringLiteral("Start-Transcript -Path $TranscriptPath -Append | Out-Null");
    l << QStringLiteral("try {");
    l << QStringLiteral("    $configNC = ([ADSI]'LDAP://RootDSE').configurationNamingContext");
    l << QStringLiteral("    $pks = \"CN=Public Key Services,CN=Services,$configNC\"");
    l << QStringLiteral("    $container = [ADSI](\"LDAP://CN=Certificate Templates,$pks\")");
    l << QStringLiteral("    $existing = $container.Children | Where-Object { $_.Properties['cn'].Value -ceq $name }");
    l << QStringLiteral("    if ($null -ne $existing) {");
    l << QStringLiteral(
        "        Write-Host \"Template $name exists: left as it is (compare it with the plan in certtmpl.msc).\"");
    l << QStringLiteral("    } elseif ($PSCmdlet.ShouldProcess($name, \"create the template from $baseName\")) {");
    l << QStringLiteral(
        "        $base = $container.Children | Where-Object { $_.Properties['cn'].Value -ceq $baseName }");
    l << QStringLiteral("        if ($null -eq $base) { throw \"Base template $baseName not found.\" }");
    l << QStringLiteral("        # A new template OID under the forest's own arc, registered in the OID container.");
    l << QStringLiteral("        $oidContainer = [ADSI](\"LDAP://CN=OID,$pks\")");
    l << QStringLiteral("        $forestArc = [string]$oidContainer.Properties['msPKI-Cert-Template-OID'].Value");
    l << QStringLiteral("        $oid = $forestArc + '.' + (Get-Random -Minimum 1000000 -Maximum 99999999) + '.' + "
                        "(Get-Random -Minimum 1000000 -Maximum 99999999)");
    l << QStringLiteral(
        "        $oidObject = $oidContainer.Create('msPKI-Enterprise-Oid', 'CN=' + (Get-Random -Minimum 1000000 "
        "-Maximum 99999999) + '.' + ([guid]::NewGuid().ToString('N').ToUpperInvariant()))");
    l << QStringLiteral("        $oidObject.Put('flags', 1)");
    l << QStringLiteral("        $oidObject.Put('displayName', $displayName)");
    l << QStringLiteral("        $oidObject.Put('msPKI-Cert-Template-OID', $oid)");
    l << QStringLiteral("        $oidObject.SetInfo()");
    l << QStringLiteral("        $template = $container.Create('pKICertificateTemplate', \"CN=$name\")");
    l << QStringLiteral("        # From the base: what the plan does not decide.");
    l << QStringLiteral("        foreach ($attribute in 'flags', 'pKIMaxIssuingDepth', 'pKICriticalExtensions', "
                        "'msPKI-RA-Signature', 'msPKI-Enrollment-Flag') {");
    l << QStringLiteral("            $value = $base.Properties[$attribute].Value");
    l << QStringLiteral("            if ($null -ne $value) { $template.Put($attribute, $value) }");
    l << QStringLiteral("        }");
    l << QStringLiteral("        # From the plan.");
    l << QStringLiteral("        $template.Put('displayName', $displayName)");
    l << QStringLiteral("        $template.Put('revision', 100)");
    l << QStringLiteral("        $template.Put('msPKI-Template-Schema-Version', 2)");
    l << QStringLiteral("        $template.Put('msPKI-Template-Minor-Revision', 0)");
    l << QStringLiteral("        $template.Put('msPKI-Cert-Template-OID', $oid)");
    l << QStringLiteral("        $template.Put('pKIExpirationPeriod', (ConvertTo-Period %1))").arg(p.validityDays);
    l << QStringLiteral("        $template.Put('pKIOverlapPeriod', (ConvertTo-Period %1))").arg(p.renewalDays);
    l << QStringLiteral("        $template.Put('msPKI-Minimal-Key-Size', %1)").arg(p.minimumKeySize);
    l << QStringLiteral("        $template.Put('pKIDefaultKeySpec', %1)").arg(keySpec);
    l << QStringLiteral("        $template.Put('pKIKeyUsage', [byte[]](0x%1, 0x00))")
             .arg(keyUsage, 2, 16, QLatin1Char('0'));
    l << QStringLiteral("        $template.Put('pKIDefaultCSPs', @(%1))")
             .arg(q(QStringLiteral("1,") + p.templateProvider));
    l << QStringLiteral("        $template.PutEx(2, 'pKIExtendedKeyUsage', $ekus)");
    l << QStringLiteral("        $template.PutEx(2, 'msPKI-Certificate-Application-Policy', $ekus)");
    l << QStringLiteral(
        "        # 1 = the subject comes with the request (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT); 0x10 = exportable key.");
    l << QStringLiteral("        $template.Put('msPKI-Certificate-Name-Flag', %1)").arg(p.subjectInRequest ? 1 : 0);
    l << QStringLiteral("        $template.Put('msPKI-Private-Key-Flag', %1)").arg(p.exportableKey ? 16 : 0);
    l << QStringLiteral("        $template.SetInfo()");
    l << QStringLiteral("        # Read and Enroll for the service account, nothing more.");
    l << QStringLiteral(
        "        $sid = (New-Object "
        "System.Security.Principal.NTAccount($account)).Translate([System.Security.Principal.SecurityIdentifier])");
    l << QStringLiteral("        $enroll = [guid]'0e10c968-78fb-11d2-90d4-00c04f79dc55'");
    l << QStringLiteral("        $template.ObjectSecurity.AddAccessRule((New-Object "
                        "System.DirectoryServices.ActiveDirectoryAccessRule($sid, 'GenericRead', 'Allow')))");
    l << QStringLiteral(
        "        $template.ObjectSecurity.AddAccessRule((New-Object "
        "System.DirectoryServices.ActiveDirectoryAccessRule($sid, 'ExtendedRight', 'Allow', $enroll)))");
    l << QStringLiteral("        $template.CommitChanges()");
    l << QStringLiteral("        Write-Host \"Created template $name ($oid) with Read and Enroll for $account\"");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # Published on the CA, or NDES gets \"template not available\" (event 31).");
    l << QStringLiteral("    $published = & certutil.exe -config $caConfig -CATemplates 2>$null | Where-Object { $_ "
                        "-match ('^' + [regex]::Escape($name) + ':') }");
    l << QStringLiteral("    if ($null -eq $published) {");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess($caConfig, \"publish template $name\")) {");
    l << QStringLiteral("            & certutil.exe -config $caConfig -SetCATemplates ('+' + $name) | Out-Null");
    l << QStringLiteral("            if ($LASTEXITCODE -ne 0) { throw \"certutil -SetCATemplates failed "
                        "($LASTEXITCODE): publish $name on the CA by hand (certsrv.msc).\" }");
    l << QStringLiteral("            Write-Host \"Published $name on $caConfig\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("} finally {");
    l << QStringLiteral("    Stop-Transcript | Out-Null");
    l << QStringLiteral("}");
    return header(QStringLiteral("step 02, the certificate template (created in AD, Read and Enroll for the service "
                                 "account, published on the CA)"),
                  QStringLiteral("a domain-joined server with AD write rights on the configuration partition"), p, at,
                  true) +
           body(l);
}

QList<GeneratedScript> ScriptWriter::scripts(const SetupPlan& plan, const QDateTime& at) {
    return {
        {QStringLiteral("setup-all.ps1"), QStringLiteral("All steps"), combinedScript(plan, at)},
        {QStringLiteral("01-service-account.ps1"), QStringLiteral("Service account"), serviceAccountScript(plan, at)},
        {QStringLiteral("02-certificate-template.ps1"), QStringLiteral("Certificate template"),
         templateScript(plan, at)},
        {QStringLiteral("03-ndes-role.ps1"), QStringLiteral("NDES role and RA"), roleScript(plan, at)},
        {QStringLiteral("04-ndes-registry.ps1"), QStringLiteral("NDES registry"), registryScript(plan, at)},
        {QStringLiteral("05-iis-httpsys.ps1"), QStringLiteral("IIS and HTTP.sys"), iisScript(plan, at)},
        {QStringLiteral("rollback.ps1"), QStringLiteral("Rollback"), rollbackScript(plan, at)},
        {QStringLiteral("verify.ps1"), QStringLiteral("Verification (read-only)"), verifyScript(plan, at)},
    };
}

QByteArray ScriptWriter::fileBytes(const GeneratedScript& script) {
    QString text = script.text;
    text.replace(QLatin1Char('\n'), QLatin1String("\r\n"));
    return QByteArray("\xEF\xBB\xBF") + text.toUtf8();
}

} // namespace ndes::setup
