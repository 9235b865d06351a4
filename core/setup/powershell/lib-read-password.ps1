## SPDX-License-Identifier: Apache-2.0
## A password typed twice, compared, never shown.
function Read-PlanPassword([string] $Prompt) {
    while ($true) {
        $first = Read-Host -AsSecureString -Prompt $Prompt
        $second = Read-Host -AsSecureString -Prompt 'The same password again'
        $same = [System.Net.NetworkCredential]::new('', $first).Password -ceq [System.Net.NetworkCredential]::new('', $second).Password
        if ($same -and $first.Length -gt 0) { return $first }
        Write-Warning 'The two entries differ or are empty; type it again.'
    }
}
