## SPDX-License-Identifier: Apache-2.0
## The top of every script. Values named *Text are comment text, not PowerShell: the title and where to run it
## (from ScriptWriter), the plan's host and CA on one line each. changes: every script but verify.ps1.
#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    NDES Console setup plan: {{titleText}}
.DESCRIPTION
    Generated {{generatedAtText}} from the plan for {{ndesHostText}} (CA {{caConfigText}}).
    Run on {{runOnText}} in an elevated PowerShell.
#if changes
    It checks each setting before changing it: running it again changes nothing.
    -WhatIf shows what it would change. A transcript goes to -TranscriptPath.
#else
    Read-only: it prints what differs from the plan and changes nothing. Exit code 0: as planned; 1: differences; 2: some parts could not be checked (said which).
#endif
#>
#if changes
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string] $TranscriptPath = (Join-Path $env:TEMP ('ndes-setup-' + (Get-Date -Format 'yyyyMMdd-HHmmss') + '.log'))
)
#else
[CmdletBinding()]
param()
#endif
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

