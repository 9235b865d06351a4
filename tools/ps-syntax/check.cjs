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
  const writeCommands = new Map(); // command -> the parameter that names what it writes ('*': any argument)
  const writeNatives = new Map(); // native program -> verbs that write
  const outputVars = new Map();
  const allowedMethods = new Set();
  const allowedTypes = new Set();
  const allowedModules = new Set();
  for (let i = 0; i < args.length; i++) {
    const next = () => args[++i];
    if (args[i] === '--forbid-command') forbidden.push(next().toLowerCase());
    else if (args[i] === '--allow-command') allowed.add(next().toLowerCase());
    else if (args[i] === '--allow-method') allowedMethods.add(next().toLowerCase());
    else if (args[i] === '--allow-type') allowedTypes.add(next().toLowerCase());
    else if (args[i] === '--allow-module') allowedModules.add(next().toLowerCase());
    else if (args[i] === '--native-verb') {
      const [name, verbs] = next().split('=');
      nativeVerbs.set(name.toLowerCase(), verbs.toLowerCase().split('|'));
    } else if (args[i] === '--write-native') {
      const [name, verbs] = next().split('=');
      writeNatives.set(name.toLowerCase(), verbs.toLowerCase().split('|'));
    } else if (args[i] === '--write-command') {
      const [name, param] = next().split('=');
      writeCommands.set(name.toLowerCase(), (param || '*').toLowerCase());
    } else if (args[i] === '--output-var') {
      const [name, prefixes] = next().split('=');
      outputVars.set(name.toLowerCase(), prefixes.split('|').map((x) => x.toLowerCase()));
    } else files.push(args[i]);
  }
  const readOnly = allowed.size || nativeVerbs.size || writeCommands.size || outputVars.size || allowedMethods.size;
  // (String.Replace is allowed by name, so File.Replace is not told apart: the method allow-list is the guard there.)
  const writeMethod = /^(Write|Append|Create|Delete|Move|Copy|Encrypt|Decrypt|SetAccessControl|Save|Open)/i;
  const varName = (text) => {
    let v = text.trim().replace(/^[$@]/, '').replace(/^\{(.*)\}$/, '$1').toLowerCase();
    const scope = v.match(/^(script|global|local|private|using):(.*)$/);
    return scope ? scope[2] : v;
  };
  const isOutput = (text) => /^[$]/.test(text.trim()) && outputVars.has(varName(text));
  // The read-only rules, on the whole tree once it is parsed (deny by default).
  const readOnlyFindings = (root, functions) => {
    const out = [];
    if (!readOnly) return out;
    const at = (n) => `${n.startPosition.row + 1}:${n.startPosition.column + 1}`;
    for (const r of root.descendantsOfType('redirection')) {
      if (r.children.some((c) => c.type === 'file_redirection_operator') && !/\$null\s*$/i.test(r.text))
        out.push(`${at(r)}: redirection ${r.text} writes a file`);
    }
    for (const cmd of root.descendantsOfType('command')) {
      const nameNode = cmd.childForFieldName('command_name');
      if (!nameNode) continue;
      const name = nameNode.text.toLowerCase();
      const elementsNode = cmd.childForFieldName('command_elements');
      const elements = elementsNode ? elementsNode.namedChildren.filter((n) => n.type !== 'command_argument_sep') : [];
      const texts = elements.map((n) => n.text);
      const positional = elements.filter((n) => n.type !== 'command_parameter');
      const paramValue = (param) => {
        const i = elements.findIndex((n) => n.type === 'command_parameter' && n.text.toLowerCase() === '-' + param);
        return i >= 0 && i + 1 < elements.length ? elements[i + 1].text : null;
      };
      if (allowed.size && !allowed.has(name) && !functions.has(name)) out.push(`${at(cmd)}: command ${nameNode.text} is not on the allow-list`);
      if (nativeVerbs.has(name) && !nativeVerbs.get(name).includes((texts[0] || '').toLowerCase()))
        out.push(`${at(cmd)}: ${nameNode.text} ${texts[0] || ''} is not an allowed use of ${nameNode.text}`);
      if (writeNatives.has(name) && writeNatives.get(name).includes((texts[0] || '').toLowerCase()) && !texts.some(isOutput))
        out.push(`${at(cmd)}: ${nameNode.text} writes to a path that is not an output variable`);
      if (writeCommands.has(name)) {
        const param = writeCommands.get(name);
        const target = param === '*' ? (texts.find(isOutput) || null) : paramValue(param);
        if (!target || !isOutput(target)) out.push(`${at(cmd)}: ${nameNode.text} writes to a path that is not an output variable`);
      }
      if (name === 'foreach-object' || name === '%') {
        if (elements.some((n) => n.type === 'command_parameter' && /^-m/i.test(n.text)) || !positional.length || positional[0].type !== 'script_block_expression' && !positional[0].text.startsWith('{'))
          out.push(`${at(cmd)}: ForEach-Object runs only a script block here`);
      }
      if (name === 'new-object' && readOnly) {
        if (elements.some((n) => n.type === 'command_parameter' && /^-com/i.test(n.text))) out.push(`${at(cmd)}: New-Object -ComObject is not allowed`);
        const type = (paramValue('typename') || (positional[0] ? positional[0].text : '')).toLowerCase();
        if (!allowedTypes.has(type)) out.push(`${at(cmd)}: New-Object ${type} is not an allowed type`);
      }
      if (name === 'import-module' && !allowedModules.has((positional[0] ? positional[0].text : '').toLowerCase()))
        out.push(`${at(cmd)}: Import-Module ${positional[0] ? positional[0].text : ''} is not an allowed module`);
    }
    for (const call of root.descendantsOfType('invokation_expression')) {
      const member = call.children.find((c) => c.type === 'member_name');
      if (!member) continue;
      const m = member.text.toLowerCase();
      if (allowedMethods.size && !allowedMethods.has(m)) out.push(`${at(call)}: .NET method ${member.text} is not on the allow-list`);
      if (writeMethod.test(member.text)) {
        const list = call.descendantsOfType('argument_expression');
        const first = list.length ? list[0].text : '';
        if (!isOutput(first)) out.push(`${at(call)}: .NET ${member.text} writes to a path that is not an output variable`);
      }
    }
    for (const a of root.descendantsOfType('assignment_expression')) {
      const left = a.namedChildren[0];
      if (!left || !outputVars.has(varName(left.text))) continue;
      const value = a.childForFieldName('value');
      const text = value ? value.text.trim().toLowerCase() : '';
      const starts = (p) => text.startsWith(p) && (text.length === p.length || /[\s(]/.test(text[p.length]));
      if (!outputVars.get(varName(left.text)).some(starts)) out.push(`${at(a)}: ${left.text} is assigned something other than ${outputVars.get(varName(left.text)).join(' or ')}`);
    }
    for (const t of ['foreach_statement', 'script_parameter']) {
      for (const n of root.descendantsOfType(t)) {
        const v = n.descendantsOfType('variable')[0];
        if (v && outputVars.has(varName(v.text)) && !(t === 'script_parameter' && outputVars.get(varName(v.text)).includes('(parameter)')))
          out.push(`${at(n)}: the output variable ${v.text} is declared here, not assigned from its function`);
      }
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
      for (const x of findings.slice(0, 200)) console.log(`${f}:${x}`);
    } else {
      console.log(`${f}: ok`);
    }
  }
  process.exit(bad ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
