// SPDX-License-Identifier: Apache-2.0
// Checks PowerShell with a real parser: tree-sitter-powershell (WebAssembly) through web-tree-sitter.
// Usage: node check.cjs [--forbid-command NAME]... [--allow-command NAME]... [--native-verb NAME=VERB|VERB]...
//                      [--write-command NAME]... [--output-var NAME=PREFIX|PREFIX]... FILE.ps1...
// Prints "FILE: ok", or each ERROR/MISSING node with line:column, or each forbidden command found (a value that
// escaped its quotes would show up as a command). Exit 1 on any finding.
// A read-only script (the audit collector) is held to more: with --allow-command, every command must be on the list
// or defined in the file; --native-verb limits a program to its first arguments (reg.exe=export); a --write-command,
// and a .NET call that writes (WriteAll*, Create*, Delete, Move, Copy, Append*), must name an --output-var as an
// argument, and every assignment to an output variable must start with one of its PREFIXes (Get-CollectorPath).
// Also, because the scripts run under Set-StrictMode -Version Latest, where reading a variable that was never set
// stops the script: every variable read must be assigned, a parameter or a foreach variable somewhere in the file
// (file-wide, not per scope: it finds typos and missing definitions, not ordering mistakes), and every command
// named *-Plan* (the scripts' own helpers) must be defined in the same file.
// V8 would otherwise tier the 1 MB grammar up to optimised code in the background, and exit waits for that: 20 s
// per run instead of 0.3 s. The baseline compiler is plenty for a few scripts.
require('v8').setFlagsFromString('--liftoff-only');
const { Parser, Language } = require('web-tree-sitter');
const fs = require('fs');

