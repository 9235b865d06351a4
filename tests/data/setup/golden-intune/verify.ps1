#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: verification (read-only) of steps 04 and 05
.DESCRIPTION
    Generated 2026-11-25T09:00:00Z from the plan for scep.contoso.test (CA pki-ca.contoso.test\Contoso Issuing CA).
    Run on scep.contoso.test in an elevated PowerShell.
    Read-only: it prints what differs from the plan and changes nothing.
#>
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$mscep = 'HKLM:\SOFTWARE\Microsoft\Cryptography\MSCEP'
$differences = 0
function Compare-PlanValue([string] $Path, [string] $Name, $Expected) {
    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
    $actual = if ($null -eq $item) { $null } else { $item.$Name }
    if ($null -eq $actual -or ((@($actual) -join ', ') -cne (@($Expected) -join ', '))) {
        Write-Host "DIFFERS  $Path\$Name : plan $(@($Expected) -join ', '), server $(if ($null -eq $actual) { 'not set' } else { @($actual) -join ', ' })"
        $script:differences++
    } else {
        Write-Host "ok       $Path\$Name = $(@($actual) -join ', ')"
    }
}
Compare-PlanValue $mscep 'SignatureTemplate' 'Intune-SCEP-User'
Compare-PlanValue $mscep 'EncryptionTemplate' 'Intune-SCEP-User'
Compare-PlanValue $mscep 'GeneralPurposeTemplate' 'Intune-SCEP-User'
Compare-PlanValue "$mscep\EnforcePassword" 'EnforcePassword' 0
Compare-PlanValue "$mscep\UseSinglePassword" 'UseSinglePassword' 0
Compare-PlanValue "$mscep\PasswordMax" 'PasswordMax' 5
Compare-PlanValue "$mscep\PasswordValidity" 'PasswordValidity' 15
Compare-PlanValue "$mscep\PasswordLength" 'PasswordLength' 8
Compare-PlanValue "$mscep\HashAlgorithm" 'HashAlgorithm' 'SHA256'
Compare-PlanValue "$mscep\CACapabilitiesAlgorithms" 'CACapabilitiesAlgorithms' @('SHA-256', 'AES')
Compare-PlanValue "$mscep\CAInfo" 'Configuration' 'pki-ca.contoso.test\Contoso Issuing CA'
foreach ($misplaced in 'EnforcePassword', 'PasswordMax', 'PasswordValidity', 'PasswordLength', 'UseSinglePassword', 'PasswordCacheMax') {
    if ($null -ne (Get-ItemProperty -LiteralPath $mscep -Name $misplaced -ErrorAction SilentlyContinue)) {
        Write-Host "MISPLACED $mscep\$misplaced : a value NDES never reads (it reads the subkey of that name)"
        $differences++
    }
}
Compare-PlanValue 'HKLM:\SYSTEM\CurrentControlSet\Services\HTTP\Parameters' 'MaxFieldLength' 65534
Compare-PlanValue 'HKLM:\SYSTEM\CurrentControlSet\Services\HTTP\Parameters' 'MaxRequestBytes' 65534
Import-Module WebAdministration
foreach ($limit in @(@('maxUrl', 65534), @('maxQueryString', 65534))) {
    $value = (Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'Default Web Site' -Filter 'system.webServer/security/requestFiltering/requestLimits' -Name $limit[0]).Value
    if ($value -ne $limit[1]) { Write-Host "DIFFERS  request filtering $($limit[0]) : plan $($limit[1]), server $value"; $differences++ }
    else { Write-Host "ok       request filtering $($limit[0]) = $value" }
}
if ($differences -eq 0) { Write-Host 'The server matches the plan.' } else { Write-Host "$differences difference(s) from the plan." }
exit [int]($differences -ne 0)
