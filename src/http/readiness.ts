/** Whether this instance should get traffic: false while it drains for shutdown. Checks that need I/O live elsewhere. */
export function createReadiness() {
  let draining = false;
  return {
    get draining(): boolean {
      return draining;
    },
    /** From now on /readyz answers 503, so a load balancer stops sending new requests here. */
    markDraining(): void {
      draining = true;
    },
  };
}

export type Readiness = ReturnType<typeof createReadiness>;
