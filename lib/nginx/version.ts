/**
 * An nginx version (`1.27.3`). Compares numerically; `1.25` means `1.25.0`.
 */
export class NginxVersion {
  /** The oldest version the feature table knows about; older versions are rejected. */
  public static readonly OLDEST_SUPPORTED = new NginxVersion(1, 18, 0);
  /** Debian 12's nginx, the default for configs rendered for VMs. */
  public static readonly DEBIAN_12 = new NginxVersion(1, 22, 1);

  /**
   * Parses `1.27.3` (or `1.27`); fails on anything else.
   * @param text the version
   */
  public static parse(text: string): NginxVersion {
    const version = NginxVersion.tryParse(text);
    if (!version) throw new Error(`NginxVersion: "${text}" is not an nginx version (major.minor[.patch], e.g. 1.27.3)`);
    return version;
  }

  /** Parses `1.27.3` or `1.27`, or returns undefined. */
  public static tryParse(text: string): NginxVersion | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/.exec(text);
    if (!match) return undefined;
    return new NginxVersion(Number(match[1]), Number(match[2]), Number(match[3] ?? 0));
  }

  /**
   * The version in a container image tag: `nginxinc/nginx-unprivileged:1.28.0-alpine` is 1.28.0.
   * Undefined when the tag names no version.
   */
  public static fromImage(image: string): NginxVersion | undefined {
    const tag = image.slice(image.lastIndexOf('/') + 1).split('@')[0].split(':')[1];
    const match = tag === undefined ? null : /^(\d{1,3}\.\d{1,3}(?:\.\d{1,3})?)(?:-|$)/.exec(tag);
    return match ? NginxVersion.parse(match[1]) : undefined;
  }

  private constructor(
    /** Major version (1). */
    public readonly major: number,
    /** Minor version (27; odd is mainline, even stable). */
    public readonly minor: number,
    /** Patch version. */
    public readonly patch: number,
  ) {}

  /** True when this version is `other` or newer. */
  public atLeast(other: NginxVersion | string): boolean {
    const o = typeof other === 'string' ? NginxVersion.parse(other) : other;
    if (this.major !== o.major) return this.major > o.major;
    if (this.minor !== o.minor) return this.minor > o.minor;
    return this.patch >= o.patch;
  }

  /** `major.minor.patch`, e.g. `1.22.1`. */
  public toString(): string {
    return `${this.major}.${this.minor}.${this.patch}`;
  }
}
