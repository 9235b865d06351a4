// SPDX-License-Identifier: Apache-2.0
#include "setup/ScriptWriter.h"

#include "ndes/RaRenewalScript.h"
#include "setup/RegWriter.h"
#include "util/AtomicFile.h"

#include <QDir>

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
        l << QStringLiteral("    Read-only: it prints what differs from the plan and changes nothing. Exit code 0: as "
                            "planned; 1: differences; 2: some parts could not be checked (said which).");
    l << QStringLiteral("#>");
    if (changes) {
        l << QStringLiteral("[CmdletBinding(SupportsShouldProcess = $true)]");
        l << QStringLiteral("param(");
        l << QStringLiteral("    [string] $TranscriptPath = (Join-Path $env:TEMP ('ndes-setup-' + (Get-Date -Format "
                            "'yyyyMMdd-HHmmss') + '.log'))");
        l << QStringLiteral(")");
    } else {
        l << QStringLiteral("[CmdletBinding()]") << QStringLiteral("param()");
    }
    l << QStringLiteral("Set-StrictMode -Version Latest");
    l << QStringLiteral("$ErrorActionPreference = 'Stop'");
    l << QString();
    return l.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

// Every changing script runs in try/finally with a transcript: started under -WhatIf too, and only the one
// started here is stopped (Stop-Transcript throws when none runs).
QStringList transcriptStart() {
    return {
        QStringLiteral("$transcribing = $false"), QStringLiteral("try {"),
        QStringLiteral("    # A transcript under -WhatIf too; only the one started here is stopped."),
        QStringLiteral("    Start-Transcript -Path $TranscriptPath -Append -WhatIf:$false -Confirm:$false | Out-Null"),
        QStringLiteral("    $transcribing = $true")};
}
QStringList transcriptEnd() {
    return {QStringLiteral("} finally {"), QStringLiteral("    if ($transcribing) { Stop-Transcript | Out-Null }"),
            QStringLiteral("}")};
}

// Values public guides write directly under MSCEP, where NDES never reads them.
const char* const misplacedValues =
    "'EnforcePassword', 'PasswordMax', 'PasswordValidity', 'PasswordLength', 'UseSinglePassword', 'PasswordCacheMax'";

// Idempotent registry helper: creates the key, compares, sets only what differs, says what it did. Returns whether
// it changed the value or, under -WhatIf, would have (so "nothing to change" is only said when nothing differs).
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
    $done = $PSCmdlet.ShouldProcess("$Path\$Name", "set to $(@($Value) -join ', ') (was $(if ($null -eq $current) { 'not set' } else { @($current) -join ', ' }))")
    if ($done) {
        if (-not (Test-Path -LiteralPath $Path)) { New-Item -Path $Path -Force | Out-Null }
        New-ItemProperty -LiteralPath $Path -Name $Name -Value $Value -PropertyType $Kind -Force | Out-Null
        Write-Host "Changed: $Path\$Name = $(@($Value) -join ', ')"
    }
    # Changed, or would be under -WhatIf; a change declined at -Confirm is neither.
    return ($done -or $WhatIfPreference)
}
)ps";

// Finding the service account and what it is, without the ActiveDirectory module (ADSI is on every domain member).
const char* const accountFunctions = R"ps(function ConvertTo-LdapFilterValue([string] $Value) {
    # RFC 4515: \ * ( ) and NUL go as \xx, so no name can change the search.
    $builder = New-Object System.Text.StringBuilder
    foreach ($c in $Value.ToCharArray()) {
        if ('\*()'.IndexOf($c) -ge 0 -or [int]$c -eq 0) { [void]$builder.AppendFormat('\{0:x2}', [int]$c) }
        else { [void]$builder.Append($c) }
    }
    return $builder.ToString()
}
function Get-PlanAccount([string] $SamAccountName) {
    # On the PDC emulator, where step 01 creates the account: another DC may not have it yet.
    $domain = [System.DirectoryServices.ActiveDirectory.Domain]::GetComputerDomain()
    $root = [ADSI]('LDAP://' + $domain.PdcRoleOwner.Name + '/' + [string]$domain.GetDirectoryEntry().Properties['distinguishedName'].Value)
    $searcher = New-Object System.DirectoryServices.DirectorySearcher($root)
    $searcher.Filter = '(&(objectCategory=person)(objectClass=user)(sAMAccountName=' + (ConvertTo-LdapFilterValue $SamAccountName) + '))'
    $found = $searcher.FindOne()
    if ($null -eq $found) { return $null }
    return $found.GetDirectoryEntry()
}
function Get-PlanAccountSid($Account) {
    return [System.Security.Principal.SecurityIdentifier]::new([byte[]]$Account.Properties['objectSid'].Value, 0)
}
function Get-PlanAccountSids($Account) {
    # Who the CA and the template see when the account asks: the account, every group it is in (nested ones too,
    # from tokenGroups), Everyone and Authenticated Users.
    $Account.RefreshCache([string[]]@('tokenGroups'))
    $sids = New-Object System.Collections.Generic.List[string]
    $sids.Add((Get-PlanAccountSid $Account).Value)
    foreach ($group in $Account.Properties['tokenGroups']) {
        $sids.Add([System.Security.Principal.SecurityIdentifier]::new([byte[]]$group, 0).Value)
    }
    $sids.Add('S-1-1-0')
    $sids.Add('S-1-5-11')
    return ,$sids.ToArray()
}
)ps";

// The CA's own permissions (certsrv.msc > Properties > Security), read over DCOM from the CA's configuration:
// Request Certificates is the access bit 0x200 (MS-CSRA 3.1.1.7). A Deny wins over any Allow.
const char* const caFunction = R"ps(function Get-PlanCaEnroll([string] $CaConfig, [string[]] $Sids) {
    $admin = New-Object -ComObject CertificateAuthority.Admin
    $bytes = [byte[]]$admin.GetConfigEntry($CaConfig, '', 'Security')
    $descriptor = [System.Security.AccessControl.RawSecurityDescriptor]::new($bytes, 0)
    $allowed = $false
    $denied = $false
    foreach ($ace in $descriptor.DiscretionaryAcl) {
        if ($ace -isnot [System.Security.AccessControl.CommonAce]) { continue }
        if (($ace.AccessMask -band 0x200) -eq 0 -or $Sids -notcontains $ace.SecurityIdentifier.Value) { continue }
        if ($ace.AceQualifier -eq [System.Security.AccessControl.AceQualifier]::AccessDenied) { $denied = $true }
        else { $allowed = $true }
    }
    return [pscustomobject]@{ Allowed = ($allowed -and -not $denied); Denied = $denied; Descriptor = $descriptor; Admin = $admin }
}
)ps";

// The template in AD: found by name, its rights for the account, and what differs from the plan.
const char* const templateFunctions =
    R"ps(function Find-PlanTemplate($Container, [string] $Name, [switch] $OrDisplayName) {
    # AD compares names without case; the caller checks the case, which NDES and the CA do compare.
    $byName = @($Container.Children | Where-Object { [string]$_.Properties['cn'].Value -eq $Name })
    if ($byName.Count -gt 0) { return $byName[0] }
    if ($OrDisplayName) {
        # "Computer" is the display name of the template called Machine, "Web Server" of WebServer.
        $byDisplayName = @($Container.Children | Where-Object { [string]$_.Properties['displayName'].Value -eq $Name })
        if ($byDisplayName.Count -gt 0) { return $byDisplayName[0] }
    }
    return $null
}
function Get-PlanTemplateRights($Template, [string[]] $Sids) {
    # Read: GenericRead (0x20094). Enroll: the extended right 0e10c968-..., all extended rights, or GenericAll.
    $enroll = [guid]'0e10c968-78fb-11d2-90d4-00c04f79dc55'
    $result = [pscustomobject]@{ Read = $false; Enroll = $false; Denied = $false }
    foreach ($rule in $Template.ObjectSecurity.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
        if ($Sids -notcontains $rule.IdentityReference.Value) { continue }
        $rights = [int]$rule.ActiveDirectoryRights
        $full = ($rights -band 0xF01FF) -eq 0xF01FF
        $canRead = $full -or (($rights -band 0x20094) -eq 0x20094)
        $canEnroll = $full -or ((($rights -band 0x100) -ne 0) -and ($rule.ObjectType -eq $enroll -or $rule.ObjectType -eq [guid]::Empty))
        if ([string]$rule.AccessControlType -eq 'Deny') {
            if ($canEnroll) { $result.Denied = $true }
        } else {
            if ($canRead) { $result.Read = $true }
            if ($canEnroll) { $result.Enroll = $true }
        }
    }
    return $result
}
function Get-PlanTemplateDifferences($Template, $Plan) {
    # Each line: what, the plan's value, the template's. Empty when the template is as planned.
    $p = $Template.Properties
    $days = { param($v) if ($null -eq $v) { 'not set' } else { [math]::Round([System.BitConverter]::ToInt64([byte[]]$v, 0) / -864000000000) } }
    $providers = @($p['pKIDefaultCSPs'] | ForEach-Object { ([string]$_ -split ',', 2)[-1] })
    $actual = [ordered]@{
        'display name'                          = [string]$p['displayName'].Value
        'validity (days)'                       = & $days $p['pKIExpirationPeriod'].Value
        'renewal period (days)'                 = & $days $p['pKIOverlapPeriod'].Value
        'minimum key size'                      = [int]$p['msPKI-Minimal-Key-Size'].Value
        'key usage'                             = $(if ($null -eq $p['pKIKeyUsage'].Value) { 0 } else { ([byte[]]$p['pKIKeyUsage'].Value)[0] })
        'key spec'                              = [int]$p['pKIDefaultKeySpec'].Value
        'EKUs'                                  = (@($p['pKIExtendedKeyUsage'] | Sort-Object) -join ', ')
        'subject and SAN from the request flags' = ([int]$p['msPKI-Certificate-Name-Flag'].Value -band 0x10001)
        'exportable key flag'                   = ([int]$p['msPKI-Private-Key-Flag'].Value -band 0x10)
        'provider'                              = $(if ($providers -contains $Plan['provider']) { $Plan['provider'] } else { $providers -join ', ' })
    }
    $differences = New-Object System.Collections.Generic.List[string]
    foreach ($key in $Plan.Keys) {
        if ([string]$actual[$key] -cne [string]$Plan[$key]) {
            $differences.Add("$key : plan $($Plan[$key]), AD $($actual[$key])")
        }
    }
    return ,$differences.ToArray()
}
)ps";

