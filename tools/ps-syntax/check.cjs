// SPDX-License-Identifier: Apache-2.0
// Checks PowerShell with a real parser: tree-sitter-powershell (WebAssembly) through web-tree-sitter.
// Usage: node check.cjs [--forbid-command NAME]... FILE.ps1...
// Prints "FILE: ok", or each ERROR/MISSING node with line:column, or each forbidden command found (a value that
// escaped its quotes would show up as a command). Exit 1 on any finding.
const { Parser, Language } = require('web-tree-sitter');
const fs = require('fs');

(async () => {
  const args = process.argv.slice(2);
  const forbidden = [];
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--forbid-command') forbidden.push(args[++i].toLowerCase());
    else files.push(args[i]);
  }
  await Parser.init();
  const lang = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(lang);
  let bad = 0;
  for (const f of files) {
    const tree = parser.parse(fs.readFileSync(f, 'utf8').replace(/^\uFEFF/, ''));
    const findings = [];
    const walk = (n) => {
      if (n.type === 'ERROR' || n.isMissing) {
        findings.push(`${n.startPosition.row + 1}:${n.startPosition.column + 1}: ${n.isMissing ? 'missing ' + n.type : 'syntax error'}: ${n.text.slice(0, 60)}`);
      } else if (n.type === 'command_name' && forbidden.includes(n.text.toLowerCase())) {
        findings.push(`${n.startPosition.row + 1}:${n.startPosition.column + 1}: forbidden command ${n.text}`);
      }
      for (const c of n.children) walk(c);
    };
    walk(tree.rootNode);
    if (findings.length) {
      bad++;
      for (const x of findings.slice(0, 10)) console.log(`${f}:${x}`);
    } else {
      console.log(`${f}: ok`);
    }
  }
  process.exit(bad ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
