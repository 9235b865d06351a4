## SPDX-License-Identifier: Apache-2.0
## Native programs (reg.exe, certutil.exe) with 'Continue' inside: Windows PowerShell 5.1 turns their
## stderr into stopping errors under 'Stop' (redirected, in the ISE, over remoting). The exit code decides instead.
function Invoke-PlanNative([string] $FilePath, [string[]] $Arguments) {
    $ErrorActionPreference = 'Continue'
    $output = @(& $FilePath @Arguments 2>&1 | ForEach-Object { "$_" })
    return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
}
