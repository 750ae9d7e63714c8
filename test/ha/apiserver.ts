/**
 * Stand-in kube-apiserver for the HA drills (run inside a master's namespace):
 *
 *   node -r ts-node/register/transpile-only test/ha/apiserver.ts <name> <bind-ip> <port> <cert> <key>
 *
 * HTTPS with the given certificate; 200 on /healthz, /readyz, /livez (body `ok`) and on /api and
 * /version (JSON naming this server, so a client sees who answered); 403 on anything else, as a
 * real API server answers anonymous requests. Prints `listening` once bound. Node builtins only.
 */
import * as fs from "fs";
import * as https from "https";

export const HEALTH_PATHS = ["/healthz", "/readyz", "/livez"];

function main(argv: readonly string[]): void {
    const [name, host, port, cert, key] = argv;
    if (!name || !host || !port || !cert || !key) {
        process.stderr.write("usage: apiserver.ts <name> <bind-ip> <port> <cert> <key>\n");
        process.exit(2);
    }
    const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
        const p = (req.url ?? "/").split("?")[0];
        let status = 200;
        let body: string;
        let type = "application/json";
        if (HEALTH_PATHS.includes(p)) {
            body = "ok";
            type = "text/plain";
        } else if (p === "/api" || p === "/version") {
            body = JSON.stringify({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: `${host}:${port}` }], server: name });
        } else {
            status = 403;
            body = JSON.stringify({ kind: "Status", status: "Failure", reason: "Forbidden", code: 403, server: name });
        }
        res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "x-server": name });
        res.end(body);
    });
    server.on("tlsClientError", () => undefined); // health checks and hello checks hang up mid-handshake
    server.listen(Number(port), host, () => process.stdout.write(`listening ${name} ${host}:${port}\n`));
    for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => process.exit(0));
}

if (require.main === module) main(process.argv.slice(2));
