/** Types for scripts/postinstall.js (plain JavaScript so it runs on any Node before the project's Node 22). */
export function edrPackage(platform?: NodeJS.Platform, arch?: string, glibc?: boolean): string;