// Native programs (reg.exe, certutil.exe) with 'Continue' inside: Windows PowerShell 5.1 turns their stderr into
// stopping errors under 'Stop' (when redirected, in the ISE, over remoting). The exit code decides instead.
const char* const nativeFunction = R"ps(function Invoke-PlanNative([string] $FilePath, [string[]] $Arguments) {
    $ErrorActionPreference = 'Continue'
    $output = @(& $FilePath @Arguments 2>&1 | ForEach-Object { "$_" })
    return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
}
)ps";

// The SCEP pool after a change: IIS stops a pool after repeated failures (a wrong password, say); a stopped pool
// is started, a running one restarted.
const char* const poolFunction = R"ps(function Restart-PlanScepPool {
    # Neither works while the pool is on its way: wait for it (at most 30 s).
    for ($wait = 0; $wait -lt 30 -and (Get-WebAppPoolState -Name 'SCEP').Value -in 'Starting', 'Stopping'; $wait++) { Start-Sleep -Seconds 1 }
    if ((Get-WebAppPoolState -Name 'SCEP').Value -eq 'Stopped') { Start-WebAppPool -Name 'SCEP' }
    else { Restart-WebAppPool -Name 'SCEP' }
}
function Import-PlanWebAdministration {
    # IIS's PowerShell module comes with the Web-Scripting-Tools feature, which IIS does not always bring along.
    [CmdletBinding(SupportsShouldProcess = $true)]
    param()
    if ($null -eq (Get-Module -ListAvailable -Name WebAdministration)) {
        if (-not (Get-WindowsFeature -Name 'Web-Server').Installed) { return $false }
        if (-not $PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'install Web-Scripting-Tools (the WebAdministration module)')) { return $false }
        Install-WindowsFeature -Name 'Web-Scripting-Tools' | Out-Null
    }
    Import-Module WebAdministration
    return $true
}
)ps";

// Local group membership by SID through ADSI: Get-LocalGroupMember fails on a group that holds a SID which no
// longer resolves, and group names are translated ("Administratoren"), their SIDs are not.
const char* const localGroupFunction = R"ps(function Find-PlanLocalMember([string] $GroupSid, [string[]] $MemberSids) {
    # The first of MemberSids that is a direct member of the local group, or $null.
    $groupName = ([System.Security.Principal.SecurityIdentifier]$GroupSid).Translate([System.Security.Principal.NTAccount]).Value.Split('\')[-1]
    $group = [ADSI]"WinNT://$env:COMPUTERNAME/$groupName,group"
    foreach ($entry in @($group.Invoke('Members'))) {
        $sid = $null
        try {
            $bytes = [byte[]]$entry.GetType().InvokeMember('objectSid', 'GetProperty', $null, $entry, $null)
            $sid = [System.Security.Principal.SecurityIdentifier]::new($bytes, 0).Value
        } catch {
            # A member whose domain cannot be reached: its path may still carry the SID (WinNT://S-1-...).
            $path = [string]$entry.GetType().InvokeMember('ADsPath', 'GetProperty', $null, $entry, $null)
            if ($path -match '(S-1-[0-9-]+)$') { $sid = $Matches[1] }
        }
        if ($null -ne $sid -and $MemberSids -contains $sid) { return $sid }
    }
    return $null
}
function Get-PlanSidName([string] $Sid) {
    try { return ([System.Security.Principal.SecurityIdentifier]$Sid).Translate([System.Security.Principal.NTAccount]).Value }
    catch { return $Sid }
}
)ps";

// The MSCEP backup is only trusted when an administrator wrote it: anyone may create files under ProgramData, and
// rollback imports it as an administrator.
const char* const backupFunctions = R"ps(function Test-PlanTrustedFile([string] $Path) {
    $owner = (Get-Acl -LiteralPath $Path).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    return $owner -eq 'S-1-5-32-544' -or $owner -eq 'S-1-5-18'
}
function Protect-PlanPath([string] $Path) {
    # Owned by Administrators; only Administrators and SYSTEM may touch it. Never through a junction or link
    # someone made in its place.
    if (((Get-Item -LiteralPath $Path -Force).Attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0) {
        throw "$Path is a junction or link, not a folder or file of its own: remove it and run this step again."
    }
    $acl = Get-Acl -LiteralPath $Path
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($rule in @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]))) { [void]$acl.RemoveAccessRule($rule) }
    $inherit = if ((Get-Item -LiteralPath $Path).PSIsContainer) { 'ContainerInherit, ObjectInherit' } else { 'None' }
    foreach ($sid in 'S-1-5-32-544', 'S-1-5-18') {
        $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule([System.Security.Principal.SecurityIdentifier]$sid, 'FullControl', $inherit, 'None', 'Allow')))
    }
    $acl.SetOwner([System.Security.Principal.SecurityIdentifier]'S-1-5-32-544')
    Set-Acl -LiteralPath $Path -AclObject $acl -WhatIf:$false -Confirm:$false
}
)ps";

// A password typed twice, compared, never shown.
const char* const readPasswordFunction = R"ps(function Read-PlanPassword([string] $Prompt) {
    while ($true) {
        $first = Read-Host -AsSecureString -Prompt $Prompt
        $second = Read-Host -AsSecureString -Prompt 'The same password again'
        $same = [System.Net.NetworkCredential]::new('', $first).Password -ceq [System.Net.NetworkCredential]::new('', $second).Password
        if ($same -and $first.Length -gt 0) { return $first }
        Write-Warning 'The two entries differ or are empty; type it again.'
    }
}
)ps";

// How the plan's template choices are written into the template's attributes (MS-CRTD).
struct TemplateEncoding {
    int keyUsage;       // pKIKeyUsage: digitalSignature 0x80, keyEncipherment 0x20
    int keySpec;        // pKIDefaultKeySpec: AT_KEYEXCHANGE 1, AT_SIGNATURE 2
    int nameFlag;       // msPKI-Certificate-Name-Flag: subject 0x1, SAN 0x10000 from the request
    int privateKeyFlag; // msPKI-Private-Key-Flag: exportable 0x10
};

TemplateEncoding encode(const SetupPlan& p) {
    const bool sign = p.purpose != SetupPlan::Purpose::Encryption;
    const bool encrypt = p.purpose != SetupPlan::Purpose::Signature;
    return {(sign ? 0x80 : 0) | (encrypt ? 0x20 : 0), encrypt ? 1 : 2,
            (p.subjectInRequest ? 0x1 : 0) | (p.sanFromRequest ? 0x10000 : 0), p.exportableKey ? 0x10 : 0};
}

// The plan's template as Get-PlanTemplateDifferences compares it (after $ekus is set).
QStringList planTemplateLines(const SetupPlan& p) {
    const TemplateEncoding e = encode(p);
    return {QStringLiteral("$planTemplate = [ordered]@{"),
            QStringLiteral("    'display name'                           = %1").arg(q(p.templateDisplayName)),
            QStringLiteral("    'validity (days)'                        = %1").arg(p.validityDays),
            QStringLiteral("    'renewal period (days)'                  = %1").arg(p.renewalDays),
            QStringLiteral("    'minimum key size'                       = %1").arg(p.minimumKeySize),
            QStringLiteral("    'key usage'                              = %1").arg(e.keyUsage),
            QStringLiteral("    'key spec'                               = %1").arg(e.keySpec),
            QStringLiteral("    'EKUs'                                   = (@($ekus | Sort-Object) -join ', ')"),
            QStringLiteral("    'subject and SAN from the request flags' = %1").arg(e.nameFlag),
            QStringLiteral("    'exportable key flag'                    = %1").arg(e.privateKeyFlag),
            QStringLiteral("    'provider'                               = %1").arg(q(p.templateProvider)),
            QStringLiteral("}")};
}

