## SPDX-License-Identifier: Apache-2.0
## Set-PlanValue: sets a registry value only where it differs, says what it did, and returns whether it
## changed it (or, under -WhatIf, would have).
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
