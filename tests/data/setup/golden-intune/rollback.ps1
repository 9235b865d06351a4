#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: rollback of step 04 (the NDES registry)
.DESCRIPTION
    Generated 2026-11-25T09:00:00Z from the plan for scep.contoso.test (CA pki-ca.contoso.test\Contoso Issuing CA).
    Run on scep.contoso.test in an elevated PowerShell.
    It checks each setting before changing it: running it again changes nothing.
    -WhatIf shows what it would change. A transcript goes to -TranscriptPath.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string] $TranscriptPath = (Join-Path $env:TEMP ('ndes-setup-' + (Get-Date -Format 'yyyyMMdd-HHmmss') + '.log'))
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Invoke-PlanNative([string] $FilePath, [string[]] $Arguments) {
    $ErrorActionPreference = 'Continue'
    $output = @(& $FilePath @Arguments 2>&1 | ForEach-Object { "$_" })
    return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
}
function Restart-PlanScepPool {
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
function Test-PlanTrustedFile([string] $Path) {
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

$cryptography = 'HKLM:\SOFTWARE\Microsoft\Cryptography'
$mscep = "$cryptography\MSCEP"
$aside = 'MSCEP.before-rollback'
$backup = Join-Path $env:ProgramData 'NDES Console\mscep-before-ndes-console.reg'
$now = Join-Path $env:TEMP 'mscep-now.reg'
$transcribing = $false
try {
    # A transcript under -WhatIf too; only the one started here is stopped.
    Start-Transcript -Path $TranscriptPath -Append -WhatIf:$false -Confirm:$false | Out-Null
    $transcribing = $true
    # The MSCEP key exactly as step 04 found it before its first change: the key is replaced, not merged.
    if (-not (Test-Path -LiteralPath $backup)) {
        Write-Warning "No backup at $backup: step 04 has not changed anything here."
        return
    }
    # Imported as an administrator, so only a file an administrator wrote, and only if it touches nothing but MSCEP.
    if (-not (Test-PlanTrustedFile $backup)) { throw "$backup was not written by an administrator (its owner is neither Administrators nor SYSTEM): not imported." }
    $keys = @(Get-Content -LiteralPath $backup | Where-Object { $_ -match '^\s*\[' })
    $outside = @($keys | Where-Object { $_ -notmatch '^\s*\[-?HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP(\\|\])' })
    if ($keys.Count -eq 0) { throw "$backup holds no registry key: not imported." }
    if ($outside.Count -gt 0) { throw "$backup writes outside the MSCEP key ($($outside[0])): not imported." }
    $export = Invoke-PlanNative 'reg.exe' @('export', 'HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP', $now, '/y')
    $same = $export.ExitCode -eq 0 -and (Get-FileHash -LiteralPath $now).Hash -eq (Get-FileHash -LiteralPath $backup).Hash
    Remove-Item -LiteralPath $now -ErrorAction SilentlyContinue -WhatIf:$false
    if ($same) {
        Write-Host 'The MSCEP key is already as it was before step 04: nothing to do.'
    } elseif ($PSCmdlet.ShouldProcess('HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP', "replace with $backup")) {
        # Set aside, not deleted, until the import has worked.
        if (Test-Path -LiteralPath "$cryptography\$aside") { Remove-Item -LiteralPath "$cryptography\$aside" -Recurse }
        if (Test-Path -LiteralPath $mscep) { Rename-Item -LiteralPath $mscep -NewName $aside }
        $import = Invoke-PlanNative 'reg.exe' @('import', $backup)
        if ($import.ExitCode -ne 0) {
            if (Test-Path -LiteralPath $mscep) { Remove-Item -LiteralPath $mscep -Recurse }
            if (Test-Path -LiteralPath "$cryptography\$aside") { Rename-Item -LiteralPath "$cryptography\$aside" -NewName 'MSCEP' }
            throw "reg.exe import failed ($($import.ExitCode)): the MSCEP key is as it was. Import $backup by hand. $($import.Output -join ' ')"
        }
        if (Test-Path -LiteralPath "$cryptography\$aside") { Remove-Item -LiteralPath "$cryptography\$aside" -Recurse }
        Write-Host "Restored the MSCEP key from $backup"
        if (Import-PlanWebAdministration) { Restart-PlanScepPool; Write-Host 'Restarted the SCEP application pool' }
        else { Write-Warning 'Restart the SCEP application pool (IIS Manager) for NDES to read the restored settings.' }
    }
    # IIS and HTTP.sys limits are left as they are: larger limits break nothing, and lowering them breaks SCEP GET requests.
    Write-Host 'IIS request filtering and HTTP.sys limits were not changed back (larger limits are harmless).'
} finally {
    if ($transcribing) { Stop-Transcript | Out-Null }
}