(async () => {
  const args = process.argv.slice(2);
  const forbidden = [];
  const files = [];
  const allowed = new Set();
  const nativeVerbs = new Map();
  const writeCommands = new Set();
  const outputVars = new Map();
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--forbid-command') forbidden.push(args[++i].toLowerCase());
    else if (args[i] === '--allow-command') allowed.add(args[++i].toLowerCase());
    else if (args[i] === '--native-verb') {
      const [name, verbs] = args[++i].split('=');
      nativeVerbs.set(name.toLowerCase(), verbs.toLowerCase().split('|'));
    } else if (args[i] === '--write-command') writeCommands.add(args[++i].toLowerCase());
    else if (args[i] === '--output-var') {
      const [name, prefixes] = args[++i].split('=');
      outputVars.set('$' + name.toLowerCase(), prefixes.split('|').map((x) => x.toLowerCase()));
    } else files.push(args[i]);
  }
  const writeMethod = /^(Write|Append|Create|Delete|Move|Copy|Replace|Encrypt|Decrypt|SetAccessControl|Save|Open)/i;
  const namesOutput = (texts) => texts.some((t) => outputVars.has(t.trim().toLowerCase()));
  // The read-only rules, on the whole tree once it is parsed.
  const readOnlyFindings = (root, functions) => {
    const out = [];
    if (!allowed.size && !nativeVerbs.size && !writeCommands.size && !outputVars.size) return out;
    const at = (n) => `${n.startPosition.row + 1}:${n.startPosition.column + 1}`;
    for (const cmd of root.descendantsOfType('command')) {
      const nameNode = cmd.childForFieldName('command_name');
      if (!nameNode) continue;
      const name = nameNode.text.toLowerCase();
      const elementsNode = cmd.childForFieldName('command_elements');
      const elements = elementsNode ? elementsNode.namedChildren.filter((n) => n.type !== 'command_argument_sep').map((n) => n.text) : [];
      if (allowed.size && !allowed.has(name) && !functions.has(name)) out.push(`${at(cmd)}: command ${nameNode.text} is not on the allow-list`);
      if (nativeVerbs.has(name) && !nativeVerbs.get(name).includes((elements[0] || '').toLowerCase()))
        out.push(`${at(cmd)}: ${nameNode.text} ${elements[0] || ''} is not an allowed use of ${nameNode.text}`);
      if (writeCommands.has(name) && !namesOutput(elements)) out.push(`${at(cmd)}: ${nameNode.text} writes to a path that is not an output variable`);
    }
    for (const call of root.descendantsOfType('invokation_expression')) {
      const member = call.descendantsOfType('member_name')[0];
      if (!member || !writeMethod.test(member.text)) continue;
      const argVars = call.descendantsOfType('variable').map((v) => v.text);
      if (!namesOutput(argVars)) out.push(`${at(call)}: .NET ${member.text} writes to a path that is not an output variable`);
    }
    for (const a of root.descendantsOfType('assignment_expression')) {
      const left = a.namedChildren[0];
      const target = left ? left.text.trim().toLowerCase() : '';
      if (!outputVars.has(target)) continue;
      const value = a.childForFieldName('value');
      const text = value ? value.text.trim().toLowerCase() : '';
      if (!outputVars.get(target).some((p) => text.startsWith(p))) out.push(`${at(a)}: ${left.text} is assigned something other than ${outputVars.get(target).join(' or ')}`);
    }
    return out;
  };
  await Parser.init();
  const lang = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(lang);
  // Variables PowerShell sets itself.
  const automatic = new Set(['_', 'psitem', 'true', 'false', 'null', 'args', 'pscmdlet', 'psscriptroot',
    'pscommandpath', 'lastexitcode', 'whatifpreference', 'confirmpreference', 'erroractionpreference',
    'warningpreference', 'verbosepreference', 'debugpreference', 'informationpreference', 'progresspreference',
    'matches', 'input', 'this', 'host', 'psboundparameters', 'psversiontable', 'home', 'pwd', 'myinvocation',
    'error', 'executioncontext', 'pid', 'ofs', 'pssenderinfo']);
  const nameOf = (text) => {
    let v = text.replace(/^[$@]/, '').replace(/^\{(.*)\}$/, '$1').toLowerCase();
    const scope = v.match(/^(script|global|local|private|using):(.*)$/);
    if (scope) v = scope[2];
    return v;
  };
  // Nodes that only wrap an expression: a variable under nothing but these is the value itself, not part of an index
  // ($h[$key] = ...) or a member ($x.Name = ...), which are reads.
  const wrappers = new Set(['logical_expression', 'bitwise_expression', 'comparison_expression', 'additive_expression',
    'multiplicative_expression', 'format_expression', 'range_expression', 'array_literal_expression',
    'unary_expression', 'cast_expression', 'expression_with_unary_operator', 'type_literal', 'parenthesized_expression',
    'pipeline', 'pipeline_chain', ',']);
  // A variable is set where it is the whole target of a plain assignment (not +=, which reads it first), a
  // parameter's own name (not its default value), or a foreach variable. `path` holds its ancestors' types, nearest
  // last; an assignment carries its operator ("assignment_expression =").
  const isDeclaration = (path) => {
    const last = path.length - 1;
    if (last >= 0 && (path[last] === 'script_parameter' || path[last] === 'foreach_statement')) return true;
    for (let i = last; i >= 0; i--) {
      const t = path[i];
      if (t === 'left_assignment_expression') return i > 0 && path[i - 1] === 'assignment_expression =';
      if (!wrappers.has(t)) return false;
    }
    return false;
  };
  let bad = 0;
  for (const f of files) {
    const tree = parser.parse(fs.readFileSync(f, 'utf8').replace(/^\uFEFF/, ''));
    const findings = [];
    const declared = new Set(automatic);
    const used = [];
    const functions = new Set();
    const commands = [];
    // A cursor walk: web-tree-sitter's node.children allocates every child, which made 8 files take 20 s.
    const cursor = tree.walk();
    const path = [];
    const at = (c) => `${c.startPosition.row + 1}:${c.startPosition.column + 1}`;
    for (;;) {
      const type = cursor.nodeType;
      if (type === 'variable') {
        const text = cursor.nodeText;
        const v = nameOf(text);
        if (!v.includes(':')) {
          if (isDeclaration(path)) declared.add(v);
          else used.push([v, text, at(cursor)]);
        }
      } else if (type === 'function_name') {
        functions.add(cursor.nodeText.toLowerCase());
      } else if (type === 'command_name') {
        const text = cursor.nodeText;
        if (/-plan/i.test(text)) commands.push([text, at(cursor)]);
        if (forbidden.includes(text.toLowerCase())) findings.push(`${at(cursor)}: forbidden command ${text}`);
      }
      if (type === 'ERROR' || cursor.nodeIsMissing) {
        findings.push(`${at(cursor)}: ${cursor.nodeIsMissing ? 'missing ' + type : 'syntax error'}: ${cursor.nodeText.slice(0, 60)}`);
      }
      if (cursor.gotoFirstChild()) {
        if (type === 'assignment_expression') {
          const op = cursor.currentNode.parent.children.find((c) => c.type === 'assignement_operator');
          path.push(`assignment_expression ${op ? op.text : '?'}`);
        } else {
          path.push(type);
        }
        continue;
      }
      let done = false;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          done = true;
          break;
        }
        path.pop();
      }
      if (done) break;
    }
    for (const [v, text, where] of used)
      if (!declared.has(v)) findings.push(`${where}: variable ${text} is never set (StrictMode stops there)`);
    for (const [text, where] of commands)
      if (!functions.has(text.toLowerCase())) findings.push(`${where}: command ${text} is not defined in this file`);
    findings.push(...readOnlyFindings(tree.rootNode, functions));
    if (findings.length) {
      bad++;
      for (const x of findings.slice(0, 40)) console.log(`${f}:${x}`);
    } else {
      console.log(`${f}: ok`);
    }
  }
  process.exit(bad ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
