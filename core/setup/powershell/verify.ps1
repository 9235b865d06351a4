## SPDX-License-Identifier: Apache-2.0
## verify.ps1: read-only, compares the server with the plan, step by step; each part checked on its own.
$accountName = {{accountName}}
$member = {{domainNetbios}} + '\' + $accountName
$upn = {{accountUpn}}
$ou = {{accountOu}}
$spn = 'HTTP/' + {{ndesHost}}
$caConfig = {{caConfig}}
$templateName = {{templateName}}
#include plan-template.ps1
$raName = {{raName}}
$mscep = 'HKLM:\SOFTWARE\Microsoft\Cryptography\MSCEP'
$differences = 0
$unchecked = 0
function Write-Result([string] $Status, [string] $Text) {
    Write-Host ('{0,-10}{1}' -f $Status, $Text)
    if ($Status -eq 'UNCHECKED') { $script:unchecked++ } elseif ($Status -ne 'ok') { $script:differences++ }
}
function Compare-PlanValue([string] $Path, [string] $Name, $Expected) {
    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
    $actual = if ($null -eq $item) { $null } else { $item.$Name }
    if ($null -eq $actual -or ((@($actual) -join ', ') -cne (@($Expected) -join ', '))) {
        Write-Result 'DIFFERS' "$Path\$Name : plan $(@($Expected) -join ', '), server $(if ($null -eq $actual) { 'not set' } else { @($actual) -join ', ' })"
    } else {
        Write-Result 'ok' "$Path\$Name = $(@($actual) -join ', ')"
    }
}
#include lib-account.ps1
#include lib-ca-enroll.ps1
#include lib-template.ps1
#include lib-local-group.ps1
#include lib-native.ps1
# Each part is checked on its own: one that cannot be read (no AD, no CA, no IIS) is reported and the others still run.
Write-Host '== Step 01: the service account'
$sids = $null
$account = $null
try {
    $account = Get-PlanAccount $accountName
    if ($null -eq $account) {
        Write-Result 'DIFFERS' "account $member : not found in AD"
    } else {
        $sids = Get-PlanAccountSids $account
        $actualUpn = [string]$account.Properties['userPrincipalName'].Value
        if ($actualUpn -ne $upn) { Write-Result 'DIFFERS' "account UPN : plan $upn, AD $actualUpn" } else { Write-Result 'ok' "account $member, UPN $upn" }
        $parent = ([string]$account.Properties['distinguishedName'].Value -split '(?<!\\),', 2)[-1]
        if ($parent -ne $ou) { Write-Result 'DIFFERS' "account OU : plan $ou, AD $parent" } else { Write-Result 'ok' "account in $ou" }
        if (([int]$account.Properties['userAccountControl'].Value -band 2) -ne 0) { Write-Result 'DIFFERS' "account $member is disabled: NDES cannot start" }
        if (@($account.Properties['servicePrincipalName']) -contains $spn) { Write-Result 'ok' "SPN $spn" } else { Write-Result 'DIFFERS' "SPN $spn : missing (Kerberos to the admin page fails)" }
    }
} catch {
    Write-Result 'UNCHECKED' "the account in AD: $($_.Exception.Message)"
}
try {
    if ($null -ne $account) {
        $accountSid = (Get-PlanAccountSid $account).Value
        if ($null -ne (Find-PlanLocalMember 'S-1-5-32-568' @($accountSid))) { Write-Result 'ok' "$member is in IIS_IUSRS" } else { Write-Result 'DIFFERS' "$member is not in IIS_IUSRS" }
        $adminThrough = Find-PlanLocalMember 'S-1-5-32-544' @($accountSid)
        if ($null -eq $adminThrough -and $null -ne $sids) { $adminThrough = Find-PlanLocalMember 'S-1-5-32-544' $sids }
        if ($null -ne $adminThrough) { Write-Result 'DIFFERS' "$member is a local administrator through $(Get-PlanSidName $adminThrough) (NDES needs no such right)" }
        elseif ($null -eq $sids) { Write-Result 'UNCHECKED' "whether $member is a local administrator through a group (its groups could not be read)" }
        else { Write-Result 'ok' "$member is not a local administrator" }
    }
} catch {
    Write-Result 'UNCHECKED' "local groups: $($_.Exception.Message)"
}
if ($null -ne $sids) {
    try {
        $ca = Get-PlanCaEnroll $caConfig $sids
        if ($ca.Allowed) { Write-Result 'ok' "Request Certificates on $caConfig" }
        elseif ($ca.Denied) { Write-Result 'DIFFERS' "Request Certificates on $caConfig : denied to $member or a group it is in" }
        else { Write-Result 'DIFFERS' "Request Certificates on $caConfig : not allowed for $member or any group it is in" }
    } catch {
        Write-Result 'UNCHECKED' "the CA's permissions: $($_.Exception.Message)"
    }
}
Write-Host '== Step 02: the certificate template'
try {
    $configNC = ([ADSI]'LDAP://RootDSE').configurationNamingContext
    $container = [ADSI]("LDAP://CN=Certificate Templates,CN=Public Key Services,CN=Services,$configNC")
    $template = Find-PlanTemplate $container $templateName
    if ($null -eq $template) {
        Write-Result 'DIFFERS' "template $templateName : not found in AD"
    } elseif ([string]$template.Properties['cn'].Value -cne $templateName) {
        Write-Result 'DIFFERS' "template $templateName : AD has $($template.Properties['cn'].Value) (case differs; NDES and the CA compare exactly)"
    } else {
        $found = Get-PlanTemplateDifferences $template $planTemplate
        foreach ($difference in $found) { Write-Result 'DIFFERS' "template $templateName $difference" }
        if ($found.Count -eq 0) { Write-Result 'ok' "template $templateName is as planned" }
        if ($null -ne $sids) {
            $rights = Get-PlanTemplateRights $template $sids
            if ($rights.Read -and $rights.Enroll -and -not $rights.Denied) { Write-Result 'ok' "Read and Enroll on $templateName for $member" }
            else { Write-Result 'DIFFERS' "rights on $templateName for $member : Read $($rights.Read), Enroll $($rights.Enroll), denied $($rights.Denied)" }
        }
    }
} catch {
    Write-Result 'UNCHECKED' "the template in AD: $($_.Exception.Message)"
}
$list = Invoke-PlanNative 'certutil.exe' @('-config', $caConfig, '-CATemplates')
if ($list.ExitCode -ne 0) { Write-Result 'UNCHECKED' "the templates $caConfig issues (certutil -CATemplates failed: $($list.ExitCode))" }
elseif (@($list.Output | Where-Object { $_ -cmatch ('^' + [regex]::Escape($templateName) + ':') }).Count -gt 0) { Write-Result 'ok' "$caConfig issues $templateName" }
else { Write-Result 'DIFFERS' "$caConfig does not issue $templateName (event 31 for every request)" }
Write-Host '== Step 03: the NDES role and its RA certificates'
try {
    if ((Get-WindowsFeature -Name 'ADCS-Device-Enrollment').Installed) { Write-Result 'ok' 'the NDES feature is installed' } else { Write-Result 'DIFFERS' 'the NDES feature (ADCS-Device-Enrollment) is not installed' }
    $status = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\ADCS\NDES' -Name 'ConfigurationStatus' -ErrorAction SilentlyContinue
    if ($null -ne $status -and $status.ConfigurationStatus -eq 2) { Write-Result 'ok' 'NDES is configured' } else { Write-Result 'DIFFERS' 'NDES is not configured (ConfigurationStatus is not 2)' }
    # Two RA certificates named by the RA name, both Certificate Request Agent: one signs (digitalSignature), one decrypts (keyEncipherment).
    $now = Get-Date
    $ra = @(Get-ChildItem -LiteralPath 'Cert:\LocalMachine\My' | Where-Object {
        $eku = @($_.Extensions | Where-Object { $_ -is [System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension] })
        $eku.Count -gt 0 -and @($eku[0].EnhancedKeyUsages | ForEach-Object { $_.Value }) -contains '1.3.6.1.4.1.311.20.2.1' -and $_.GetNameInfo([System.Security.Cryptography.X509Certificates.X509NameType]::SimpleName, $false) -eq $raName -and $_.NotAfter -gt $now
    })
    foreach ($use in @(@('signing', 'DigitalSignature', {{raSigningKeyLength}}), @('encryption', 'KeyEncipherment', {{raEncryptionKeyLength}}))) {
        $match = @($ra | Where-Object {
            $ku = @($_.Extensions | Where-Object { $_ -is [System.Security.Cryptography.X509Certificates.X509KeyUsageExtension] })
            $ku.Count -gt 0 -and ($ku[0].KeyUsages -band [System.Security.Cryptography.X509Certificates.X509KeyUsageFlags]$use[1]) -ne 0
        } | Sort-Object NotAfter -Descending)
        if ($match.Count -eq 0) { Write-Result 'DIFFERS' "no valid $($use[0]) RA certificate named $raName in LocalMachine\My"; continue }
        $bits = $match[0].PublicKey.Key.KeySize
        if ($bits -ne $use[2]) { Write-Result 'DIFFERS' "$($use[0]) RA key : plan $($use[2]) bits, server $bits" }
        else { Write-Result 'ok' "$($use[0]) RA certificate $raName, $bits bits, valid until $($match[0].NotAfter.ToString('yyyy-MM-dd'))" }
    }
} catch {
    Write-Result 'UNCHECKED' "the NDES role: $($_.Exception.Message)"
}
Write-Host '== Step 04: the NDES registry'
Compare-PlanValue $mscep 'SignatureTemplate' {{signatureTemplate}}
Compare-PlanValue $mscep 'EncryptionTemplate' {{encryptionTemplate}}
Compare-PlanValue $mscep 'GeneralPurposeTemplate' {{generalPurposeTemplate}}
Compare-PlanValue "$mscep\EnforcePassword" 'EnforcePassword' {{enforcePassword}}
Compare-PlanValue "$mscep\UseSinglePassword" 'UseSinglePassword' {{useSinglePassword}}
Compare-PlanValue "$mscep\PasswordMax" 'PasswordMax' {{passwordMax}}
Compare-PlanValue "$mscep\PasswordValidity" 'PasswordValidity' {{passwordValidity}}
Compare-PlanValue "$mscep\PasswordLength" 'PasswordLength' {{passwordLength}}
Compare-PlanValue "$mscep\HashAlgorithm" 'HashAlgorithm' {{hashAlgorithm}}
#if caCapabilities
Compare-PlanValue "$mscep\CACapabilitiesAlgorithms" 'CACapabilitiesAlgorithms' {{caCapabilitiesAlgorithms}}
#endif
Compare-PlanValue "$mscep\CAInfo" 'Configuration' {{caConfig}}
foreach ($misplaced in 'EnforcePassword', 'PasswordMax', 'PasswordValidity', 'PasswordLength', 'UseSinglePassword', 'PasswordCacheMax') {
    if ($null -ne (Get-ItemProperty -LiteralPath $mscep -Name $misplaced -ErrorAction SilentlyContinue)) {
        Write-Result 'MISPLACED' "$mscep\$misplaced : a value NDES never reads (it reads the subkey of that name)"
    }
}
Write-Host '== Step 05: IIS and HTTP.sys'
Compare-PlanValue 'HKLM:\SYSTEM\CurrentControlSet\Services\HTTP\Parameters' 'MaxFieldLength' {{maxFieldLength}}
Compare-PlanValue 'HKLM:\SYSTEM\CurrentControlSet\Services\HTTP\Parameters' 'MaxRequestBytes' {{maxRequestBytes}}
try {
    Import-Module WebAdministration
    foreach ($limit in @(@('maxUrl', {{maxUrl}}), @('maxQueryString', {{maxQueryString}}))) {
        $value = (Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'Default Web Site' -Filter 'system.webServer/security/requestFiltering/requestLimits' -Name $limit[0]).Value
        if ($value -ne $limit[1]) { Write-Result 'DIFFERS' "request filtering $($limit[0]) : plan $($limit[1]), server $value" }
        else { Write-Result 'ok' "request filtering $($limit[0]) = $value" }
    }
#if appPoolIdentity
    $poolIdentity = {{appPoolIdentity}}
#else
    $poolIdentity = {{domainNetbios}} + '\' + {{accountName}}
#endif
    $pool = Get-Item -LiteralPath 'IIS:\AppPools\SCEP' -ErrorAction SilentlyContinue
    if ($null -eq $pool) { Write-Result 'DIFFERS' 'SCEP application pool : missing' }
    elseif ([string]$pool.processModel.userName -ne $poolIdentity) { Write-Result 'DIFFERS' "SCEP application pool identity : plan $poolIdentity, server $($pool.processModel.userName)" }
    else { Write-Result 'ok' "SCEP application pool runs as $poolIdentity" }
#if https
    $thumbprint = {{tlsThumbprint}}
    $bound = Get-Item -LiteralPath 'IIS:\SslBindings\0.0.0.0!443' -ErrorAction SilentlyContinue
    if ($null -eq $bound) { Write-Result 'DIFFERS' 'HTTPS on port 443 : no certificate bound' }
    elseif ($bound.Thumbprint -ne $thumbprint) { Write-Result 'DIFFERS' "HTTPS certificate : plan $thumbprint, server $($bound.Thumbprint)" }
    else { Write-Result 'ok' "HTTPS on port 443 with $thumbprint" }
#endif
} catch {
    Write-Result 'UNCHECKED' "IIS: $($_.Exception.Message)"
}
if ($differences -eq 0 -and $unchecked -eq 0) { Write-Host 'The server matches the plan.' }
else { Write-Host "$differences difference(s) from the plan, $unchecked part(s) not checked." }
exit $(if ($differences -ne 0) { 1 } elseif ($unchecked -ne 0) { 2 } else { 0 })
