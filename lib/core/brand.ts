/**
 * Symbol brands: how the library recognises its own classes without `instanceof`, so that two copies of
 * the package (a user's and a dependency's) still recognise each other's objects, as constructs'
 * `Construct.isConstruct` does. The brand is `Symbol.for('cdk8s-ai-agent-platform.<Class>')`, a global
 * symbol every copy shares, set once on the class's prototype (subclasses inherit it).
 */

/** The global symbol of a class's brand. */
export function brandSymbol(className: string): symbol {
  return Symbol.for(`cdk8s-ai-agent-platform.${className}`);
}

/** Brands every instance of `cls` (and of its subclasses) as `className`. */
export function brand(cls: { readonly prototype: object }, className: string): void {
  Object.defineProperty(cls.prototype, brandSymbol(className), { value: true });
}

/** True when `x` carries the brand of `className`, whichever copy of the package made it. */
export function hasBrand(x: unknown, className: string): boolean {
  return x !== null && (typeof x === 'object' || typeof x === 'function')
    && (x as Record<symbol, unknown>)[brandSymbol(className)] === true;
}