QString ekuLine(const SetupPlan& p) {
    QStringList ekus;
    for (const QString& e : p.ekus)
        ekus << q(e);
    return QStringLiteral("$ekus = @(%1)").arg(ekus.join(QStringLiteral(", ")));
}

// The account the SCEP application pool runs as: the plan's, else the service account.
QString poolIdentity(const SetupPlan& p) {
    return p.appPoolIdentity.trimmed().isEmpty()
               ? QStringLiteral("%1 + '\\' + %2").arg(q(p.domainNetbios), q(p.accountName))
               : q(p.appPoolIdentity.trimmed());
}

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
    l << transcriptStart();
    l << QStringLiteral("    if (-not (Test-Path -LiteralPath $mscep)) {");
    l << QStringLiteral(
        "        if ($WhatIfPreference) { Write-Warning 'MSCEP does not exist yet (step 03 creates it): "
        "nothing to compare.'; return }");
    l << QStringLiteral("        throw 'MSCEP is missing: install the NDES role first (step 03).'");
    l << QStringLiteral("    }");
    l << QStringLiteral("    if (-not $WhatIfPreference -and -not (Test-Path -LiteralPath $backup)) {");
    l << QStringLiteral(
        "        New-Item -ItemType Directory -Path (Split-Path $backup) -Force -Confirm:$false | Out-Null");
    l << QStringLiteral("        Protect-PlanPath (Split-Path $backup)");
    l << QStringLiteral("        $export = Invoke-PlanNative 'reg.exe' @('export', "
                        "'HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP', $backup, '/y')");
    l << QStringLiteral("        if ($export.ExitCode -ne 0) { throw \"reg.exe export failed ($($export.ExitCode)): no "
                        "backup, nothing changed. $($export.Output -join ' ')\" }");
    l << QStringLiteral("        Protect-PlanPath $backup");
    l << QStringLiteral("        Write-Host \"Saved the MSCEP key as it was to $backup\"");
    l << QStringLiteral("    } elseif ((Test-Path -LiteralPath $backup) -and -not (Test-PlanTrustedFile $backup)) {");
    l << QStringLiteral(
        "        throw \"$backup was not written by an administrator (its owner is neither Administrators "
        "nor SYSTEM): move it away and run this step again, or rollback.ps1 would restore someone "
        "else's settings.\"");
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
    l << QStringLiteral("    foreach ($misplaced in %1) {").arg(QLatin1String(misplacedValues));
    l << QStringLiteral("        if ($null -ne (Get-ItemProperty -LiteralPath $mscep -Name $misplaced -ErrorAction "
                        "SilentlyContinue)) {");
    l << QStringLiteral(
        "            if ($PSCmdlet.ShouldProcess(\"$mscep\\$misplaced\", 'remove (a value NDES never reads)')) {");
    l << QStringLiteral("                Remove-ItemProperty -LiteralPath $mscep -Name $misplaced");
    l << QStringLiteral("                Write-Host \"Removed $mscep\\$misplaced (NDES reads the subkey of that name, "
                        "not this value)\"");
    l << QStringLiteral("                $changed = $true");
    l << QStringLiteral("            } elseif ($WhatIfPreference) {");
    l << QStringLiteral("                $changed = $true");
    l << QStringLiteral("            }");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    if ($changed -and -not $WhatIfPreference) {");
    l << QStringLiteral("        if (Import-PlanWebAdministration) {");
    l << QStringLiteral("            Restart-PlanScepPool");
    l << QStringLiteral("            Write-Host 'Restarted the SCEP application pool: NDES reads its settings when it "
                        "starts.'");
    l << QStringLiteral("        } else {");
    l << QStringLiteral("            Write-Warning 'Restart the SCEP application pool (IIS Manager): NDES reads its "
                        "settings when it starts.'");
    l << QStringLiteral("        }");
    l << QStringLiteral("    } elseif (-not $changed) {");
    l << QStringLiteral("        Write-Host 'Nothing to change: the NDES registry already matches the plan.'");
    l << QStringLiteral("    }");
    l << transcriptEnd();
    return header(QStringLiteral("step 04, NDES registry settings (challenge passwords, templates, hash)"),
                  p.ndesHost.simplified(), p, at, true) +
           QLatin1String(setValueFunction) + QLatin1String(nativeFunction) + QLatin1String(poolFunction) +
           QLatin1String(backupFunctions) + QLatin1Char('\n') + body(l);
}

QString ScriptWriter::iisScript(const SetupPlan& p, const QDateTime& at) {
    QStringList l;
    l << QStringLiteral("$site = 'Default Web Site'");
    l << QStringLiteral("$httpParameters = 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters'");
    l << transcriptStart();
    l << QStringLiteral("    if (-not (Import-PlanWebAdministration)) {");
    l << QStringLiteral("        if ($WhatIfPreference) { Write-Warning 'IIS or its PowerShell module is not installed "
                        "yet (step 03 installs it "
                        "with NDES): nothing to compare.'; return }");
    l << QStringLiteral("        throw 'IIS is not installed: run step 03 (the NDES role) first.'");
    l << QStringLiteral("    }");
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
        l << QStringLiteral("    if ($null -eq $certificate) {");
        l << QStringLiteral(
            "        $missing = \"No certificate with thumbprint $thumbprint in LocalMachine\\My: import the "
            "TLS certificate first.\"");
        l << QStringLiteral("        if (-not $WhatIfPreference) { throw $missing }");
        l << QStringLiteral("        Write-Warning $missing");
        l << QStringLiteral("    }");
        l << QStringLiteral("    if ($null -eq (Get-WebBinding -Name $site -Protocol 'https' -Port 443)) {");
        l << QStringLiteral("        if ($PSCmdlet.ShouldProcess(\"$site\", 'add an https binding on port 443')) {");
        l << QStringLiteral("            New-WebBinding -Name $site -Protocol 'https' -Port 443");
        l << QStringLiteral("            Write-Host 'Added the https binding on port 443'");
        l << QStringLiteral("        }");
        l << QStringLiteral("    }");
        l << QStringLiteral(
            "    $bound = Get-Item -LiteralPath 'IIS:\\SslBindings\\0.0.0.0!443' -ErrorAction SilentlyContinue");
        l << QStringLiteral(
            "    if ($null -ne $certificate -and ($null -eq $bound -or $bound.Thumbprint -ne $thumbprint)) {");
        l << QStringLiteral("        if ($PSCmdlet.ShouldProcess('0.0.0.0:443', \"bind certificate $thumbprint\")) {");
        l << QStringLiteral(
            "            # HTTP.sys keeps one certificate per address and port: the old one goes first.");
        l << QStringLiteral(
            "            if ($null -ne $bound) { Remove-Item -LiteralPath 'IIS:\\SslBindings\\0.0.0.0!443' }");
        l << QStringLiteral("            $certificate | New-Item -Path 'IIS:\\SslBindings\\0.0.0.0!443' | Out-Null");
        l << QStringLiteral("            Write-Host \"Bound certificate $thumbprint to https on port 443\"");
        l << QStringLiteral("        }");
        l << QStringLiteral("    }");
    } else {
        l << QStringLiteral(
            "    Write-Warning 'The plan has no HTTPS: challenge passwords and the admin page travel in clear text.'");
    }
    l << QStringLiteral(
        "    # The SCEP application pool runs as the planned identity (step 03 sets the service account).");
    l << QStringLiteral("    $poolIdentity = %1").arg(poolIdentity(p));
    l << QStringLiteral("    $pool = Get-Item -LiteralPath 'IIS:\\AppPools\\SCEP' -ErrorAction SilentlyContinue");
    l << QStringLiteral("    if ($null -eq $pool) {");
    l << QStringLiteral(
        "        Write-Warning 'There is no SCEP application pool yet: install the NDES role first (step 03).'");
    l << QStringLiteral("    } elseif ([string]$pool.processModel.identityType -ne 'SpecificUser' -or "
                        "[string]$pool.processModel.userName -ne $poolIdentity) {");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess('SCEP application pool', \"run as $poolIdentity (was "
                        "$($pool.processModel.userName))\")) {");
    l << QStringLiteral(
        "            $credential = Get-Credential -UserName $poolIdentity -Message \"Password of $poolIdentity "
        "for the SCEP application pool\"");
    l << QStringLiteral(
        "            Set-ItemProperty -LiteralPath 'IIS:\\AppPools\\SCEP' -Name 'processModel' -Value @{ "
        "userName = $poolIdentity; password = $credential.GetNetworkCredential().Password; identityType = 3 }");
    l << QStringLiteral("            Restart-PlanScepPool");
    l << QStringLiteral("            Write-Host \"The SCEP application pool runs as $poolIdentity\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    if ($reboot -and -not $WhatIfPreference) { Write-Warning 'HTTP.sys limits changed: reboot "
                        "this server for them to apply.' }");
    l << transcriptEnd();
    return header(QStringLiteral("step 05, IIS request filtering, HTTP.sys limits, the HTTPS binding and the SCEP pool "
                                 "identity"),
                  p.ndesHost.simplified(), p, at, true) +
           QLatin1String(setValueFunction) + QLatin1String(poolFunction) + QLatin1Char('\n') + body(l);
}

