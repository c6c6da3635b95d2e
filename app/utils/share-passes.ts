/**
 * Lets concurrent callers share passes of `work(key)`: a caller joins the
 * pass of its key that has not read the database yet (it calls `closed()`
 * once it has taken its snapshot, under the week's lock), or starts one. So
 * N jobs of one week cost a few passes, not N, and at most one pass per key
 * waits on the database lock while another holds it; the waiting pass has
 * already done its work that needs no lock. A failed pass fails every caller
 * that shared it (BullMQ retries them).
 */
export function sharePasses<T>(work: (key: string, closed: () => void) => Promise<T>): (key: string) => Promise<T> {
  const open = new Map<string, Promise<T>>();
  return (key) => {
    const joinable = open.get(key);
    if (joinable) return joinable;
    const pass: Promise<T> = Promise.resolve().then(() => work(key, close));
    function close() {
      if (open.get(key) === pass) open.delete(key);
    }
    open.set(key, pass);
    void pass.then(close, close);
    return pass;
  };
}
