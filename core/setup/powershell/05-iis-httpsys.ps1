## SPDX-License-Identifier: Apache-2.0
## Step 05: IIS request filtering, HTTP.sys limits, the HTTPS binding (https) and the SCEP pool identity.
#include lib-set-plan-value.ps1
#include lib-scep-pool.ps1

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
    $limits = [ordered]@{ 'maxUrl' = {{maxUrl}}; 'maxQueryString' = {{maxQueryString}} }
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
    $reboot = (Set-PlanValue -Path $httpParameters -Name 'MaxFieldLength' -Value {{maxFieldLength}} -Kind DWord) -or $reboot
    $reboot = (Set-PlanValue -Path $httpParameters -Name 'MaxRequestBytes' -Value {{maxRequestBytes}} -Kind DWord) -or $reboot
#if https
    $thumbprint = {{tlsThumbprint}}
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
#else
    Write-Warning 'The plan has no HTTPS: challenge passwords and the admin page travel in clear text.'
#endif
    # The SCEP application pool runs as the planned identity (step 03 sets the service account).
#if appPoolIdentity
    $poolIdentity = {{appPoolIdentity}}
#else
    $poolIdentity = {{domainNetbios}} + '\' + {{accountName}}
#endif
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
