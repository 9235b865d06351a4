#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: step 05, IIS request filtering, HTTP.sys limits, the HTTPS binding and the SCEP pool identity
.DESCRIPTION
    Generated 2026-11-25T09:00:00Z from the plan for ndes01.corp.example (CA ca01.corp.example\Corp Issuing CA 1).
    Run on ndes01.corp.example in an elevated PowerShell.
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

$site = 'Default Web Site'
$httpParameters = 'HKLM:\SYSTEM\CurrentControlSet\Services\HTTP\Parameters'
$transcribing = $false
try {
    # A transcript under -WhatIf too; only the one started here is stopped.
    Start-Transcript -Path $TranscriptPath -Append -WhatIf:$false -Confirm:$false | Out-Null
    $transcribing = $true
    if (-not (Import-PlanWebAdministration)) {
        if ($WhatIfPreference) { Write-Warning 'IIS or its PowerShell module is not installed yet (step 03 installs it with NDES): nothing to compare.'; return }
        throw 'IIS is not installed: run step 03 (the NDES role) first.'
    }
    $filter = 'system.webServer/security/requestFiltering/requestLimits'
    $limits = [ordered]@{ 'maxUrl' = 65534; 'maxQueryString' = 65534 }
    foreach ($name in $limits.Keys) {
        $current = (Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location $site -Filter $filter -Name $name).Value
        if ($current -eq $limits[$name]) { Write-Verbose "$name is already $current"; continue }
        if ($PSCmdlet.ShouldProcess("$site $filter/@$name", "set to $($limits[$name]) (was $current)")) {
            Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location $site -Filter $filter -Name $name -Value $limits[$name]
            Write-Host "Changed: request filtering $name = $($limits[$name])"
        }
    }
    # HTTP.sys reads these at boot: a reboot is needed, iisreset is not enough.
    $reboot = $false
    $reboot = (Set-PlanValue -Path $httpParameters -Name 'MaxFieldLength' -Value 65534 -Kind DWord) -or $reboot
    $reboot = (Set-PlanValue -Path $httpParameters -Name 'MaxRequestBytes' -Value 65534 -Kind DWord) -or $reboot
    $thumbprint = '3A1F9C2E7B4D6A8F0E1C3B5D7F9A2C4E6B8D0F12'
    $certificate = Get-Item -LiteralPath (Join-Path 'Cert:\LocalMachine\My' $thumbprint) -ErrorAction SilentlyContinue
    if ($null -eq $certificate) {
        $missing = "No certificate with thumbprint $thumbprint in LocalMachine\My: import the TLS certificate first."
        if (-not $WhatIfPreference) { throw $missing }
        Write-Warning $missing
    }
    if ($null -eq (Get-WebBinding -Name $site -Protocol 'https' -Port 443)) {
        if ($PSCmdlet.ShouldProcess("$site", 'add an https binding on port 443')) {
            New-WebBinding -Name $site -Protocol 'https' -Port 443
            Write-Host 'Added the https binding on port 443'
        }
    }
    $bound = Get-Item -LiteralPath 'IIS:\SslBindings\0.0.0.0!443' -ErrorAction SilentlyContinue
    if ($null -ne $certificate -and ($null -eq $bound -or $bound.Thumbprint -ne $thumbprint)) {
        if ($PSCmdlet.ShouldProcess('0.0.0.0:443', "bind certificate $thumbprint")) {
            # HTTP.sys keeps one certificate per address and port: the old one goes first.
            if ($null -ne $bound) { Remove-Item -LiteralPath 'IIS:\SslBindings\0.0.0.0!443' }
            $certificate | New-Item -Path 'IIS:\SslBindings\0.0.0.0!443' | Out-Null
            Write-Host "Bound certificate $thumbprint to https on port 443"
        }
    }
    # The SCEP application pool runs as the planned identity (step 03 sets the service account).
    $poolIdentity = 'CORP' + '\' + 'svc-ndes'
    $pool = Get-Item -LiteralPath 'IIS:\AppPools\SCEP' -ErrorAction SilentlyContinue
    if ($null -eq $pool) {
        Write-Warning 'There is no SCEP application pool yet: install the NDES role first (step 03).'
    } elseif ([string]$pool.processModel.identityType -ne 'SpecificUser' -or [string]$pool.processModel.userName -ne $poolIdentity) {
        if ($PSCmdlet.ShouldProcess('SCEP application pool', "run as $poolIdentity (was $($pool.processModel.userName))")) {
            $credential = Get-Credential -UserName $poolIdentity -Message "Password of $poolIdentity for the SCEP application pool"
            Set-ItemProperty -LiteralPath 'IIS:\AppPools\SCEP' -Name 'processModel' -Value @{ userName = $poolIdentity; password = $credential.GetNetworkCredential().Password; identityType = 3 }
            Restart-PlanScepPool
            Write-Host "The SCEP application pool runs as $poolIdentity"
        }
    }
    if ($reboot -and -not $WhatIfPreference) { Write-Warning 'HTTP.sys limits changed: reboot this server for them to apply.' }
} finally {
    if ($transcribing) { Stop-Transcript | Out-Null }
}
