#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: step 04, NDES registry settings (challenge passwords, templates, hash)
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

function Set-PlanValue {
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

$mscep = 'HKLM:\SOFTWARE\Microsoft\Cryptography\MSCEP'
# The key as it was before NDES Console's first change, kept once: rollback.ps1 restores exactly that.
$backup = Join-Path $env:ProgramData 'NDES Console\mscep-before-ndes-console.reg'
$transcribing = $false
try {
    # A transcript under -WhatIf too; only the one started here is stopped.
    Start-Transcript -Path $TranscriptPath -Append -WhatIf:$false -Confirm:$false | Out-Null
    $transcribing = $true
    if (-not (Test-Path -LiteralPath $mscep)) {
        if ($WhatIfPreference) { Write-Warning 'MSCEP does not exist yet (step 03 creates it): nothing to compare.'; return }
        throw 'MSCEP is missing: install the NDES role first (step 03).'
    }
    if (-not $WhatIfPreference -and -not (Test-Path -LiteralPath $backup)) {
        New-Item -ItemType Directory -Path (Split-Path $backup) -Force -Confirm:$false | Out-Null
        Protect-PlanPath (Split-Path $backup)
        $export = Invoke-PlanNative 'reg.exe' @('export', 'HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP', $backup, '/y')
        if ($export.ExitCode -ne 0) { throw "reg.exe export failed ($($export.ExitCode)): no backup, nothing changed. $($export.Output -join ' ')" }
        Protect-PlanPath $backup
        Write-Host "Saved the MSCEP key as it was to $backup"
    } elseif ((Test-Path -LiteralPath $backup) -and -not (Test-PlanTrustedFile $backup)) {
        throw "$backup was not written by an administrator (its owner is neither Administrators nor SYSTEM): move it away and run this step again, or rollback.ps1 would restore someone else's settings."
    }
    $changed = $false
    # The template names are values of MSCEP itself; every other setting is a subkey holding a value of the same name.
    $changed = (Set-PlanValue -Path $mscep -Name 'SignatureTemplate' -Value 'Intune-SCEP-User' -Kind String) -or $changed
    $changed = (Set-PlanValue -Path $mscep -Name 'EncryptionTemplate' -Value 'Intune-SCEP-User' -Kind String) -or $changed
    $changed = (Set-PlanValue -Path $mscep -Name 'GeneralPurposeTemplate' -Value 'Intune-SCEP-User' -Kind String) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\EnforcePassword" -Name 'EnforcePassword' -Value 0 -Kind DWord) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\UseSinglePassword" -Name 'UseSinglePassword' -Value 0 -Kind DWord) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\PasswordMax" -Name 'PasswordMax' -Value 5 -Kind DWord) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\PasswordValidity" -Name 'PasswordValidity' -Value 15 -Kind DWord) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\PasswordLength" -Name 'PasswordLength' -Value 8 -Kind DWord) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\HashAlgorithm" -Name 'HashAlgorithm' -Value 'SHA256' -Kind String) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\CACapabilitiesAlgorithms" -Name 'CACapabilitiesAlgorithms' -Value @('SHA-256', 'AES') -Kind MultiString) -or $changed
    $changed = (Set-PlanValue -Path "$mscep\CAInfo" -Name 'Configuration' -Value 'pki-ca.contoso.test\Contoso Issuing CA' -Kind String) -or $changed
    # Values public guides write where NDES never reads them: NDES ignores them, so do we, but they mislead.
    foreach ($misplaced in 'EnforcePassword', 'PasswordMax', 'PasswordValidity', 'PasswordLength', 'UseSinglePassword', 'PasswordCacheMax') {
        if ($null -ne (Get-ItemProperty -LiteralPath $mscep -Name $misplaced -ErrorAction SilentlyContinue)) {
            if ($PSCmdlet.ShouldProcess("$mscep\$misplaced", 'remove (a value NDES never reads)')) {
                Remove-ItemProperty -LiteralPath $mscep -Name $misplaced
                Write-Host "Removed $mscep\$misplaced (NDES reads the subkey of that name, not this value)"
                $changed = $true
            } elseif ($WhatIfPreference) {
                $changed = $true
            }
        }
    }
    if ($changed -and -not $WhatIfPreference) {
        if (Import-PlanWebAdministration) {
            Restart-PlanScepPool
            Write-Host 'Restarted the SCEP application pool: NDES reads its settings when it starts.'
        } else {
            Write-Warning 'Restart the SCEP application pool (IIS Manager): NDES reads its settings when it starts.'
        }
    } elseif (-not $changed) {
        Write-Host 'Nothing to change: the NDES registry already matches the plan.'
    }
} finally {
    if ($transcribing) { Stop-Transcript | Out-Null }
}