QString ScriptWriter::rollbackScript(const SetupPlan& p, const QDateTime& at) {
    QStringList l;
    l << QStringLiteral("$cryptography = 'HKLM:\\SOFTWARE\\Microsoft\\Cryptography'");
    l << QStringLiteral("$mscep = \"$cryptography\\MSCEP\"");
    l << QStringLiteral("$aside = 'MSCEP.before-rollback'");
    l << QStringLiteral("$backup = Join-Path $env:ProgramData 'NDES Console\\mscep-before-ndes-console.reg'");
    l << QStringLiteral("$now = Join-Path $env:TEMP 'mscep-now.reg'");
    l << transcriptStart();
    l << QStringLiteral(
        "    # The MSCEP key exactly as step 04 found it before its first change: the key is replaced, not merged.");
    l << QStringLiteral("    if (-not (Test-Path -LiteralPath $backup)) {");
    l << QStringLiteral("        Write-Warning \"No backup at $backup: step 04 has not changed anything here.\"");
    l << QStringLiteral("        return");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # Imported as an administrator, so only a file an administrator wrote, and only if it "
                        "touches nothing but MSCEP.");
    l << QStringLiteral("    if (-not (Test-PlanTrustedFile $backup)) { throw \"$backup was not written by an "
                        "administrator (its owner is neither Administrators nor SYSTEM): not imported.\" }");
    l << QStringLiteral("    $keys = @(Get-Content -LiteralPath $backup | Where-Object { $_ -match '^\\s*\\[' })");
    l << QStringLiteral(
        "    $outside = @($keys | Where-Object { $_ -notmatch "
        "'^\\s*\\[-?HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Microsoft\\\\Cryptography\\\\MSCEP(\\\\|\\])' })");
    l << QStringLiteral("    if ($keys.Count -eq 0) { throw \"$backup holds no registry key: not imported.\" }");
    l << QStringLiteral(
        "    if ($outside.Count -gt 0) { throw \"$backup writes outside the MSCEP key ($($outside[0])): not "
        "imported.\" }");
    l << QStringLiteral("    $export = Invoke-PlanNative 'reg.exe' @('export', "
                        "'HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP', $now, '/y')");
    l << QStringLiteral(
        "    $same = $export.ExitCode -eq 0 -and (Get-FileHash -LiteralPath $now).Hash -eq (Get-FileHash "
        "-LiteralPath $backup).Hash");
    l << QStringLiteral("    Remove-Item -LiteralPath $now -ErrorAction SilentlyContinue -WhatIf:$false");
    l << QStringLiteral("    if ($same) {");
    l << QStringLiteral("        Write-Host 'The MSCEP key is already as it was before step 04: nothing to do.'");
    l << QStringLiteral("    } elseif ($PSCmdlet.ShouldProcess('HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP', "
                        "\"replace with $backup\")) {");
    l << QStringLiteral("        # Set aside, not deleted, until the import has worked.");
    l << QStringLiteral("        if (Test-Path -LiteralPath \"$cryptography\\$aside\") { Remove-Item -LiteralPath "
                        "\"$cryptography\\$aside\" -Recurse }");
    l << QStringLiteral(
        "        if (Test-Path -LiteralPath $mscep) { Rename-Item -LiteralPath $mscep -NewName $aside }");
    l << QStringLiteral("        $import = Invoke-PlanNative 'reg.exe' @('import', $backup)");
    l << QStringLiteral("        if ($import.ExitCode -ne 0) {");
    l << QStringLiteral("            if (Test-Path -LiteralPath $mscep) { Remove-Item -LiteralPath $mscep -Recurse }");
    l << QStringLiteral("            if (Test-Path -LiteralPath \"$cryptography\\$aside\") { Rename-Item -LiteralPath "
                        "\"$cryptography\\$aside\" -NewName 'MSCEP' }");
    l << QStringLiteral(
        "            throw \"reg.exe import failed ($($import.ExitCode)): the MSCEP key is as it was. Import "
        "$backup by hand. $($import.Output -join ' ')\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("        if (Test-Path -LiteralPath \"$cryptography\\$aside\") { Remove-Item -LiteralPath "
                        "\"$cryptography\\$aside\" -Recurse }");
    l << QStringLiteral("        Write-Host \"Restored the MSCEP key from $backup\"");
    l << QStringLiteral(
        "        if (Import-PlanWebAdministration) { Restart-PlanScepPool; Write-Host 'Restarted the SCEP "
        "application pool' }");
    l << QStringLiteral(
        "        else { Write-Warning 'Restart the SCEP application pool (IIS Manager) for NDES to read the "
        "restored settings.' }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # IIS and HTTP.sys limits are left as they are: larger limits break nothing, and lowering "
                        "them breaks SCEP GET requests.");
    l << QStringLiteral("    Write-Host 'IIS request filtering and HTTP.sys limits were not changed back (larger "
                        "limits are harmless).'");
    l << transcriptEnd();
    return header(QStringLiteral("rollback of step 04 (the NDES registry)"), p.ndesHost.simplified(), p, at, true) +
           QLatin1String(nativeFunction) + QLatin1String(poolFunction) + QLatin1String(backupFunctions) +
           QLatin1Char('\n') + body(l);
}

