/**
 * Whether process `pid` of this machine runs, as any user (EPERM: it runs, as another): how a
 * lock or a lease left by a process killed with `kill -9` is told from one still held.
 */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
