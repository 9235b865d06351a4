## SPDX-License-Identifier: Apache-2.0
## The SCEP application pool after a change (IIS stops a pool after repeated failures: a stopped pool
## is started, a running one restarted), and the WebAdministration module, installed where missing.
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
