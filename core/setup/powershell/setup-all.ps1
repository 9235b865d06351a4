## SPDX-License-Identifier: Apache-2.0
## All steps in order, from the folder the scripts were saved to. No plan values.
# Runs the steps in order from this folder; -WhatIf and the transcript pass through.
foreach ($step in '01-service-account.ps1', '02-certificate-template.ps1', '03-ndes-role.ps1', '04-ndes-registry.ps1', '05-iis-httpsys.ps1') {
    Write-Host "== $step"
    & (Join-Path $PSScriptRoot $step) -TranscriptPath $TranscriptPath -WhatIf:$WhatIfPreference
}
Write-Host 'Done. Run verify.ps1 to see what still differs from the plan.'
