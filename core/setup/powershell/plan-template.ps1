## SPDX-License-Identifier: Apache-2.0
## The plan's template as Get-PlanTemplateDifferences compares it (steps 02 and verify.ps1).
$ekus = {{ekus}}
$planTemplate = [ordered]@{
    'display name'                           = {{templateDisplayName}}
    'validity (days)'                        = {{validityDays}}
    'renewal period (days)'                  = {{renewalDays}}
    'minimum key size'                       = {{minimumKeySize}}
    'key usage'                              = {{keyUsage}}
    'key spec'                               = {{keySpec}}
    'EKUs'                                   = (@($ekus | Sort-Object) -join ', ')
    'subject and SAN from the request flags' = {{nameFlag}}
    'exportable key flag'                    = {{privateKeyFlag}}
    'provider'                               = {{templateProvider}}
}
