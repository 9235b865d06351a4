#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: step 02, the certificate template (created in AD, Read and Enroll for the service account, published on the CA)
.DESCRIPTION
    Generated 2026-11-25T09:00:00Z from the plan for scep.contoso.test (CA pki-ca.contoso.test\Contoso Issuing CA).
    Run on a domain-joined server with AD write rights on the configuration partition in an elevated PowerShell.
    It checks each setting before changing it: running it again changes nothing.
    -WhatIf shows what it would change. A transcript goes to -TranscriptPath.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string] $TranscriptPath = (Join-Path $env:TEMP ('ndes-setup-' + (Get-Date -Format 'yyyyMMdd-HHmmss') + '.log'))
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$name = 'Intune-SCEP-User'
$displayName = 'Intune SCEP User'
$baseName = 'Computer'
$account = 'CONTOSO' + '\' + 'svc-intune-ndes'
$caConfig = 'pki-ca.contoso.test\Contoso Issuing CA'
$ekus = @('1.3.6.1.5.5.7.3.2')
function ConvertTo-Period([int] $Days) {
    # A template period is a negative count of 100 ns as eight little-endian bytes.
    return [System.BitConverter]::GetBytes([long](-1 * [long]$Days * 864000000000))
}
Start-Transcript -Path $TranscriptPath -Append | Out-Null
try {
    $configNC = ([ADSI]'LDAP://RootDSE').configurationNamingContext
    $pks = "CN=Public Key Services,CN=Services,$configNC"
    $container = [ADSI]("LDAP://CN=Certificate Templates,$pks")
    $existing = $container.Children | Where-Object { $_.Properties['cn'].Value -ceq $name }
    if ($null -ne $existing) {
        Write-Host "Template $name exists: left as it is (compare it with the plan in certtmpl.msc)."
    } elseif ($PSCmdlet.ShouldProcess($name, "create the template from $baseName")) {
        $base = $container.Children | Where-Object { $_.Properties['cn'].Value -ceq $baseName }
        if ($null -eq $base) { throw "Base template $baseName not found." }
        # A new template OID under the forest's own arc, registered in the OID container.
        $oidContainer = [ADSI]("LDAP://CN=OID,$pks")
        $forestArc = [string]$oidContainer.Properties['msPKI-Cert-Template-OID'].Value
        $oid = $forestArc + '.' + (Get-Random -Minimum 1000000 -Maximum 99999999) + '.' + (Get-Random -Minimum 1000000 -Maximum 99999999)
        $oidObject = $oidContainer.Create('msPKI-Enterprise-Oid', 'CN=' + (Get-Random -Minimum 1000000 -Maximum 99999999) + '.' + ([guid]::NewGuid().ToString('N').ToUpperInvariant()))
        $oidObject.Put('flags', 1)
        $oidObject.Put('displayName', $displayName)
        $oidObject.Put('msPKI-Cert-Template-OID', $oid)
        $oidObject.SetInfo()
        $template = $container.Create('pKICertificateTemplate', "CN=$name")
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
        $template.Put('pKIExpirationPeriod', (ConvertTo-Period 730))
        $template.Put('pKIOverlapPeriod', (ConvertTo-Period 60))
        $template.Put('msPKI-Minimal-Key-Size', 2048)
        $template.Put('pKIDefaultKeySpec', 2)
        $template.Put('pKIKeyUsage', [byte[]](0x80, 0x00))
        $template.Put('pKIDefaultCSPs', @('1,Microsoft Strong Cryptographic Provider'))
        $template.PutEx(2, 'pKIExtendedKeyUsage', $ekus)
        $template.PutEx(2, 'msPKI-Certificate-Application-Policy', $ekus)
        # 1 = the subject comes with the request (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT); 0x10 = exportable key.
        $template.Put('msPKI-Certificate-Name-Flag', 1)
        $template.Put('msPKI-Private-Key-Flag', 0)
        $template.SetInfo()
        # Read and Enroll for the service account, nothing more.
        $sid = (New-Object System.Security.Principal.NTAccount($account)).Translate([System.Security.Principal.SecurityIdentifier])
        $enroll = [guid]'0e10c968-78fb-11d2-90d4-00c04f79dc55'
        $template.ObjectSecurity.AddAccessRule((New-Object System.DirectoryServices.ActiveDirectoryAccessRule($sid, 'GenericRead', 'Allow')))
        $template.ObjectSecurity.AddAccessRule((New-Object System.DirectoryServices.ActiveDirectoryAccessRule($sid, 'ExtendedRight', 'Allow', $enroll)))
        $template.CommitChanges()
        Write-Host "Created template $name ($oid) with Read and Enroll for $account"
    }
    # Published on the CA, or NDES gets "template not available" (event 31).
    $published = & certutil.exe -config $caConfig -CATemplates 2>$null | Where-Object { $_ -match ('^' + [regex]::Escape($name) + ':') }
    if ($null -eq $published) {
        if ($PSCmdlet.ShouldProcess($caConfig, "publish template $name")) {
            & certutil.exe -config $caConfig -SetCATemplates ('+' + $name) | Out-Null
            if ($LASTEXITCODE -ne 0) { throw "certutil -SetCATemplates failed ($LASTEXITCODE): publish $name on the CA by hand (certsrv.msc)." }
            Write-Host "Published $name on $caConfig"
        }
    }
} finally {
    Stop-Transcript | Out-Null
}
