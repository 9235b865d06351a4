## SPDX-License-Identifier: Apache-2.0
## Step 02: the certificate template (created in AD or compared with the plan), its rights, published on the CA.
$templateName = {{templateName}}
$displayName = {{templateDisplayName}}
$baseName = {{baseTemplate}}
$accountName = {{accountName}}
$member = {{domainNetbios}} + '\' + $accountName
$caConfig = {{caConfig}}
#include plan-template.ps1
#include lib-account.ps1
#include lib-template.ps1
#include lib-native.ps1
function ConvertTo-Period([int] $Days) {
    # A template period is a negative count of 100 ns as eight little-endian bytes.
    # The comma keeps it one byte[]: PowerShell would otherwise return eight separate bytes.
    return ,([System.BitConverter]::GetBytes([long](-1 * [long]$Days * 864000000000)))
}
$transcribing = $false
try {
    # A transcript under -WhatIf too; only the one started here is stopped.
    Start-Transcript -Path $TranscriptPath -Append -WhatIf:$false -Confirm:$false | Out-Null
    $transcribing = $true
    $configNC = ([ADSI]'LDAP://RootDSE').configurationNamingContext
    $pks = "CN=Public Key Services,CN=Services,$configNC"
    $container = [ADSI]("LDAP://CN=Certificate Templates,$pks")
    $template = Find-PlanTemplate $container $templateName
    if ($null -ne $template) {
        $existingName = [string]$template.Properties['cn'].Value
        if ($existingName -cne $templateName) { throw "A template named $existingName exists. AD ignores the case of names, NDES and the CA do not: use $existingName in the plan (template and registry) or another name." }
        # An existing template is not changed: certificates already issued from it, and other CAs using it, depend on it.
        $differences = Get-PlanTemplateDifferences $template $planTemplate
        if ($differences.Count -eq 0) {
            Write-Host "Template $templateName exists and is as planned"
        } else {
            foreach ($difference in $differences) { Write-Warning "Template $templateName differs from the plan: $difference" }
            Write-Warning "Template $templateName exists and is left as it is: change it in certtmpl.msc, or give the plan a new template name."
        }
    } elseif ($PSCmdlet.ShouldProcess($templateName, "create the template from $baseName")) {
        $base = Find-PlanTemplate $container $baseName -OrDisplayName
        if ($null -eq $base) { throw "Base template $baseName not found (by name or display name) in $($container.Path)." }
        # A new template OID under the forest's own arc, registered in the OID container.
        $oidContainer = [ADSI]("LDAP://CN=OID,$pks")
        $forestArc = [string]$oidContainer.Properties['msPKI-Cert-Template-OID'].Value
        $oid = $forestArc + '.' + (Get-Random -Minimum 1000000 -Maximum 99999999) + '.' + (Get-Random -Minimum 1000000 -Maximum 99999999)
        $oidObject = $oidContainer.Create('msPKI-Enterprise-Oid', 'CN=' + (Get-Random -Minimum 1000000 -Maximum 99999999) + '.' + ([guid]::NewGuid().ToString('N').ToUpperInvariant()))
        $oidObject.Put('flags', 1)
        $oidObject.Put('displayName', $displayName)
        $oidObject.Put('msPKI-Cert-Template-OID', $oid)
        $oidObject.SetInfo()
        # Nothing is left behind if the template cannot be written: the OID object goes again.
        try {
            $template = $container.Create('pKICertificateTemplate', "CN=$templateName")
            # From the base: what the plan does not decide.
            foreach ($attribute in 'flags', 'pKIMaxIssuingDepth', 'pKICriticalExtensions', 'msPKI-RA-Signature', 'msPKI-Enrollment-Flag') {
                $value = $base.Properties[$attribute].Value
                if ($null -ne $value) { $template.Put($attribute, $value) }
            }
            # From the plan.
            $template.Put('displayName', $displayName)
            $template.Put('revision', 100)
            $template.Put('msPKI-Template-Schema-Version', 2)
            $template.Put('msPKI-Template-Minor-Revision', 0)
            $template.Put('msPKI-Cert-Template-OID', $oid)
            $template.Put('pKIExpirationPeriod', [byte[]](ConvertTo-Period {{validityDays}}))
            $template.Put('pKIOverlapPeriod', [byte[]](ConvertTo-Period {{renewalDays}}))
            $template.Put('msPKI-Minimal-Key-Size', {{minimumKeySize}})
            $template.Put('pKIDefaultKeySpec', {{keySpec}})
            $template.Put('pKIKeyUsage', [byte[]]({{keyUsageByte}}, 0x00))
            $template.Put('pKIDefaultCSPs', @({{templateCsp}}))
            $template.PutEx(2, 'pKIExtendedKeyUsage', $ekus)
            $template.PutEx(2, 'msPKI-Certificate-Application-Policy', $ekus)
            # 0x1: the subject comes with the request (the CA then takes the request's SAN too); 0x10000 tells clients to send a SAN. 0x10 = exportable key.
            $template.Put('msPKI-Certificate-Name-Flag', {{nameFlag}})
            $template.Put('msPKI-Private-Key-Flag', {{privateKeyFlag}})
            $template.SetInfo()
        } catch {
            $oidObject.DeleteTree()
            throw
        }
        Write-Host "Created template $templateName ($oid) from $baseName"
    } else {
        $template = $null
    }
    # Read and Enroll for the service account, nothing more (a group it is in counts too).
    $account = Get-PlanAccount $accountName
    if ($null -eq $template) {
        Write-Host 'The template does not exist yet (-WhatIf): its rights are checked once it does.'
    } elseif ($null -eq $account) {
        Write-Warning "$member does not exist yet: run step 01, then this step again for Read and Enroll."
    } else {
        $rights = Get-PlanTemplateRights $template (Get-PlanAccountSids $account)
        $sid = Get-PlanAccountSid $account
        if ($rights.Denied) { Write-Warning "A Deny entry on template $templateName takes Enroll from $member or a group it is in: remove it in certtmpl.msc > Security." }
        $grant = @()
        if (-not $rights.Read) { $grant += 'Read' }
        if (-not $rights.Enroll) { $grant += 'Enroll' }
        if ($grant.Count -gt 0 -and $PSCmdlet.ShouldProcess($templateName, "allow $($grant -join ' and ') for $member")) {
            if (-not $rights.Read) { $template.ObjectSecurity.AddAccessRule((New-Object System.DirectoryServices.ActiveDirectoryAccessRule($sid, 'GenericRead', 'Allow'))) }
            if (-not $rights.Enroll) { $template.ObjectSecurity.AddAccessRule((New-Object System.DirectoryServices.ActiveDirectoryAccessRule($sid, 'ExtendedRight', 'Allow', [guid]'0e10c968-78fb-11d2-90d4-00c04f79dc55'))) }
            $template.CommitChanges()
            Write-Host "Allowed $($grant -join ' and ') on template $templateName for $member"
        }
    }
    # Published on the CA, or NDES gets "template not available" (event 31).
    $list = Invoke-PlanNative 'certutil.exe' @('-config', $caConfig, '-CATemplates')
    if ($list.ExitCode -ne 0) { throw "certutil -CATemplates failed ($($list.ExitCode)) for $caConfig : $($list.Output -join ' ')" }
    $published = @($list.Output | Where-Object { $_ -cmatch ('^' + [regex]::Escape($templateName) + ':') })
    if ($published.Count -eq 0 -and $PSCmdlet.ShouldProcess($caConfig, "publish template $templateName")) {
        # The CA reads templates from its domain controller: one created a moment ago may not be there yet.
        $attempt = 0
        while ($true) {
            $attempt++
            $set = Invoke-PlanNative 'certutil.exe' @('-config', $caConfig, '-SetCATemplates', ('+' + $templateName))
            if ($set.ExitCode -eq 0) { break }
            if ($attempt -ge 6) { throw "certutil -SetCATemplates failed ($($set.ExitCode)): publish $templateName on the CA by hand (certsrv.msc). $($set.Output -join ' ')" }
            Write-Host "The CA does not see $templateName yet (AD replication); trying again in 20 s ($attempt of 6)"
            Start-Sleep -Seconds 20
        }
        Write-Host "Published $templateName on $caConfig"
    }
} finally {
    if ($transcribing) { Stop-Transcript | Out-Null }
}