QString ScriptWriter::verifyScript(const SetupPlan& p, const QDateTime& at) {
    QStringList l;
    l << QStringLiteral("$name = %1").arg(q(p.accountName));
    l << QStringLiteral("$accountName = $name");
    l << QStringLiteral("$member = %1 + '\\' + $name").arg(q(p.domainNetbios));
    l << QStringLiteral("$upn = %1").arg(q(p.accountUpn));
    l << QStringLiteral("$ou = %1").arg(q(p.accountOu));
    l << QStringLiteral("$spn = 'HTTP/' + %1").arg(q(p.ndesHost));
    l << QStringLiteral("$caConfig = %1").arg(q(p.caConfig));
    l << QStringLiteral("$templateName = %1").arg(q(p.templateName));
    l << ekuLine(p);
    l << planTemplateLines(p);
    l << QStringLiteral("$raName = %1").arg(q(p.raName));
    l << QStringLiteral("$mscep = 'HKLM:\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP'");
    l << QStringLiteral("$differences = 0");
    l << QStringLiteral("$unchecked = 0");
    l << QStringLiteral("function Write-Result([string] $Status, [string] $Text) {");
    l << QStringLiteral("    Write-Host ('{0,-10}{1}' -f $Status, $Text)");
    l << QStringLiteral("    if ($Status -eq 'UNCHECKED') { $script:unchecked++ } elseif ($Status -ne 'ok') { "
                        "$script:differences++ }");
    l << QStringLiteral("}");
    l << QStringLiteral("function Compare-PlanValue([string] $Path, [string] $Name, $Expected) {");
    l << QStringLiteral("    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue");
    l << QStringLiteral("    $actual = if ($null -eq $item) { $null } else { $item.$Name }");
    l << QStringLiteral("    if ($null -eq $actual -or ((@($actual) -join ', ') -cne (@($Expected) -join ', '))) {");
    l << QStringLiteral("        Write-Result 'DIFFERS' \"$Path\\$Name : plan $(@($Expected) -join ', '), server $(if "
                        "($null -eq $actual) { 'not set' } else { @($actual) -join ', ' })\"");
    l << QStringLiteral("    } else {");
    l << QStringLiteral("        Write-Result 'ok' \"$Path\\$Name = $(@($actual) -join ', ')\"");
    l << QStringLiteral("    }");
    l << QStringLiteral("}");
    l << QString::fromLatin1(accountFunctions).trimmed();
    l << QString::fromLatin1(caFunction).trimmed();
    l << QString::fromLatin1(templateFunctions).trimmed();
    l << QString::fromLatin1(localGroupFunction).trimmed();
    l << QString::fromLatin1(nativeFunction).trimmed();
    l << QStringLiteral(
        "# Each part is checked on its own: one that cannot be read (no AD, no CA, no IIS) is reported and "
        "the others still run.");

    // Step 01
    l << QStringLiteral("Write-Host '== Step 01: the service account'");
    l << QStringLiteral("$sids = $null");
    l << QStringLiteral("$account = $null");
    l << QStringLiteral("try {");
    l << QStringLiteral("    $account = Get-PlanAccount $name");
    l << QStringLiteral("    if ($null -eq $account) {");
    l << QStringLiteral("        Write-Result 'DIFFERS' \"account $member : not found in AD\"");
    l << QStringLiteral("    } else {");
    l << QStringLiteral("        $sids = Get-PlanAccountSids $account");
    l << QStringLiteral("        $actualUpn = [string]$account.Properties['userPrincipalName'].Value");
    l << QStringLiteral(
        "        if ($actualUpn -ne $upn) { Write-Result 'DIFFERS' \"account UPN : plan $upn, AD $actualUpn\" } "
        "else { Write-Result 'ok' \"account $member, UPN $upn\" }");
    l << QStringLiteral(
        "        $parent = ([string]$account.Properties['distinguishedName'].Value -split '(?<!\\\\),', 2)[-1]");
    l << QStringLiteral(
        "        if ($parent -ne $ou) { Write-Result 'DIFFERS' \"account OU : plan $ou, AD $parent\" } else { "
        "Write-Result 'ok' \"account in $ou\" }");
    l << QStringLiteral(
        "        if (([int]$account.Properties['userAccountControl'].Value -band 2) -ne 0) { Write-Result "
        "'DIFFERS' \"account $member is disabled: NDES cannot start\" }");
    l << QStringLiteral(
        "        if (@($account.Properties['servicePrincipalName']) -contains $spn) { Write-Result 'ok' \"SPN "
        "$spn\" } else { Write-Result 'DIFFERS' \"SPN $spn : missing (Kerberos to the admin page fails)\" }");
    l << QStringLiteral("    }");
    l << QStringLiteral("} catch {");
    l << QStringLiteral("    Write-Result 'UNCHECKED' \"the account in AD: $($_.Exception.Message)\"");
    l << QStringLiteral("}");
    l << QStringLiteral("try {");
    l << QStringLiteral("    if ($null -ne $account) {");
    l << QStringLiteral("        $accountSid = (Get-PlanAccountSid $account).Value");
    l << QStringLiteral(
        "        if ($null -ne (Find-PlanLocalMember 'S-1-5-32-568' @($accountSid))) { Write-Result 'ok' "
        "\"$member is in IIS_IUSRS\" } else { Write-Result 'DIFFERS' \"$member is not in IIS_IUSRS\" }");
    l << QStringLiteral("        $adminThrough = Find-PlanLocalMember 'S-1-5-32-544' @($accountSid)");
    l << QStringLiteral(
        "        if ($null -eq $adminThrough -and $null -ne $sids) { $adminThrough = Find-PlanLocalMember "
        "'S-1-5-32-544' $sids }");
    l << QStringLiteral(
        "        if ($null -ne $adminThrough) { Write-Result 'DIFFERS' \"$member is a local administrator "
        "through $(Get-PlanSidName $adminThrough) (NDES needs no such right)\" }");
    l << QStringLiteral("        elseif ($null -eq $sids) { Write-Result 'UNCHECKED' \"whether $member is a local "
                        "administrator through a group (its groups could not be read)\" }");
    l << QStringLiteral("        else { Write-Result 'ok' \"$member is not a local administrator\" }");
    l << QStringLiteral("    }");
    l << QStringLiteral("} catch {");
    l << QStringLiteral("    Write-Result 'UNCHECKED' \"local groups: $($_.Exception.Message)\"");
    l << QStringLiteral("}");
    l << QStringLiteral("if ($null -ne $sids) {");
    l << QStringLiteral("    try {");
    l << QStringLiteral("        $ca = Get-PlanCaEnroll $caConfig $sids");
    l << QStringLiteral("        if ($ca.Allowed) { Write-Result 'ok' \"Request Certificates on $caConfig\" }");
    l << QStringLiteral(
        "        elseif ($ca.Denied) { Write-Result 'DIFFERS' \"Request Certificates on $caConfig : denied "
        "to $member or a group it is in\" }");
    l << QStringLiteral(
        "        else { Write-Result 'DIFFERS' \"Request Certificates on $caConfig : not allowed for $member "
        "or any group it is in\" }");
    l << QStringLiteral("    } catch {");
    l << QStringLiteral("        Write-Result 'UNCHECKED' \"the CA's permissions: $($_.Exception.Message)\"");
    l << QStringLiteral("    }");
    l << QStringLiteral("}");

    // Step 02
    l << QStringLiteral("Write-Host '== Step 02: the certificate template'");
    l << QStringLiteral("try {");
    l << QStringLiteral("    $configNC = ([ADSI]'LDAP://RootDSE').configurationNamingContext");
    l << QStringLiteral("    $container = [ADSI](\"LDAP://CN=Certificate Templates,CN=Public Key "
                        "Services,CN=Services,$configNC\")");
    l << QStringLiteral("    $template = Find-PlanTemplate $container $templateName");
    l << QStringLiteral("    if ($null -eq $template) {");
    l << QStringLiteral("        Write-Result 'DIFFERS' \"template $templateName : not found in AD\"");
    l << QStringLiteral("    } elseif ([string]$template.Properties['cn'].Value -cne $templateName) {");
    l << QStringLiteral(
        "        Write-Result 'DIFFERS' \"template $templateName : AD has $($template.Properties['cn'].Value) "
        "(case differs; NDES and the CA compare exactly)\"");
    l << QStringLiteral("    } else {");
    l << QStringLiteral("        $found = Get-PlanTemplateDifferences $template $planTemplate");
    l << QStringLiteral("        foreach ($difference in $found) { Write-Result 'DIFFERS' \"template $templateName "
                        "$difference\" }");
    l << QStringLiteral(
        "        if ($found.Count -eq 0) { Write-Result 'ok' \"template $templateName is as planned\" }");
    l << QStringLiteral("        if ($null -ne $sids) {");
    l << QStringLiteral("            $rights = Get-PlanTemplateRights $template $sids");
    l << QStringLiteral(
        "            if ($rights.Read -and $rights.Enroll -and -not $rights.Denied) { Write-Result 'ok' "
        "\"Read and Enroll on $templateName for $member\" }");
    l << QStringLiteral(
        "            else { Write-Result 'DIFFERS' \"rights on $templateName for $member : Read $($rights.Read), "
        "Enroll $($rights.Enroll), denied $($rights.Denied)\" }");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("} catch {");
    l << QStringLiteral("    Write-Result 'UNCHECKED' \"the template in AD: $($_.Exception.Message)\"");
    l << QStringLiteral("}");
    l << QStringLiteral("$list = Invoke-PlanNative 'certutil.exe' @('-config', $caConfig, '-CATemplates')");
    l << QStringLiteral(
        "if ($list.ExitCode -ne 0) { Write-Result 'UNCHECKED' \"the templates $caConfig issues (certutil "
        "-CATemplates failed: $($list.ExitCode))\" }");
    l << QStringLiteral(
        "elseif (@($list.Output | Where-Object { $_ -cmatch ('^' + [regex]::Escape($templateName) + ':') "
        "}).Count -gt 0) { Write-Result 'ok' \"$caConfig issues $templateName\" }");
    l << QStringLiteral("else { Write-Result 'DIFFERS' \"$caConfig does not issue $templateName (event 31 for every "
                        "request)\" }");

    // Step 03
    l << QStringLiteral("Write-Host '== Step 03: the NDES role and its RA certificates'");
    l << QStringLiteral("try {");
    l << QStringLiteral(
        "    if ((Get-WindowsFeature -Name 'ADCS-Device-Enrollment').Installed) { Write-Result 'ok' 'the "
        "NDES feature is installed' } else { Write-Result 'DIFFERS' 'the NDES feature "
        "(ADCS-Device-Enrollment) is not installed' }");
    l << QStringLiteral("    $status = Get-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\Microsoft\\ADCS\\NDES' -Name "
                        "'ConfigurationStatus' -ErrorAction SilentlyContinue");
    l << QStringLiteral(
        "    if ($null -ne $status -and $status.ConfigurationStatus -eq 2) { Write-Result 'ok' 'NDES is "
        "configured' } else { Write-Result 'DIFFERS' 'NDES is not configured (ConfigurationStatus is not "
        "2)' }");
    l << QStringLiteral("    # Two RA certificates named by the RA name, both Certificate Request Agent: one signs "
                        "(digitalSignature), one decrypts (keyEncipherment).");
    l << QStringLiteral("    $now = Get-Date");
    l << QStringLiteral("    $ra = @(Get-ChildItem -LiteralPath 'Cert:\\LocalMachine\\My' | Where-Object {");
    l << QStringLiteral("        $eku = @($_.Extensions | Where-Object { $_ -is "
                        "[System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension] })");
    l << QStringLiteral(
        "        $eku.Count -gt 0 -and @($eku[0].EnhancedKeyUsages | ForEach-Object { $_.Value }) -contains "
        "'1.3.6.1.4.1.311.20.2.1' -and $_.GetNameInfo([System.Security.Cryptography.X509Certificates."
        "X509NameType]::SimpleName, $false) -eq $raName -and $_.NotAfter -gt $now");
    l << QStringLiteral("    })");
    l << QStringLiteral(
             "    foreach ($use in @(@('signing', 'DigitalSignature', %1), @('encryption', 'KeyEncipherment', "
             "%2))) {")
             .arg(p.raSigningKeyLength)
             .arg(p.raEncryptionKeyLength);
    l << QStringLiteral("        $match = @($ra | Where-Object {");
    l << QStringLiteral("            $ku = @($_.Extensions | Where-Object { $_ -is "
                        "[System.Security.Cryptography.X509Certificates.X509KeyUsageExtension] })");
    l << QStringLiteral("            $ku.Count -gt 0 -and ($ku[0].KeyUsages -band "
                        "[System.Security.Cryptography.X509Certificates.X509KeyUsageFlags]$use[1]) -ne 0");
    l << QStringLiteral("        } | Sort-Object NotAfter -Descending)");
    l << QStringLiteral(
        "        if ($match.Count -eq 0) { Write-Result 'DIFFERS' \"no valid $($use[0]) RA certificate named "
        "$raName in LocalMachine\\My\"; continue }");
    l << QStringLiteral("        $bits = $match[0].PublicKey.Key.KeySize");
    l << QStringLiteral(
        "        if ($bits -ne $use[2]) { Write-Result 'DIFFERS' \"$($use[0]) RA key : plan $($use[2]) bits, "
        "server $bits\" }");
    l << QStringLiteral("        else { Write-Result 'ok' \"$($use[0]) RA certificate $raName, $bits bits, valid until "
                        "$($match[0].NotAfter.ToString('yyyy-MM-dd'))\" }");
    l << QStringLiteral("    }");
    l << QStringLiteral("} catch {");
    l << QStringLiteral("    Write-Result 'UNCHECKED' \"the NDES role: $($_.Exception.Message)\"");
    l << QStringLiteral("}");

    // Step 04
    l << QStringLiteral("Write-Host '== Step 04: the NDES registry'");
    for (const RegSetting& s : registrySettings(p))
        l << QStringLiteral("Compare-PlanValue %1 '%2' %3")
                 .arg(s.subkey ? QStringLiteral("\"$mscep\\%1\"").arg(s.name) : QStringLiteral("$mscep"), s.name,
                      s.value);
    l << QStringLiteral("Compare-PlanValue \"$mscep\\CAInfo\" 'Configuration' %1").arg(q(p.caConfig));
    l << QStringLiteral("foreach ($misplaced in %1) {").arg(QLatin1String(misplacedValues));
    l << QStringLiteral(
        "    if ($null -ne (Get-ItemProperty -LiteralPath $mscep -Name $misplaced -ErrorAction SilentlyContinue)) {");
    l << QStringLiteral(
        "        Write-Result 'MISPLACED' \"$mscep\\$misplaced : a value NDES never reads (it reads the "
        "subkey of that name)\"");
    l << QStringLiteral("    }");
    l << QStringLiteral("}");

    // Step 05
    l << QStringLiteral("Write-Host '== Step 05: IIS and HTTP.sys'");
    l << QStringLiteral(
             "Compare-PlanValue 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters' 'MaxFieldLength' %1")
             .arg(p.maxFieldLength);
    l << QStringLiteral(
             "Compare-PlanValue 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters' 'MaxRequestBytes' %1")
             .arg(p.maxRequestBytes);
    l << QStringLiteral("try {");
    l << QStringLiteral("    Import-Module WebAdministration");
    l << QStringLiteral("    foreach ($limit in @(@('maxUrl', %1), @('maxQueryString', %2))) {")
             .arg(p.maxUrl)
             .arg(p.maxQueryString);
    l << QStringLiteral(
        "        $value = (Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'Default Web Site' "
        "-Filter 'system.webServer/security/requestFiltering/requestLimits' -Name $limit[0]).Value");
    l << QStringLiteral(
        "        if ($value -ne $limit[1]) { Write-Result 'DIFFERS' \"request filtering $($limit[0]) : plan "
        "$($limit[1]), server $value\" }");
    l << QStringLiteral("        else { Write-Result 'ok' \"request filtering $($limit[0]) = $value\" }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    $poolIdentity = %1").arg(poolIdentity(p));
    l << QStringLiteral("    $pool = Get-Item -LiteralPath 'IIS:\\AppPools\\SCEP' -ErrorAction SilentlyContinue");
    l << QStringLiteral("    if ($null -eq $pool) { Write-Result 'DIFFERS' 'SCEP application pool : missing' }");
    l << QStringLiteral(
        "    elseif ([string]$pool.processModel.userName -ne $poolIdentity) { Write-Result 'DIFFERS' \"SCEP "
        "application pool identity : plan $poolIdentity, server $($pool.processModel.userName)\" }");
    l << QStringLiteral("    else { Write-Result 'ok' \"SCEP application pool runs as $poolIdentity\" }");
    if (p.https) {
        QString thumb = p.tlsThumbprint;
        thumb.remove(QLatin1Char(' '));
        l << QStringLiteral("    $thumbprint = %1").arg(q(thumb.toUpper()));
        l << QStringLiteral("    $bound = Get-Item -LiteralPath 'IIS:\\SslBindings\\0.0.0.0!443' -ErrorAction "
                            "SilentlyContinue");
        l << QStringLiteral(
            "    if ($null -eq $bound) { Write-Result 'DIFFERS' 'HTTPS on port 443 : no certificate bound' }");
        l << QStringLiteral(
            "    elseif ($bound.Thumbprint -ne $thumbprint) { Write-Result 'DIFFERS' \"HTTPS certificate : "
            "plan $thumbprint, server $($bound.Thumbprint)\" }");
        l << QStringLiteral("    else { Write-Result 'ok' \"HTTPS on port 443 with $thumbprint\" }");
    }
    l << QStringLiteral("} catch {");
    l << QStringLiteral("    Write-Result 'UNCHECKED' \"IIS: $($_.Exception.Message)\"");
    l << QStringLiteral("}");
    l << QStringLiteral("if ($differences -eq 0 -and $unchecked -eq 0) { Write-Host 'The server matches the plan.' }");
    l << QStringLiteral(
        "else { Write-Host \"$differences difference(s) from the plan, $unchecked part(s) not checked.\" }");
    l << QStringLiteral("exit $(if ($differences -ne 0) { 1 } elseif ($unchecked -ne 0) { 2 } else { 0 })");
    return header(QStringLiteral("verification (read-only) of every step: account, template, role, registry, IIS "
                                 "and HTTP.sys"),
                  p.ndesHost.simplified(), p, at, false) +
           body(l);
}

