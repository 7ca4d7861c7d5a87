/**
 * Every string the public API takes, read from the types (the TypeScript compiler over lib/index.ts): the
 * properties of exported props interfaces (and of the interfaces they reach, the library's own and those of
 * cdk8s and cdk8s-plus they embed), the parameters of exported classes' constructors, methods and static
 * factories, and of exported functions. Each input is named by where it is declared, so a type alias such as
 * `PlatformAgentProps` (an `Omit` of `GpuAgentDeploymentProps`) adds no second name:
 *
 * - `GpuAgentDeploymentProps.serviceName`, `GpuRequest.nodeLabelKey`, `ChartProps.labels`: a property;
 * - `EnvValue.fromSecret(key)`, `AiAgentPlatform.addTenant(id)`: a parameter;
 * - `GpuType.custom(props).nodeLabelValue`: a property of an inline type;
 * - `...labels{key}` and `...labels{}`: the keys and the values of a `Record<string, string>`;
 * - `...[]`: the items of a list; `...()`: what a callback returns.
 *
 * String literal unions (`'ReadWriteOnce' | ...`) and enums are closed sets the compiler checks: not inputs.
 * The formats (lib/nginx, lib/prometheus, lib/grafana, lib/docker) render no Kubernetes field by themselves:
 * where a feature takes one of their types, the feature's input is listed with the type's name
 * (`GatewayRouteOptions.extraDirectives`), and the format is not walked.
 */
import * as path from 'path';
import * as ts from 'typescript';

const REPO = path.resolve(__dirname, '..', '..');
const FORMATS = /[\\/]lib[\\/](nginx|prometheus|grafana|docker)[\\/]/;

/** Every string input of the public API, sorted. */
export function publicStringInputs(): string[] {
  const config = ts.readConfigFile(path.join(REPO, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO);
  const program = ts.createProgram([path.join(REPO, 'lib', 'index.ts')], parsed.options);
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(REPO, 'lib', 'index.ts'))!;
  const found = new Set<string>();
  const walked = new Set<string>();

  const fileOf = (symbol: ts.Symbol | undefined) => symbol?.declarations?.[0]?.getSourceFile().fileName ?? '';
  const isInternal = (node: ts.Node) => ts.getJSDocTags(node).some((t) => t.tagName.text === 'internal');
  const isFormat = (symbol: ts.Symbol | undefined) => FORMATS.test(fileOf(symbol));
  const isExternal = (symbol: ts.Symbol | undefined) => fileOf(symbol).includes('node_modules');

  function walkType(type: ts.Type, at: string): void {
    const t = checker.getNonNullableType(type);
    if (t.isUnion()) {
      t.types.forEach((member) => walkType(member, at));
      return;
    }
    if (t.flags & ts.TypeFlags.String || t.flags & ts.TypeFlags.TemplateLiteral) {
      found.add(at);
      return;
    }
    if (!(t.flags & ts.TypeFlags.Object)) return;
    if (checker.isArrayType(t) || checker.isTupleType(t)) {
      checker.getTypeArguments(t as ts.TypeReference).forEach((item) => walkType(item, `${at}[]`));
      return;
    }
    const calls = t.getCallSignatures();
    if (calls.length && t.getProperties().length === 0) {
      calls.forEach((c) => walkType(c.getReturnType(), `${at}()`));
      return;
    }
    const symbol = t.aliasSymbol ?? t.getSymbol();
    if (isFormat(symbol)) {
      found.add(`${at}: ${checker.typeToString(t)}`);
      return;
    }
    // A class (the library's value classes, cdk8s's Duration, Size, Cpu): its inputs are its factories.
    if (symbol && symbol.flags & ts.SymbolFlags.Class) return;
    const stringIndex = t.getStringIndexType();
    if (stringIndex) {
      found.add(`${at}{key}`);
      walkType(stringIndex, `${at}{}`);
    }
    walkProperties(t, at);
  }

  function walkProperties(type: ts.Type, at: string): void {
    for (const prop of type.getProperties()) {
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      // A construct's `node` (constructs' Node) is the tree, not an input.
      const isNode = prop.name === 'node' && decl?.getSourceFile().fileName.includes('node_modules');
      if (!decl || isInternal(decl) || isNode) continue;
      if (ts.isMethodSignature(decl) || ts.isMethodDeclaration(decl)) continue;
      const owner = ts.isInterfaceDeclaration(decl.parent) ? decl.parent.name.text : at;
      const id = `${owner}.${prop.name}`;
      if (walked.has(id)) continue;
      walked.add(id);
      walkType(checker.getTypeOfSymbolAtLocation(prop, decl), id);
    }
  }

  function walkSignature(signature: ts.Signature, at: string): void {
    for (const param of signature.getParameters()) {
      const decl = param.valueDeclaration!;
      walkType(checker.getTypeOfSymbolAtLocation(param, decl), `${at}(${param.name})`);
    }
  }

  function walkClass(symbol: ts.Symbol): void {
    const decl = symbol.declarations!.find(ts.isClassDeclaration)!;
    const name = symbol.name;
    const classType = checker.getTypeOfSymbolAtLocation(symbol, decl);
    const ctor = decl.members.find(ts.isConstructorDeclaration);
    const ctorPublic = ctor && !ctor.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword
      || m.kind === ts.SyntaxKind.ProtectedKeyword) && !isInternal(ctor);
    if (ctorPublic) classType.getConstructSignatures().forEach((s) => walkSignature(s, `new ${name}`));
    for (const member of decl.members) {
      if (!ts.isMethodDeclaration(member) || !member.name || isInternal(member)) continue;
      if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword
        || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
      const methodName = member.name.getText();
      const isStatic = member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
      const owner = isStatic ? classType : checker.getDeclaredTypeOfSymbol(symbol);
      const method = owner.getProperty(methodName);
      if (!method) continue;
      checker.getTypeOfSymbolAtLocation(method, member).getCallSignatures()
        .forEach((s) => walkSignature(s, `${name}.${methodName}`));
    }
  }

  const moduleSymbol = checker.getSymbolAtLocation(index)!;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (isFormat(symbol) || isExternal(symbol)) continue;
    const decl = symbol.declarations?.[0];
    if (!decl || isInternal(decl)) continue;
    const flags = symbol.flags;
    if (flags & ts.SymbolFlags.Class) walkClass(symbol);
    if (flags & ts.SymbolFlags.Interface) walkProperties(checker.getDeclaredTypeOfSymbol(symbol), symbol.name);
    if (flags & ts.SymbolFlags.TypeAlias) walkType(checker.getDeclaredTypeOfSymbol(symbol), symbol.name);
    if (flags & ts.SymbolFlags.Function) {
      checker.getTypeOfSymbolAtLocation(symbol, decl).getCallSignatures()
        .forEach((s) => walkSignature(s, symbol.name));
    }
  }
  return [...found].sort();
}
