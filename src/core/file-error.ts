/**
 * Why a file operation failed, without the path: Node's messages end with the path
 * (`ENOENT: no such file or directory, stat '/x'`), and a caller that names the file itself
 * would otherwise say it twice. Any other error gives its message as it is.
 */
export function fileErrorReason(error: unknown): string {
  const { code, message, path } = error as NodeJS.ErrnoException;
  if (typeof code === 'string' && typeof path === 'string') {
    const reason = new RegExp(`^${code}: (.*?), \\w+ '`).exec(message)?.[1];
    if (reason !== undefined) return `${reason} (${code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