QString ScriptWriter::serviceAccountScript(const SetupPlan& p, const QDateTime& at) {
    const bool generate = p.passwordPolicy == SetupPlan::PasswordPolicy::Generate;
    QStringList l;
    l << QStringLiteral("$name = %1").arg(q(p.accountName));
    l << QStringLiteral("$upn = %1").arg(q(p.accountUpn));
    l << QStringLiteral("$ou = %1").arg(q(p.accountOu));
    l << QStringLiteral("$spn = 'HTTP/' + %1").arg(q(p.ndesHost));
    l << QStringLiteral("$member = %1 + '\\' + $name").arg(q(p.domainNetbios));
    l << QStringLiteral("$caConfig = %1").arg(q(p.caConfig));
    l << QString::fromLatin1(accountFunctions).trimmed();
    l << QString::fromLatin1(caFunction).trimmed();
    l << QString::fromLatin1(localGroupFunction).trimmed();
    l << QString::fromLatin1(readPasswordFunction).trimmed();
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
    l << transcriptStart();
    l << QStringLiteral("    if ($null -eq (Get-Module -ListAvailable -Name ActiveDirectory)) {");
    l << QStringLiteral("        if (-not $PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'install RSAT-AD-PowerShell (the "
                        "ActiveDirectory module)')) {");
    l << QStringLiteral("            Write-Warning 'The rest of this step needs the ActiveDirectory module.'");
    l << QStringLiteral("            return");
    l << QStringLiteral("        }");
    l << QStringLiteral("        Install-WindowsFeature -Name 'RSAT-AD-PowerShell' | Out-Null");
    l << QStringLiteral("    }");
    l << QStringLiteral("    Import-Module ActiveDirectory");
    l << QStringLiteral("    # One domain controller for every read and write, so an account created a moment ago is "
                        "found at once.");
    l << QStringLiteral("    $server = (Get-ADDomain).PDCEmulator");
    l << QStringLiteral("    $user = Get-ADUser -Server $server -Filter 'sAMAccountName -eq $name' -Properties "
                        "ServicePrincipalName");
    l << QStringLiteral("    if ($null -eq $user) {");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess(\"$name in $ou\", 'create the NDES service account')) {");
    if (generate) {
        l << QStringLiteral("            if (Test-Path -LiteralPath 'variable:PSSenderInfo') {");
        l << QStringLiteral(
            "                # Remotely the clipboard is the remote session's: the password would be lost.");
        l << QStringLiteral(
            "                $secure = Read-PlanPassword \"A password for the new account $name (a remote "
            "session has no clipboard of yours)\"");
        l << QStringLiteral("            } else {");
        l << QStringLiteral("                $plain = New-PlanPassword");
        l << QStringLiteral("                $secure = ConvertTo-SecureString -String $plain -AsPlainText -Force");
        l << QStringLiteral("                Set-Clipboard -Value $plain");
        l << QStringLiteral("                Remove-Variable -Name plain");
        l << QStringLiteral(
            "                Write-Host 'The generated password is on the clipboard (not shown, not in the "
            "transcript): store it in your password vault now; step 03 asks for it.'");
        l << QStringLiteral("            }");
    } else {
        l << QStringLiteral("            $secure = Read-PlanPassword \"Password for the new account $name\"");
    }
    l << QStringLiteral(
        "            $user = New-ADUser -Server $server -Name $name -SamAccountName $name -UserPrincipalName "
        "$upn -Path $ou -AccountPassword $secure -Enabled $true -Description 'NDES (SCEP) application pool "
        "identity' -PassThru");
    l << QStringLiteral(
        "            $user = Get-ADUser -Server $server -Identity $user -Properties ServicePrincipalName");
    l << QStringLiteral("            Write-Host \"Created $name in $ou\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    } else {");
    l << QStringLiteral("        Write-Verbose \"$name exists\"");
    l << QStringLiteral("    }");
    l << QStringLiteral("    if ($null -eq $user) {");
    l << QStringLiteral(
        "        Write-Host \"$name does not exist yet (-WhatIf): its SPN, groups and right on the CA are "
        "checked once it does.\"");
    l << QStringLiteral("        return");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # Kerberos to the admin page needs HTTP/<NDES host> on the account that runs the pool.");
    l << QStringLiteral("    if (-not (@($user.ServicePrincipalName) -contains $spn)) {");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess($name, \"add the SPN $spn\")) {");
    l << QStringLiteral(
        "            Set-ADUser -Server $server -Identity $user -ServicePrincipalNames @{ Add = $spn }");
    l << QStringLiteral("            Write-Host \"Added SPN $spn to $name\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral(
        "    # On this server, by SID (names of built-in groups are translated): member of IIS_IUSRS, and "
        "not a local administrator (least privilege).");
    l << QStringLiteral("    $accountSid = $user.SID.Value");
    l << QStringLiteral("    $account = [ADSI]\"LDAP://$server/<SID=$accountSid>\"");
    l << QStringLiteral("    $sids = Get-PlanAccountSids $account");
    l << QStringLiteral("    if ($null -eq (Find-PlanLocalMember 'S-1-5-32-568' @($accountSid))) {");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess('IIS_IUSRS', \"add $member\")) {");
    l << QStringLiteral("            Add-LocalGroupMember -SID 'S-1-5-32-568' -Member $accountSid");
    l << QStringLiteral("            Write-Host \"Added $member to IIS_IUSRS\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # Also through a group it is in: that one is said, not changed (it is an AD group's "
                        "membership).");
    l << QStringLiteral("    $adminThrough = Find-PlanLocalMember 'S-1-5-32-544' @($accountSid)");
    l << QStringLiteral(
        "    if ($null -eq $adminThrough) { $adminThrough = Find-PlanLocalMember 'S-1-5-32-544' $sids }");
    l << QStringLiteral("    if ($null -ne $adminThrough -and $adminThrough -ne $accountSid) {");
    l << QStringLiteral(
        "        Write-Warning \"$member is a local administrator through $(Get-PlanSidName $adminThrough): "
        "NDES needs no such right; take it out of that group or the group out of Administrators.\"");
    l << QStringLiteral("    } elseif ($null -ne $adminThrough) {");
    l << QStringLiteral("        Write-Warning \"$member is a local administrator; NDES needs no such right.\"");
    l << QStringLiteral("        if ($PSCmdlet.ShouldProcess('Administrators', \"remove $member\")) {");
    l << QStringLiteral("            Remove-LocalGroupMember -SID 'S-1-5-32-544' -Member $accountSid");
    l << QStringLiteral("            Write-Host \"Removed $member from Administrators\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral(
        "    # Request Certificates on the CA: Authenticated Users have it by default; hardened CAs take it "
        "away.");
    l << QStringLiteral("    $ca = $null");
    l << QStringLiteral("    try {");
    l << QStringLiteral("        $ca = Get-PlanCaEnroll $caConfig $sids");
    l << QStringLiteral("    } catch {");
    l << QStringLiteral(
        "        Write-Warning \"Cannot read the permissions of $caConfig ($($_.Exception.Message)): check by "
        "hand that $member or a group it is in has Request Certificates (certsrv.msc > Properties > "
        "Security).\"");
    l << QStringLiteral("    }");
    l << QStringLiteral("    if ($null -eq $ca) {");
    l << QStringLiteral("        # Not readable: the warning above says what to check by hand.");
    l << QStringLiteral("    } elseif ($ca.Denied) {");
    l << QStringLiteral(
        "        Write-Warning \"A Deny entry on $caConfig takes Request Certificates from $member or a group "
        "it is in: remove it in certsrv.msc > Properties > Security.\"");
    l << QStringLiteral("    } elseif ($ca.Allowed) {");
    l << QStringLiteral("        Write-Verbose \"$member may request certificates from $caConfig\"");
    l << QStringLiteral(
        "    } elseif ($PSCmdlet.ShouldProcess($caConfig, \"allow Request Certificates for $member\")) {");
    l << QStringLiteral(
        "        $ace = [System.Security.AccessControl.CommonAce]::new([System.Security.AccessControl.AceFlags]::"
        "None, [System.Security.AccessControl.AceQualifier]::AccessAllowed, 0x200, $user.SID, $false, $null)");
    l << QStringLiteral(
        "        $ca.Descriptor.DiscretionaryAcl.InsertAce($ca.Descriptor.DiscretionaryAcl.Count, $ace)");
    l << QStringLiteral("        $bytes = New-Object byte[] $ca.Descriptor.BinaryLength");
    l << QStringLiteral("        $ca.Descriptor.GetBinaryForm($bytes, 0)");
    l << QStringLiteral("        $ca.Admin.SetConfigEntry($caConfig, '', 'Security', $bytes)");
    l << QStringLiteral(
        "        Write-Host \"Allowed Request Certificates on $caConfig for $member. The CA reads it when "
        "Certificate Services restarts: run Restart-Service certsvc on the CA.\"");
    l << QStringLiteral("    }");
    l << transcriptEnd();
    return header(QStringLiteral("step 01, the NDES service account (AD user, SPN, IIS_IUSRS, no local administrator, "
                                 "Request Certificates on the CA)"),
                  p.ndesHost.simplified(), p, at, true) +
           body(l);
}

