/**
 * Resource names derive from the parent's name in this one function, so two clusters in one
 * stack never collide and a name says where a resource belongs: `dev-master1-bootstrap`.
 */
export function childName(parent: string, ...parts: string[]): string {
    for (const p of [parent, ...parts]) {
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p)) throw new Error(`name part ${JSON.stringify(p)} is not a DNS label`);
    }
    return [parent, ...parts].join("-");
}
