# SPDX-License-Identifier: Apache-2.0
# Collect-NdesSnapshot.ps1 (NDES Console): a read-only snapshot of an NDES server for a configuration audit.
#
# Run on the NDES server in Windows PowerShell 5.1, as an administrator:
#     powershell -ExecutionPolicy Bypass -File .\Collect-NdesSnapshot.ps1 -OutputFolder C:\ndes-audit
# It writes <OutputFolder>\<host>-<time>\ and <OutputFolder>\<host>-<time>-zip\<host>-<time>.zip, both readable by
# Administrators and SYSTEM only; give the zip to NDES Console
# (Audit page, or: ndesctl audit --snapshot FILE.zip).
#
# It changes nothing on the server: it reads the registry (reg export), IIS's applicationHost.config, the machine's
# certificates (public part only, with facts about each key: provider, exportable, who may read the key file),
# local group members, user rights (secedit /export), service and application pool states, HTTPS bindings
# (netsh http show sslcert), recent NDES and connector events (wevtutil epl) and the newest IIS logs. It writes only
# inside OutputFolder. It never collects a private key, a password, or the data of MSCEP's EncryptedPassword value
# (only that the value exists). manifest.json records each file with its SHA-256.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$OutputFolder,
    [ValidateRange(1, 365)][int]$Days = 14,
    [ValidateRange(0, 100)][int]$IisLogCount = 7
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$collectorVersion = '1.1.0'
$started = (Get-Date).ToUniversalTime()
$hostName = $env:COMPUTERNAME
$base = (New-Item -ItemType Directory -Path $OutputFolder -Force).FullName
# The snapshot's own folder is new and only Administrators and SYSTEM may use it (no inherited rights): what is
# collected is readable by no one else, and no one else can place a file or a junction in it before the manifest
# is written.
if (((Get-Item -LiteralPath $base -Force).Attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0) { throw "$base is a junction or symbolic link: give a real folder." }
$snapshotName = '{0}-{1}' -f $hostName, $started.ToString('yyyyMMddTHHmmssZ')
$root = Join-Path $base $snapshotName
if (Test-Path -LiteralPath $root) { throw "$root exists already: run the collector again in a moment." }
$private = New-Object System.Security.AccessControl.DirectorySecurity
$private.SetAccessRuleProtection($true, $false)
foreach ($sid in @('S-1-5-32-544', 'S-1-5-18')) {
    $principal = New-Object System.Security.Principal.SecurityIdentifier($sid)
    $rule = New-Object System.Security.AccessControl.FileSystemAccessRule($principal, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow')
    $private.AddAccessRule($rule)
}
[System.IO.Directory]::CreateDirectory($root, $private) | Out-Null
$absentKeys = New-Object System.Collections.Generic.List[string]
$notes = New-Object System.Collections.Generic.List[string]
$redacted = New-Object System.Collections.Generic.List[string]

# Every file this script writes goes through here: a relative name, joined under the snapshot folder, never above it.
function Get-CollectorPath([string]$Name) {
    if ([System.IO.Path]::IsPathRooted($Name) -or $Name -match '(^|[\\/])\.\.([\\/]|$)') { throw "Refusing to write $Name outside the snapshot folder." }
    $full = [System.IO.Path]::GetFullPath((Join-Path $root $Name))
    if (-not $full.StartsWith($root + [System.IO.Path]::DirectorySeparatorChar, [System.StringComparison]::OrdinalIgnoreCase)) { throw "Refusing to write $Name outside the snapshot folder." }
    $parent = Split-Path -Parent $full
    if (-not (Test-Path -LiteralPath $parent)) { New-Item -ItemType Directory -Path $parent -Force | Out-Null }
    return $full
}

function Write-CollectorJson([string]$Name, $Object) {
    $dest = Get-CollectorPath $Name
    Set-Content -LiteralPath $dest -Value ($Object | ConvertTo-Json -Depth 6) -Encoding UTF8
}

# reg export, then the value EncryptedPassword's data (the encrypted single password) taken out of whatever was
# exported, in place of its lines a comment that says it exists. A failed export leaves no file.
function Export-CollectorKey([string]$Key, [string]$Name) {
    if (-not (Test-Path -LiteralPath ('Registry::' + $Key))) { $absentKeys.Add($Key); return }
    $dest = Get-CollectorPath $Name
    $output = & reg.exe export $Key $dest /y 2>&1
    if ($LASTEXITCODE -ne 0) {
        $notes.Add("reg export $Key failed: $output")
        if (Test-Path -LiteralPath $dest) { Remove-Item -LiteralPath $dest }
        return
    }
    $lines = [System.IO.File]::ReadAllLines($dest, [System.Text.Encoding]::Unicode)
    $kept = New-Object System.Collections.Generic.List[string]
    $skipping = $false
    $section = ''
    foreach ($line in $lines) {
        if ($skipping) { $skipping = $line.EndsWith('\'); continue }
        if ($line.StartsWith('[')) { $section = $line }
        if ($line -match '^"EncryptedPassword"=') {
            $kept.Add('; NDES Console collector: the value EncryptedPassword exists here; its data was not collected.')
            $redacted.Add($section.Trim('[', ']') + '\EncryptedPassword')
            $skipping = $line.EndsWith('\')
            continue
        }
        $kept.Add($line)
    }
    [System.IO.File]::WriteAllLines($dest, $kept, [System.Text.Encoding]::Unicode)
}

# Registry: NDES's settings, the role's state, HTTP.sys limits, the Intune connector.
Export-CollectorKey 'HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Cryptography\MSCEP' 'registry\mscep.reg'
Export-CollectorKey 'HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\ADCS\NDES' 'registry\ndes-role.reg'
Export-CollectorKey 'HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\HTTP\Parameters' 'registry\http-parameters.reg'
Export-CollectorKey 'HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\MicrosoftIntune\PFXCertificateConnector' 'registry\intune-connector.reg'

# IIS. An application pool's or virtual directory's password (password="[enc:...:enc]") is taken out.
$appHost = Join-Path $env:windir 'System32\inetsrv\config\applicationHost.config'
if (Test-Path -LiteralPath $appHost) {
    $dest = Get-CollectorPath 'iis\applicationHost.config'
    $text = [System.IO.File]::ReadAllText($appHost)
    $clean = [regex]::Replace($text, '(\spassword\s*=\s*")[^"]*(")', '$1(not collected)$2')
    if ($clean -ne $text) { $redacted.Add('applicationHost.config: password attributes') }
    [System.IO.File]::WriteAllText($dest, $clean, (New-Object System.Text.UTF8Encoding($false)))
} else { $notes.Add('applicationHost.config not found: IIS is not installed.') }

# Certificates of LocalMachine\My and Root: the certificate (public) and facts about its key.
function Get-KeyFacts($Certificate) {
    $facts = [ordered]@{ hasPrivateKey = $Certificate.HasPrivateKey }
    if (-not $Certificate.HasPrivateKey) { return $facts }
    try {
        $rsa = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Certificate)
        $keyFile = $null
        if ($rsa -is [System.Security.Cryptography.RSACng]) {
            $facts.keyProvider = $rsa.Key.Provider.Provider
            $facts.keyExportable = (($rsa.Key.ExportPolicy -band [System.Security.Cryptography.CngExportPolicies]::AllowExport) -ne 0)
            $facts.keyStorage = 'CNG'
            $keyFile = Join-Path $env:ProgramData ('Microsoft\Crypto\Keys\' + $rsa.Key.UniqueName)
        } elseif ($rsa -is [System.Security.Cryptography.RSACryptoServiceProvider]) {
            $info = $rsa.CspKeyContainerInfo
            $facts.keyProvider = $info.ProviderName
            $facts.keyExportable = $info.Exportable
            $facts.keyStorage = 'CryptoAPI'
            $keyFile = Join-Path $env:ProgramData ('Microsoft\Crypto\RSA\MachineKeys\' + $info.UniqueKeyContainerName)
        }
        if ($null -ne $keyFile -and (Test-Path -LiteralPath $keyFile)) { $facts.keyFileSddl = (Get-Acl -LiteralPath $keyFile).Sddl }
    } catch { $facts.keyProblem = $_.Exception.Message }
    return $facts
}
foreach ($store in @('My', 'Root')) {
    foreach ($cert in @(Get-ChildItem -LiteralPath ('Cert:\LocalMachine\' + $store))) {
        $name = 'certificates\{0}\{1}' -f $store, $cert.Thumbprint
        $dest = Get-CollectorPath ($name + '.cer')
        [System.IO.File]::WriteAllBytes($dest, $cert.RawData)
        $info = [ordered]@{ kind = 'certificate-info'; store = $store; thumbprint = $cert.Thumbprint }
        if ($store -eq 'My') { foreach ($p in (Get-KeyFacts $cert).GetEnumerator()) { $info[$p.Key] = $p.Value } }
        Write-CollectorJson ($name + '.json') $info
    }
}

# The host: features installed (the CA or a DC on the same machine), the domain role, the SCEP pool's identity.
$system = Get-CimInstance -ClassName Win32_ComputerSystem
$features = @()
if (Get-Command Get-WindowsFeature -ErrorAction SilentlyContinue) { $features = @(Get-WindowsFeature | Where-Object { $_.Installed } | ForEach-Object { $_.Name }) }
$poolIdentity = $null
$poolSid = $null
$scepPoolSid = $null
if (Get-Module -ListAvailable -Name WebAdministration) {
    Import-Module WebAdministration
    if (Test-Path -LiteralPath 'IIS:\AppPools\SCEP') {
        $model = Get-ItemProperty -LiteralPath 'IIS:\AppPools\SCEP' -Name processModel
        if ($model.identityType -eq 'SpecificUser') {
            $poolIdentity = $model.userName
            try { $poolSid = (New-Object System.Security.Principal.NTAccount($poolIdentity)).Translate([System.Security.Principal.SecurityIdentifier]).Value } catch { $notes.Add("Cannot resolve $poolIdentity to a SID: $($_.Exception.Message)") }
        }
        try { $scepPoolSid = (New-Object System.Security.Principal.NTAccount('IIS AppPool\SCEP')).Translate([System.Security.Principal.SecurityIdentifier]).Value } catch { $notes.Add("Cannot resolve IIS AppPool\SCEP to a SID: $($_.Exception.Message)") }
    }
}
Write-CollectorJson 'host.json' ([ordered]@{
    kind = 'host'; computerName = $hostName; fqdn = ('{0}.{1}' -f $system.DNSHostName, $system.Domain)
    domainRole = $system.DomainRole; installedFeatures = $features
    lastBoot = (Get-CimInstance -ClassName Win32_OperatingSystem).LastBootUpTime.ToUniversalTime().ToString('o')
    scepPoolIdentity = $poolIdentity; scepPoolIdentitySid = $poolSid; scepPoolSid = $scepPoolSid
})

# Local groups: Administrators and IIS_IUSRS, by well-known SID (the names are localised).
$groups = [ordered]@{}
foreach ($sid in @('S-1-5-32-544', 'S-1-5-32-568')) {
    $group = Get-LocalGroup -SID $sid
    $members = @()
    foreach ($m in @(Get-LocalGroupMember -SID $sid -ErrorAction SilentlyContinue)) { $members += [ordered]@{ name = $m.Name; sid = $m.SID.Value; class = [string]$m.ObjectClass } }
    $key = if ($sid -eq 'S-1-5-32-544') { 'Administrators' } else { 'IIS_IUSRS' }
    $groups[$key] = $members
    if ($group.Name -ne $key) { $notes.Add("Local group $key is named $($group.Name) here.") }
}
Write-CollectorJson 'local-groups.json' ([ordered]@{ kind = 'local-groups'; groups = $groups })

# User rights, as secedit writes them.
$dest = Get-CollectorPath 'user-rights.inf'
$output = & secedit.exe /export /areas USER_RIGHTS /cfg $dest /quiet 2>&1
if ($LASTEXITCODE -ne 0) { $notes.Add("secedit /export failed: $output") }

# Services and application pools.
$services = @()
foreach ($name in @('W3SVC', 'WAS', 'CertSvc', 'PFXCertificateConnectorSvc', 'NDESConnectorSvc')) {
    $svc = Get-Service -Name $name -ErrorAction SilentlyContinue
    if ($null -ne $svc) { $services += [ordered]@{ name = $svc.Name; status = [string]$svc.Status; startType = [string]$svc.StartType } }
}
$pools = @()
if (Test-Path -LiteralPath 'IIS:\AppPools') { foreach ($p in @(Get-ChildItem -LiteralPath 'IIS:\AppPools')) { $pools += [ordered]@{ name = $p.Name; state = [string]$p.State } } }
Write-CollectorJson 'services.json' ([ordered]@{ kind = 'services'; services = $services; appPools = $pools })

# HTTPS certificate bindings, as netsh prints them.
$dest = Get-CollectorPath 'sslcert.txt'
$output = & netsh.exe http show sslcert
[System.IO.File]::WriteAllLines($dest, [string[]]$output, (New-Object System.Text.UTF8Encoding($false)))

# Events of the last $Days days: NDES in the Application log, the Intune connector's own log.
$ms = [int64]$Days * 86400000
$ndesQuery = "*[System[Provider[@Name='Microsoft-Windows-NetworkDeviceEnrollmentService'] and TimeCreated[timediff(@SystemTime) <= $ms]]]"
$dest = Get-CollectorPath 'events\ndes-application.evtx'
$output = & wevtutil.exe epl Application $dest "/q:$ndesQuery" 2>&1
if ($LASTEXITCODE -ne 0) { $notes.Add("wevtutil epl Application failed: $output") }
$connectorLog = 'Microsoft-Intune-CertificateConnectors/Admin'
$logNames = @(& wevtutil.exe el)
if ($logNames -contains $connectorLog) {
    $dest = Get-CollectorPath 'events\intune-connector.evtx'
    $output = & wevtutil.exe epl $connectorLog $dest "/q:*[System[TimeCreated[timediff(@SystemTime) <= $ms]]]" 2>&1
    if ($LASTEXITCODE -ne 0) { $notes.Add("wevtutil epl $connectorLog failed: $output") }
}

# The newest IIS logs of the site that serves NDES (site 1 unless the configuration says otherwise).
$logDir = Join-Path $env:SystemDrive 'inetpub\logs\LogFiles\W3SVC1'
if ($IisLogCount -gt 0 -and (Test-Path -LiteralPath $logDir)) {
    foreach ($log in @(Get-ChildItem -LiteralPath $logDir -Filter 'u_ex*.log' | Sort-Object LastWriteTime -Descending | Select-Object -First $IisLogCount)) {
        $dest = Get-CollectorPath ('iis-logs\' + $log.Name)
        Copy-Item -LiteralPath $log.FullName -Destination $dest
    }
}

# The manifest: every file with its SHA-256, then the zip.
$files = @()
foreach ($f in @(Get-ChildItem -LiteralPath $root -Recurse -File | Sort-Object FullName)) {
    $relative = $f.FullName.Substring($root.Length + 1).Replace('\', '/')
    $files += [ordered]@{ name = $relative; sha256 = (Get-FileHash -LiteralPath $f.FullName -Algorithm SHA256).Hash.ToLowerInvariant() }
}
Write-CollectorJson 'manifest.json' ([ordered]@{
    kind = 'ndes-snapshot-manifest'; format = 1; collectorVersion = $collectorVersion; host = $hostName
    collectedAt = $started.ToString('yyyy-MM-ddTHH:mm:ssZ'); collectedBy = ('{0}\{1}' -f $env:USERDOMAIN, $env:USERNAME)
    days = $Days; absentKeys = @($absentKeys); redacted = @($redacted); notes = @($notes); files = $files
})
# The zip goes into a private folder of its own beside the snapshot (it holds what the snapshot holds).
$zipFolder = Join-Path $base ($snapshotName + '-zip')
[System.IO.Directory]::CreateDirectory($zipFolder, $private) | Out-Null
$zip = Join-Path $zipFolder ($snapshotName + '.zip')
Compress-Archive -Path (Join-Path $root '*') -DestinationPath $zip
Write-Host "Done: $zip"
foreach ($n in $notes) { Write-Warning $n }