QString ScriptWriter::roleScript(const SetupPlan& p, const QDateTime& at) {
    QStringList l;
    l << QStringLiteral("$account = %1 + '\\' + %2").arg(q(p.domainNetbios), q(p.accountName));
    l << transcriptStart();
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
    l << transcriptEnd();
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
    const TemplateEncoding e = encode(p);
    QStringList l;
    l << QStringLiteral("$name = %1").arg(q(p.templateName));
    l << QStringLiteral("$displayName = %1").arg(q(p.templateDisplayName));
    l << QStringLiteral("$baseName = %1").arg(q(p.baseTemplate.trimmed()));
    l << QStringLiteral("$accountName = %1").arg(q(p.accountName));
    l << QStringLiteral("$member = %1 + '\\' + $accountName").arg(q(p.domainNetbios));
    l << QStringLiteral("$caConfig = %1").arg(q(p.caConfig));
    l << ekuLine(p);
    l << planTemplateLines(p);
    l << QString::fromLatin1(accountFunctions).trimmed();
    l << QString::fromLatin1(templateFunctions).trimmed();
    l << QString::fromLatin1(nativeFunction).trimmed();
    l << QStringLiteral("function ConvertTo-Period([int] $Days) {");
    l << QStringLiteral("    # A template period is a negative count of 100 ns as eight little-endian bytes.");
    l << QStringLiteral("    # The comma keeps it one byte[]: PowerShell would otherwise return eight separate bytes.");
    l << QStringLiteral("    return ,([System.BitConverter]::GetBytes([long](-1 * [long]$Days * 864000000000)))");
    l << QStringLiteral("}");
    l << transcriptStart();
    l << QStringLiteral("    $configNC = ([ADSI]'LDAP://RootDSE').configurationNamingContext");
    l << QStringLiteral("    $pks = \"CN=Public Key Services,CN=Services,$configNC\"");
    l << QStringLiteral("    $container = [ADSI](\"LDAP://CN=Certificate Templates,$pks\")");
    l << QStringLiteral("    $template = Find-PlanTemplate $container $name");
    l << QStringLiteral("    if ($null -ne $template) {");
    l << QStringLiteral("        $existingName = [string]$template.Properties['cn'].Value");
    l << QStringLiteral(
        "        if ($existingName -cne $name) { throw \"A template named $existingName exists. AD ignores the "
        "case of names, NDES and the CA do not: use $existingName in the plan (template and registry) or "
        "another name.\" }");
    l << QStringLiteral(
        "        # An existing template is not changed: certificates already issued from it, and other CAs "
        "using it, depend on it.");
    l << QStringLiteral("        $differences = Get-PlanTemplateDifferences $template $planTemplate");
    l << QStringLiteral("        if ($differences.Count -eq 0) {");
    l << QStringLiteral("            Write-Host \"Template $name exists and is as planned\"");
    l << QStringLiteral("        } else {");
    l << QStringLiteral(
        "            foreach ($difference in $differences) { Write-Warning \"Template $name differs from the plan: "
        "$difference\" }");
    l << QStringLiteral(
        "            Write-Warning \"Template $name exists and is left as it is: change it in certtmpl.msc, or give "
        "the plan a new template name.\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    } elseif ($PSCmdlet.ShouldProcess($name, \"create the template from $baseName\")) {");
    l << QStringLiteral("        $base = Find-PlanTemplate $container $baseName -OrDisplayName");
    l << QStringLiteral(
        "        if ($null -eq $base) { throw \"Base template $baseName not found (by name or display name) in "
        "$($container.Path).\" }");
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
    l << QStringLiteral(
        "        # Nothing is left behind if the template cannot be written: the OID object goes again.");
    l << QStringLiteral("        try {");
    l << QStringLiteral("            $template = $container.Create('pKICertificateTemplate', \"CN=$name\")");
    l << QStringLiteral("            # From the base: what the plan does not decide.");
    l << QStringLiteral("            foreach ($attribute in 'flags', 'pKIMaxIssuingDepth', 'pKICriticalExtensions', "
                        "'msPKI-RA-Signature', 'msPKI-Enrollment-Flag') {");
    l << QStringLiteral("                $value = $base.Properties[$attribute].Value");
    l << QStringLiteral("                if ($null -ne $value) { $template.Put($attribute, $value) }");
    l << QStringLiteral("            }");
    l << QStringLiteral("            # From the plan.");
    l << QStringLiteral("            $template.Put('displayName', $displayName)");
    l << QStringLiteral("            $template.Put('revision', 100)");
    l << QStringLiteral("            $template.Put('msPKI-Template-Schema-Version', 2)");
    l << QStringLiteral("            $template.Put('msPKI-Template-Minor-Revision', 0)");
    l << QStringLiteral("            $template.Put('msPKI-Cert-Template-OID', $oid)");
    l << QStringLiteral("            $template.Put('pKIExpirationPeriod', [byte[]](ConvertTo-Period %1))")
             .arg(p.validityDays);
    l << QStringLiteral("            $template.Put('pKIOverlapPeriod', [byte[]](ConvertTo-Period %1))")
             .arg(p.renewalDays);
    l << QStringLiteral("            $template.Put('msPKI-Minimal-Key-Size', %1)").arg(p.minimumKeySize);
    l << QStringLiteral("            $template.Put('pKIDefaultKeySpec', %1)").arg(e.keySpec);
    l << QStringLiteral("            $template.Put('pKIKeyUsage', [byte[]](0x%1, 0x00))")
             .arg(e.keyUsage, 2, 16, QLatin1Char('0'));
    l << QStringLiteral("            $template.Put('pKIDefaultCSPs', @(%1))")
             .arg(q(QStringLiteral("1,") + p.templateProvider));
    l << QStringLiteral("            $template.PutEx(2, 'pKIExtendedKeyUsage', $ekus)");
    l << QStringLiteral("            $template.PutEx(2, 'msPKI-Certificate-Application-Policy', $ekus)");
    l << QStringLiteral(
        "            # 0x1: the subject comes with the request (the CA then takes the request's SAN too); 0x10000 "
        "tells clients to send a SAN. 0x10 = exportable key.");
    l << QStringLiteral("            $template.Put('msPKI-Certificate-Name-Flag', %1)").arg(e.nameFlag);
    l << QStringLiteral("            $template.Put('msPKI-Private-Key-Flag', %1)").arg(e.privateKeyFlag);
    l << QStringLiteral("            $template.SetInfo()");
    l << QStringLiteral("        } catch {");
    l << QStringLiteral("            $oidObject.DeleteTree()");
    l << QStringLiteral("            throw");
    l << QStringLiteral("        }");
    l << QStringLiteral("        Write-Host \"Created template $name ($oid) from $baseName\"");
    l << QStringLiteral("    } else {");
    l << QStringLiteral("        $template = $null");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # Read and Enroll for the service account, nothing more (a group it is in counts too).");
    l << QStringLiteral("    $account = Get-PlanAccount $accountName");
    l << QStringLiteral("    if ($null -eq $template) {");
    l << QStringLiteral(
        "        Write-Host 'The template does not exist yet (-WhatIf): its rights are checked once it does.'");
    l << QStringLiteral("    } elseif ($null -eq $account) {");
    l << QStringLiteral(
        "        Write-Warning \"$member does not exist yet: run step 01, then this step again for Read and "
        "Enroll.\"");
    l << QStringLiteral("    } else {");
    l << QStringLiteral("        $rights = Get-PlanTemplateRights $template (Get-PlanAccountSids $account)");
    l << QStringLiteral("        $sid = Get-PlanAccountSid $account");
    l << QStringLiteral(
        "        if ($rights.Denied) { Write-Warning \"A Deny entry on template $name takes Enroll from $member or "
        "a group it is in: remove it in certtmpl.msc > Security.\" }");
    l << QStringLiteral("        $grant = @()");
    l << QStringLiteral("        if (-not $rights.Read) { $grant += 'Read' }");
    l << QStringLiteral("        if (-not $rights.Enroll) { $grant += 'Enroll' }");
    l << QStringLiteral(
        "        if ($grant.Count -gt 0 -and $PSCmdlet.ShouldProcess($name, \"allow $($grant -join ' and ') for "
        "$member\")) {");
    l << QStringLiteral("            if (-not $rights.Read) { $template.ObjectSecurity.AddAccessRule((New-Object "
                        "System.DirectoryServices.ActiveDirectoryAccessRule($sid, 'GenericRead', 'Allow'))) }");
    l << QStringLiteral("            if (-not $rights.Enroll) { $template.ObjectSecurity.AddAccessRule((New-Object "
                        "System.DirectoryServices.ActiveDirectoryAccessRule($sid, 'ExtendedRight', 'Allow', "
                        "[guid]'0e10c968-78fb-11d2-90d4-00c04f79dc55'))) }");
    l << QStringLiteral("            $template.CommitChanges()");
    l << QStringLiteral("            Write-Host \"Allowed $($grant -join ' and ') on template $name for $member\"");
    l << QStringLiteral("        }");
    l << QStringLiteral("    }");
    l << QStringLiteral("    # Published on the CA, or NDES gets \"template not available\" (event 31).");
    l << QStringLiteral("    $list = Invoke-PlanNative 'certutil.exe' @('-config', $caConfig, '-CATemplates')");
    l << QStringLiteral("    if ($list.ExitCode -ne 0) { throw \"certutil -CATemplates failed ($($list.ExitCode)) for "
                        "$caConfig : $($list.Output -join ' ')\" }");
    l << QStringLiteral(
        "    $published = @($list.Output | Where-Object { $_ -cmatch ('^' + [regex]::Escape($name) + ':') "
        "})");
    l << QStringLiteral("    if ($published.Count -eq 0 -and $PSCmdlet.ShouldProcess($caConfig, \"publish template "
                        "$name\")) {");
    l << QStringLiteral("        # The CA reads templates from its domain controller: one created a moment ago may not "
                        "be there yet.");
    l << QStringLiteral("        $attempt = 0");
    l << QStringLiteral("        while ($true) {");
    l << QStringLiteral("            $attempt++");
    l << QStringLiteral(
        "            $set = Invoke-PlanNative 'certutil.exe' @('-config', $caConfig, '-SetCATemplates', "
        "('+' + $name))");
    l << QStringLiteral("            if ($set.ExitCode -eq 0) { break }");
    l << QStringLiteral("            if ($attempt -ge 6) { throw \"certutil -SetCATemplates failed ($($set.ExitCode)): "
                        "publish $name on the CA by hand (certsrv.msc). $($set.Output -join ' ')\" }");
    l << QStringLiteral("            Write-Host \"The CA does not see $name yet (AD replication); trying again in 20 s "
                        "($attempt of 6)\"");
    l << QStringLiteral("            Start-Sleep -Seconds 20");
    l << QStringLiteral("        }");
    l << QStringLiteral("        Write-Host \"Published $name on $caConfig\"");
    l << QStringLiteral("    }");
    l << transcriptEnd();
    return header(QStringLiteral("step 02, the certificate template (created in AD or compared with the plan, Read and "
                                 "Enroll for the service account, published on the CA)"),
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

Result<QStringList> writePlanFiles(const SetupPlan& plan, const QString& directory, const QDateTime& generatedAt) {
    const QDir dir(directory);
    if (!QDir().mkpath(directory))
        return makeError(ErrorKind::Io, QStringLiteral("Cannot create %1.").arg(directory));
    QList<QPair<QString, QByteArray>> files = {{QStringLiteral("mscep.reg"), RegWriter::file(plan)}};
    for (const GeneratedScript& script : ScriptWriter::scripts(plan, generatedAt))
        files.append({script.fileName, ScriptWriter::fileBytes(script)});
    QStringList written;
    for (const auto& [name, bytes] : files) {
        const QString path = dir.filePath(name);
        if (Status st = AtomicFile::write(path, bytes, AtomicFile::Access::WorldReadable); !st)
            return st.error();
        written << path;
    }
    return written;
}

} // namespace ndes::setup
